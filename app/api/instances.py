"""Process instances: start one, read its status and data, read its audit trail."""

from __future__ import annotations

from flask import jsonify, request

from ..errors import Invalid
from ..services.accounts import need_to_know
from ..services.instances import service_incidents, store as instances
from ..services.steps import print_log
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
    return jsonify(instances.describe_instance(runtime(), instance_id, with_incidents=True)), 201


@bp.get("/process-instances/<int:instance_id>")
def get_instance(instance_id: int):
    """An instance's status, version, data and ready tasks."""
    return jsonify(need_to_know.read_instance(runtime(), viewer(), instance_id, "api"))


@bp.get("/process-instances/<int:instance_id>/events")
def instance_events(instance_id: int):
    """The audit trail of an instance."""
    return jsonify({"items": need_to_know.read_events(runtime(), viewer(), instance_id, "api")})


@bp.get("/service-incidents")
def list_service_incidents():
    """Service tasks whose connector kept failing (supervisors); ?instance_id= one instance's, ?status=open|resolved|all."""
    instance = request.args.get("instance_id", "")
    status = request.args.get("status", "open")
    if instance and not instance.isdecimal():
        raise Invalid("bad filter", [{"field": "instance_id", "message": "a whole number"}])
    if status not in ("open", "resolved", "all"):
        raise Invalid("bad filter", [{"field": "status", "message": "open, resolved or all"}])
    items = service_incidents.list_incidents(
        runtime(), viewer(), int(instance) if instance else None, None if status == "all" else status
    )
    return jsonify({"items": items})


@bp.post("/service-incidents/<int:incident_id>/retry")
def retry_service_incident(incident_id: int):
    """Run the failed service task again (supervisors): resolved, or still open with the new error."""
    return jsonify(service_incidents.retry_incident(runtime(), viewer(), incident_id))


@bp.get("/process-instances/<int:instance_id>/log")
def instance_log(instance_id: int):
    """What the instance's scripts printed (auditors and process owners)."""
    return jsonify({"items": print_log.read_log(runtime(), viewer(), instance_id)})
