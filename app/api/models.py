"""Process models: upload (deploy) a diagram with its forms, list the versions."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import Forbidden, Invalid
from ..services import catalog, deployment
from . import bp, runtime, viewer

ALLOWED_SUFFIXES = (".bpmn", ".dmn", ".json")


@bp.post("/process-models")
def upload_process_model():
    """Deploy a BPMN file (multipart field `file`) with optional forms/DMN as the next version."""
    if "process_owner" not in viewer().groups:
        raise Forbidden("only process owners deploy diagrams")
    main = request.files.get("file")
    if main is None or not main.filename:
        raise Invalid("no diagram", [{"field": "file", "message": "send the BPMN file as multipart field 'file'"}])
    if not main.filename.endswith(".bpmn"):
        raise Invalid("not a BPMN file", [{"field": "file", "message": "the file must end with .bpmn"}])
    bpmn = {main.filename: main.read()}
    others = {}
    for field, storage in request.files.items(multi=True):
        if storage is main or not storage.filename:
            continue
        if not storage.filename.endswith(ALLOWED_SUFFIXES):
            raise Invalid("unsupported file", [{"field": field, "message": f"{storage.filename}: only .bpmn, .dmn, .json"}])
        target = bpmn if storage.filename.endswith(".bpmn") else others
        target[storage.filename] = storage.read()
    deployed = deployment.deploy_model(runtime(), bpmn, others, viewer().id, request.form.get("note", ""))
    body = {"process_id": deployed.process_id, "version": deployed.version, "created": deployed.created}
    return jsonify(body), 201 if deployed.created else 200


@bp.get("/process-models")
def list_process_models():
    """Every deployed process with its versions."""
    return jsonify({"items": catalog.list_models(runtime())})
