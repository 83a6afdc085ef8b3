"""Human tasks: list, read with the form, claim, release, complete."""

from __future__ import annotations

from flask import jsonify, request

from ..domain.whole_numbers import whole_number
from ..errors import Invalid
from ..services.tasks import work as tasks
from . import bp, json_body, optional_json_body, runtime, viewer
from .idempotency import idempotent

MAX_ID = 2**31 - 1  # the database's integer columns (PostgreSQL int4)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    value = whole_number(raw, 0, MAX_ID)
    if value is None:
        raise Invalid(f"bad {name}", [{"field": name, "message": f"must be an integer from 0 to {MAX_ID}"}])
    return value


@bp.get("/tasks")
def list_tasks():
    """Tasks the caller may see; filters: process_instance_id, state, assignee (me|none|id), group."""
    items = tasks.list_tasks(
        runtime(),
        viewer(),
        instance_id=_int_arg("process_instance_id"),
        state=request.args.get("state", "ready") or None,
        assignee=request.args.get("assignee"),
        group=request.args.get("group"),
        limit=_int_arg("limit") or 50,
        offset=_int_arg("offset") or 0,
    )
    return jsonify({"items": items})


@bp.get("/tasks/<task_id>")
def get_task(task_id: str):
    """One task with its form schema and data."""
    return jsonify(tasks.read_task(runtime(), viewer(), task_id, "api"))


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id: str):
    """Claim a ready task of one's group."""
    return jsonify(tasks.claim_task(runtime(), viewer(), task_id))


@bp.post("/tasks/<task_id>/release")
def release_task(task_id: str):
    """Give a claimed task back to its group."""
    body = optional_json_body()
    return jsonify(tasks.release_task(runtime(), viewer(), task_id, str(body.get("reason", ""))))


@bp.post("/tasks/<task_id>/complete")
@idempotent(lambda args: f"task:{args['task_id']}")
def complete_task(task_id: str):
    """Complete a task with data that satisfies its form."""
    body = json_body()
    data = body.get("data", {})
    return jsonify(tasks.complete_task(runtime(), viewer(), task_id, data))
