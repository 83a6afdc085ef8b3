"""SLA actions: suspend and resume a complaint, extension requests and decisions, timer incidents."""

from __future__ import annotations

from flask import jsonify, request

from ..services.sla import extensions, timers
from ..services.complaints import suspension
from . import bp, json_body, optional_json_body, runtime, viewer
from .tasks import _int_arg


@bp.post("/complaints/<int:complaint_id>/suspend")
def suspend_complaint(complaint_id: int):
    """Suspend (挂起) a complaint: its clocks stop (supervisors; a reason is required)."""
    return jsonify(suspension.suspend_complaint(runtime(), viewer(), complaint_id, json_body().get("reason")))


@bp.post("/complaints/<int:complaint_id>/resume")
def resume_complaint(complaint_id: int):
    """Resume a suspended complaint: the time its clocks had left is added back (supervisors)."""
    body = optional_json_body()
    return jsonify(suspension.resume_complaint(runtime(), viewer(), complaint_id, body.get("reason")))


@bp.post("/tasks/<task_id>/extension-request")
def request_extension(task_id: str):
    """Ask for more time on a task one works: {reason, working_days | hours}."""
    return jsonify(extensions.request_extension(runtime(), viewer(), task_id, json_body())), 201


@bp.get("/extension-requests")
def list_extension_requests():
    """Extension requests (status=pending by default; status= for all)."""
    status = request.args.get("status", "pending") or None
    return jsonify({"items": extensions.list_requests(runtime(), viewer(), status, _int_arg("limit") or 100)})


@bp.post("/extension-requests/<int:request_id>/approve")
def approve_extension(request_id: int):
    """Approve an extension: the step's deadline and timers move (supervisors)."""
    body = optional_json_body()
    return jsonify(extensions.decide_extension(runtime(), viewer(), request_id, True, body.get("reason")))


@bp.post("/extension-requests/<int:request_id>/reject")
def reject_extension(request_id: int):
    """Reject an extension with a reason (supervisors)."""
    return jsonify(extensions.decide_extension(runtime(), viewer(), request_id, False, json_body().get("reason")))


@bp.get("/incidents")
def list_incidents():
    """Timers that kept failing (supervisors)."""
    return jsonify(
        {"items": timers.list_incidents(runtime(), viewer(), _int_arg("limit") or 100, _int_arg("offset") or 0)}
    )


@bp.post("/incidents/<int:timer_id>/retry")
def retry_incident(timer_id: int):
    """Put an incident's timer back in the queue (supervisors)."""
    return jsonify(timers.retry_incident(runtime(), viewer(), timer_id))
