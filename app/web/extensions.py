"""延期: a handler asks for a new deadline on the task page; supervisors decide on /extensions."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..services.sla import extensions
from .access import login_required, runtime, viewer
from .refusals import error_text, field_errors_text
from .i18n import N_, user_time_zone, t

bp = Blueprint("extensions", __name__, url_prefix="/extensions")


def _local_instant(value: str | None) -> str | None:
    """A datetime-local field (China time, no zone) as an ISO instant with its zone."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=user_time_zone()).isoformat()
    except ValueError:
        return value  # the service names the field


def _report(fn, done_key: str) -> None:
    try:
        fn()
    except Invalid as exc:
        flash(t("task.action_invalid", detail=field_errors_text(exc)), "error")
    except (Conflict, Forbidden, NotFound) as exc:
        flash(t("task.action_refused", detail=error_text(exc)), "error")
    else:
        flash(done_key, "success")


@bp.post("/request/<task_id>")
@login_required
def request_(task_id: str):
    """Ask for a new deadline on a task one works, with a reason."""
    body = {"until": _local_instant(request.form.get("until")), "reason": request.form.get("reason")}
    _report(lambda: extensions.request_extension(runtime(), viewer(), task_id, body), N_("extension.requested"))
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.get("")
@login_required
def index():
    """Pending extension requests (supervisors decide; others see their own)."""
    items = extensions.pending_with_context(runtime(), viewer())
    return render_template("extensions/index.html", items=items, may_decide=viewer().can("extension.decide"))


@bp.post("/<int:request_id>/decide")
@login_required
def decide(request_id: int):
    """Approve (the step's deadline moves) or refuse (with a reason)."""
    approve = request.form.get("decision") == "approve"
    _report(
        lambda: extensions.decide_extension(runtime(), viewer(), request_id, approve, request.form.get("reason")),
        N_("extension.approved") if approve else N_("extension.refused"),
    )
    return redirect(url_for("extensions.index"))


def init_app(app) -> None:
    from .nav import NavItem, add_item

    app.register_blueprint(bp)
    add_item(app, NavItem("extensions.index", N_("nav.extensions"), "extension.decide", order=38))
