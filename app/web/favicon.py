"""The site icon: browsers ask for /favicon.ico on every page whatever the page links to."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response

bp = Blueprint("favicon", __name__)
ICON = Path(__file__).parent / "static" / "img" / "favicon.svg"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@bp.get("/favicon.ico")
def favicon():
    """The brand mark as SVG (every browser this app supports reads an SVG icon at this address).

    Served from memory, not as a file: browsers drop the icon's request when a page goes away, and a
    file response abandoned mid-way is left open until the garbage collector finds it."""
    response = Response(_icon(), mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response
