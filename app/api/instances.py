"""Process instances: start one, read its status and data, read its audit trail."""

from __future__ import annotations

from flask import jsonify

from ..errors import Invalid
from ..services.accounts import need_to_know
from ..services.instances import store as instances
from . import bp, json_body, runtime, viewer
from .idempotency import idempotent


@bp.post("/process-instances")
@idempotent()
def start_instance():
    """Start the current version of a process."""
    body = json_body()
    process_id = body.get("process_id")
    if not isinstance(process_id, str) or not process_id:
        raise Invalid("process_id is required", [{"field": "process_id", "message": "required"}])
    data = body.get("data", {})
    instance_id = instances.start_instance(runtime(), process_id, data, viewer().actor, frozenset(viewer().groups))
    return jsonify(instances.describe_instance(runtime(), instance_id)), 201


@bp.get("/process-instances/<int:instance_id>")
def get_instance(instance_id: int):
    """An instance's status, version, data and ready tasks."""
    return jsonify(need_to_know.read_instance(runtime(), viewer(), instance_id, "api"))


@bp.get("/process-instances/<int:instance_id>/events")
def instance_events(instance_id: int):
    """The audit trail of an instance."""
    return jsonify({"items": need_to_know.read_events(runtime(), viewer(), instance_id, "api")})
