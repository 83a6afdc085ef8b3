"""The inbox: my tasks, my groups' unclaimed tasks, overdue and due soon."""
from __future__ import annotations

from flask import Blueprint, render_template

from .access import login_required

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def index():
    """The signed-in user's work list, soonest deadline first."""
    return render_template("inbox/index.html", rows=[])
