"""The inbox: my tasks, my groups' unclaimed tasks, overdue and due soon, soonest deadline first."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..services.tasks import inbox
from .access import login_required, runtime, viewer

bp = Blueprint("inbox", __name__)

FILTERS = ("q", "category", "severity", "step")


@bp.get("/")
@login_required
def index():
    """The signed-in user's work list: one page, with counts per tab and keyset paging."""
    args = request.args
    tab = args.get("tab", "all")
    if tab not in inbox.TABS:
        tab = "all"
    query = inbox.InboxQuery(tab=tab, q=args.get("q") or None, category=args.get("category") or None,
                             severity=args.get("severity") or None, step=args.get("step") or None,
                             cursor=args.get("after") or None)
    page = inbox.list_inbox(runtime(), viewer(), query)
    filters = {k: args.get(k, "") for k in FILTERS if args.get(k)}
    return render_template("inbox/index.html", page=page, tab=tab, tabs=inbox.TABS, filters=filters,
                           paged=bool(query.cursor))
