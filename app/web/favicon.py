"""The site icon: browsers ask for /favicon.ico on every page whatever the page links to."""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("favicon", __name__)


@bp.get("/favicon.ico")
def favicon():
    """The brand mark as SVG (every browser this app supports reads an SVG icon at this address)."""
    response = current_app.send_static_file("img/favicon.svg")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response
