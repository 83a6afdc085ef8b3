"""The inbox: my tasks, my groups' unclaimed tasks, overdue and due soon, soonest deadline first."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..domain.groups import GROUPS
from ..errors import Invalid
from ..services.tasks import bulk, inbox, inbox_views
from .access import login_required, runtime, viewer
from .refusals import coded_text, field_errors_text
from .i18n import t

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
    query = inbox.InboxQuery(
        tab=tab,
        q=args.get("q") or None,
        category=args.get("category") or None,
        severity=args.get("severity") or None,
        step=args.get("step") or None,
        cursor=args.get("after") or None,
    )
    page = inbox.list_inbox(runtime(), viewer(), query)
    filters = {k: args.get(k, "") for k in FILTERS if args.get(k)}
    return render_template(
        "inbox/index.html",
        page=page,
        tab=tab,
        tabs=inbox.TABS,
        filters=filters,
        paged=bool(query.cursor),
        groups=[g.code for g in GROUPS],
        views=inbox_views.list_views(runtime(), viewer()),
    )


@bp.post("/views")
@login_required
def save_view():
    """Save the inbox's current tab and filters under a name of the user's choice."""
    form = request.form
    try:
        inbox_views.save_view(runtime(), viewer(), form.get("name"), {k: form.get(k) for k in inbox_views.FIELDS})
    except Invalid as exc:
        flash(t("task.action_invalid", detail=field_errors_text(exc)), "error")
    else:
        flash(t("inbox.view_saved", name=form.get("name", "").strip()), "success")
    return redirect(url_for(".index", **{k: form[k] for k in inbox_views.FIELDS if form.get(k)}))


@bp.post("/views/delete")
@login_required
def delete_view():
    """Forget one saved view."""
    inbox_views.delete_view(runtime(), viewer(), request.form.get("name", ""))
    return redirect(url_for(".index"))


@bp.post("/bulk")
@login_required
def bulk_action():
    """Claim, release or transfer the ticked tasks; say how many were done and why any were refused."""
    form = request.form
    try:
        result = bulk.bulk_act(
            runtime(),
            viewer(),
            form.getlist("task_ids"),
            form.get("action", ""),
            to_group=form.get("to_group") or None,
            reason=form.get("reason"),
        )
    except Invalid as exc:
        flash(t("task.action_invalid", detail=field_errors_text(exc)), "error")
    else:
        if result["done"]:
            flash(t("inbox.bulk_done", n=len(result["done"]), action=t(f"inbox.bulk.{form['action']}")), "success")
        for refused in result["refused"]:
            text = coded_text(refused.get("message_code"), refused.get("params"), refused["detail"], refused["status"])
            flash(t("inbox.bulk_refused", task=refused["task_id"][:8], detail=text), "error")
    back = form.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else url_for(".index"))
