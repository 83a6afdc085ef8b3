"""The task page: the complaint, its history, the step's form, and the actions on the task."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..domain import policy
from ..domain.whole_numbers import whole_number
from ..errors import Conflict, Forbidden, Invalid
from ..services.complaints import evidence, suspension
from ..services.tasks import actions as task_actions, work as tasks, workspace
from . import schema_form
from .access import login_required, runtime, viewer
from .evidence import refusal_text
from .refusals import error_text, field_errors, field_errors_text
from .i18n import N_, t


bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _render(
    task_id: str,
    *,
    errors: dict[str, str] | None = None,
    raw=None,
    status: int = 200,
    uploaded: dict[str, list[str]] | None = None,
):
    page = workspace.task_page(runtime(), viewer(), task_id)
    task = page["task"]
    data = dict(task.get("data") or {})
    if task["state"] != "ready" and page["submitted"]:
        data = page["submitted"]
    fields = schema_form.build_fields(task.get("form_schema"), task.get("ui_schema"), data, errors, raw)
    for f in fields:
        if f.widget == "file":
            ids = list(raw.getlist(f.name)) if raw is not None else list(data.get(f.name) or [])
            ids += (uploaded or {}).get(f.name, [])
            f.value = evidence.describe(runtime(), ids)
    v = viewer()
    may = _permissions(task, page)
    directory = task_actions.transfer_targets(runtime(), v, task_id) if may["transfer"] else None
    return render_template(
        "tasks/show.html",
        page=page,
        task=task,
        fields=fields,
        errors=errors or {},
        may=may,
        directory=directory,
        viewer=v,
        contact_methods=task_actions.CONTACT_METHODS,
        contact_results=task_actions.CONTACT_RESULTS,
    ), status


def _permissions(task: dict[str, Any], page: dict[str, Any]) -> dict[str, bool]:
    """What the page offers: asked of domain.policy, which the services enforce."""
    v = viewer()
    complaint = page.get("complaint") or {}
    return policy.task_offers(
        v.id,
        v.groups,
        policy.seat_of(task),
        returned=bool(page["returned"]),
        has_complaint=bool(complaint),
        suspended=bool(complaint.get("suspended_at")) or task.get("sla_state") == "paused",
        closed=complaint.get("status") == "closed",
    )


@bp.get("/<task_id>")
@login_required
def show(task_id: str):
    """The task with its complaint, history and form."""
    return _render(task_id)


@bp.post("/<task_id>")
@login_required
def complete(task_id: str):
    """Submit the step's form: uploads first, then validation beside each field, then completion."""
    rt, v = runtime(), viewer()
    task = tasks.get_task(rt, v, task_id)
    schema, ui = task.get("form_schema"), task.get("ui_schema")
    errors: dict[str, str] = {}
    uploaded: dict[str, list[str]] = {}
    for f in schema_form.build_fields(schema, ui, {}):
        if f.widget != "file":
            continue
        sent = [(u.filename, u.stream) for u in request.files.getlist(f"{f.name}__upload") if u and u.filename]
        kept, refused = evidence.store_all(rt, v, sent, f.name, already=len(request.form.getlist(f.name)))
        if kept:
            uploaded[f.name] = [k["id"] for k in kept]
        if refused:
            errors[f.name] = "; ".join(refusal_text(r) for r in refused)
    data = schema_form.parse_submission(schema, ui, request.form, uploaded)
    for f in schema_form.build_fields(schema, ui, {}):
        if f.widget == "file" and data.get(f.name):
            bad = evidence.check_ids(rt, v, data[f.name], task["instance_id"])
            if bad:
                errors.setdefault(f.name, t("form.err.file_unknown"))
    errors = {**schema_form.field_errors(schema, data), **errors}
    if errors:
        return _render(task_id, errors=errors, raw=request.form, status=422, uploaded=uploaded)
    try:
        result = tasks.complete_task(rt, v, task_id, data)
    except Invalid as exc:
        errs = field_errors(exc)
        return _render(task_id, errors=errs, raw=request.form, status=422, uploaded=uploaded)
    except Conflict as exc:
        flash(t("task.conflict", detail=error_text(exc)), "error")
        return redirect(url_for("tasks.show", task_id=task_id))
    ids = [i for f in schema_form.build_fields(schema, ui, {}) if f.widget == "file" for i in data.get(f.name, [])]
    if ids:
        evidence.attach(rt, v, ids, task["instance_id"])
    flash(t("task.completed", step=task["name"]), "success")
    for nxt in result["next_tasks"]:
        if policy.may_work_task(v.id, v.groups, policy.seat_of(nxt)):
            return redirect(url_for("tasks.show", task_id=nxt["id"]))
    return redirect(url_for("inbox.index"))


