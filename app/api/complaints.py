"""Complaints: register (starts the handling process), search, read."""

from __future__ import annotations

from flask import jsonify, request

from ..services.accounts import need_to_know
from ..services.complaints import ownership
from ..services.complaints import register as complaints
from . import bp, json_body, runtime, viewer
from .idempotency import idempotent
from .tasks import _int_arg


@bp.post("/complaints")
@idempotent()
def register_complaint():
    """Register a complaint from any channel."""
    return jsonify(complaints.register_complaint(runtime(), viewer(), json_body())), 201


@bp.get("/complaints")
def list_complaints():
    """Search complaints by number, phone or name; filter by status, category, channel."""
    a = request.args
    return jsonify(
        complaints.list_complaints(
            runtime(),
            viewer(),
            q=a.get("q"),
            status=a.get("status"),
            category=a.get("category"),
            channel=a.get("channel"),
            limit=_int_arg("limit") or 50,
            offset=_int_arg("offset") or 0,
        )
    )


@bp.post("/complaints/<int:complaint_id>/owner")
def reassign_owner(complaint_id: int):
    """A supervisor hands the complaint to another agent (to_user: id or username), with a reason."""
    body = json_body()
    return jsonify(ownership.reassign_owner(runtime(), viewer(), complaint_id, body.get("to_user"), body.get("reason")))


@bp.get("/complaints/<int:complaint_id>")
def get_complaint(complaint_id: int):
    """One complaint record (the reading is recorded in the access log)."""
    return jsonify(complaints.get_complaint(runtime(), viewer(), complaint_id, via="api"))


@bp.post("/complaints/<int:complaint_id>/reveal")
def reveal_personal_data(complaint_id: int):
    """The customer's personal data, for those entitled, with a reason written to the access log."""
    return jsonify(need_to_know.reveal(runtime(), viewer(), complaint_id, json_body().get("reason"), "api"))
