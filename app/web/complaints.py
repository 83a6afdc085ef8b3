"""Complaints: registration by agents, search, and the complaint page."""
from __future__ import annotations

from flask import Blueprint, render_template

from .access import login_required, role_required

bp = Blueprint("complaints", __name__, url_prefix="/complaints")


@bp.get("")
@login_required
def index():
    """Search complaints by number or phone."""
    return render_template("complaints/index.html", rows=[])


@bp.get("/new")
@role_required("agent")
def register():
    """The registration form for a complaint from any channel."""
    return render_template("complaints/index.html", rows=[])