def _back(task_id: str):
    target = request.form.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("tasks.show", task_id=task_id))


def _act(task_id: str, fn, done_key: str, after_inbox: bool = False):
    """Run one action; report its outcome as a flash message and go back."""
    try:
        fn()
    except Invalid as exc:
        flash(t("task.action_invalid", detail=field_errors_text(exc)), "error")
    except (Conflict, Forbidden) as exc:
        flash(t("task.action_refused", detail=error_text(exc)), "error")
    else:
        flash(done_key, "success")
        if after_inbox:
            return redirect(url_for("inbox.index"))
    return _back(task_id)


@bp.post("/<task_id>/claim")
@login_required
def claim(task_id: str):
    """Take the task (from the inbox or the task page), then open it."""
    try:
        tasks.claim_task(runtime(), viewer(), task_id)
    except (Conflict, Forbidden) as exc:
        flash(t("task.action_refused", detail=error_text(exc)), "error")
        return redirect(request.referrer or url_for("inbox.index"))
    flash(N_("task.claimed"), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/release")
@login_required
def release(task_id: str):
    """Give the task back to its group."""
    return _act(
        task_id,
        lambda: tasks.release_task(runtime(), viewer(), task_id, request.form.get("reason", "")),
        N_("task.released"),
        after_inbox=True,
    )


@bp.post("/<task_id>/transfer")
@login_required
def transfer(task_id: str):
    """转派 to a person or a group, with a reason."""
    target = request.form.get("to", "")
    kind, _, value = target.partition(":")
    return _act(
        task_id,
        lambda: task_actions.transfer_task(
            runtime(),
            viewer(),
            task_id,
            reason=request.form.get("reason"),
            to_user=value if kind == "u" else None,
            to_group=value if kind == "g" else None,
        ),
        "task.transferred",
        True,
    )


@bp.post("/<task_id>/return")
@login_required
def return_(task_id: str):
    """退单: send the task back to the dispatchers, with a reason."""
    return _act(
        task_id,
        lambda: task_actions.return_task(runtime(), viewer(), task_id, reason=request.form.get("reason")),
        "task.returned",
        True,
    )


@bp.post("/<task_id>/urge")
@login_required
def urge(task_id: str):
    """催办, with a reason."""
    return _act(
        task_id,
        lambda: task_actions.urge_task(runtime(), viewer(), task_id, reason=request.form.get("reason")),
        "task.urged",
    )


@bp.post("/<task_id>/notes")
@login_required
def note(task_id: str):
    """Add a note to the complaint's record."""
    return _act(
        task_id,
        lambda: task_actions.add_note(runtime(), viewer(), task_id, text=request.form.get("text")),
        N_("task.noted"),
    )


@bp.post("/<task_id>/contact-attempts")
@login_required
def contact_attempt(task_id: str):
    """Record a try to reach the customer."""
    f = request.form
    return _act(
        task_id,
        lambda: task_actions.record_contact_attempt(
            runtime(), viewer(), task_id, method=f.get("method"), result=f.get("result"), note=f.get("note")
        ),
        N_("task.contact_recorded"),
    )


def _complaint_clock(task_id: str, change, done_message: str):
    """Suspend or resume the task's complaint: the same form, the same guard, another service call."""
    complaint_id = whole_number(request.form.get("complaint_id", "")) or 0
    return _act(task_id, lambda: change(runtime(), viewer(), complaint_id, request.form.get("reason")), done_message)


@bp.post("/<task_id>/suspend")
@login_required
def suspend(task_id: str):
    """挂起 the complaint (supervisors): its clocks stop."""
    return _complaint_clock(task_id, suspension.suspend_complaint, N_("task.suspended"))


@bp.post("/<task_id>/resume")
@login_required
def resume(task_id: str):
    """Resume a suspended complaint (supervisors): its clocks run again with the time that was left."""
    return _complaint_clock(task_id, suspension.resume_complaint, N_("task.resumed"))
