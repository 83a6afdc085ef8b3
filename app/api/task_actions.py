"""Task actions besides completing: transfer (转派), return (退单), urge (催办), notes, contact attempts."""

from __future__ import annotations

from flask import jsonify

from ..services.tasks import actions as task_actions
from . import bp, json_body, runtime, viewer


@bp.post("/tasks/<task_id>/transfer")
def transfer_task(task_id: str):
    """Transfer a ready task to a person (to_user: id or username) or a group (to_group), with a reason."""
    body = json_body()
    return jsonify(
        task_actions.transfer_task(
            runtime(),
            viewer(),
            task_id,
            reason=body.get("reason"),
            to_user=body.get("to_user"),
            to_group=body.get("to_group"),
        )
    )


@bp.get("/tasks/<task_id>/transfer-targets")
def transfer_targets(task_id: str):
    """The groups and people who can work a ready task's step (the only ones it may be transferred to)."""
    return jsonify(task_actions.transfer_targets(runtime(), viewer(), task_id))


@bp.post("/tasks/<task_id>/return")
def return_task(task_id: str):
    """Return a handling department's task to the dispatchers, with a reason."""
    return jsonify(task_actions.return_task(runtime(), viewer(), task_id, reason=json_body().get("reason")))


@bp.post("/tasks/<task_id>/urge")
def urge_task(task_id: str):
    """Urge whoever holds a task, with a reason."""
    return jsonify(task_actions.urge_task(runtime(), viewer(), task_id, reason=json_body().get("reason")))


@bp.post("/tasks/<task_id>/notes")
def add_note(task_id: str):
    """Add a note to the complaint's record."""
    return jsonify(task_actions.add_note(runtime(), viewer(), task_id, text=json_body().get("text"))), 201


@bp.post("/tasks/<task_id>/contact-attempts")
def record_contact_attempt(task_id: str):
    """Record a try to reach the customer."""
    body = json_body()
    return jsonify(
        task_actions.record_contact_attempt(
            runtime(), viewer(), task_id, method=body.get("method"), result=body.get("result"), note=body.get("note")
        )
    ), 201
