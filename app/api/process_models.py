"""Process models for process owners' CI: upload (deploy), check, list, diff, download, migrate instances."""

from __future__ import annotations

from flask import Response, jsonify, request

from ..domain.whole_numbers import whole_number
from ..errors import Forbidden, Invalid, NotFound
from ..services.process_models import catalog, deployment, diff as model_diff
from ..services.instances import migration as instance_migration
from ..services.process_models.checks import main_process_of, review_model
from . import bp, json_body, runtime, viewer

BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")
ALLOWED_SUFFIXES = (*BPMN_SUFFIXES, ".dmn", ".json")
MAX_INT = 2**31 - 1  # ids and versions are 32-bit columns: larger numbers name nothing
_MIMETYPES = {".bpmn": "application/xml", ".dmn": "application/xml", ".json": "application/json"}


def _require(capability: str, what: str) -> None:
    if not viewer().can(capability):
        raise Forbidden(what)


def _uploaded_files() -> tuple[dict[str, bytes], dict[str, bytes], str | None]:
    """The multipart upload: the diagram as field `file`, called diagrams, forms and DMN tables as any other
    fields, and the process to deploy (field `process_id`, else the executable process of `file`)."""
    main = request.files.get("file")
    if main is None or not main.filename:
        raise Invalid("no diagram", [{"field": "file", "message": "send the BPMN file as multipart field 'file'"}])
    if not main.filename.endswith(BPMN_SUFFIXES):
        raise Invalid("not a BPMN file", [{"field": "file", "message": "the file must end with .bpmn or .bpmn20.xml"}])
    bpmn = {main.filename: main.read()}
    others = {}
    for field, storage in request.files.items(multi=True):
        if storage is main or not storage.filename:
            continue
        if not storage.filename.endswith(ALLOWED_SUFFIXES):
            raise Invalid(
                "unsupported file", [{"field": field, "message": f"{storage.filename}: only .bpmn, .dmn, .json"}]
            )
        target = bpmn if storage.filename.endswith(BPMN_SUFFIXES) else others
        target[storage.filename] = storage.read()
    return bpmn, others, request.form.get("process_id") or main_process_of(main.filename, bpmn[main.filename])


@bp.post("/process-models")
def upload_process_model():
    """Deploy a BPMN file (multipart field `file`) with optional forms/DMN as the next version."""
    _require("model.edit", "only process owners deploy diagrams")
    bpmn, others, process_id = _uploaded_files()
    deployed = deployment.deploy_model(
        runtime(), bpmn, others, viewer().id, request.form.get("note", ""), process_id, strict=True
    )
    body = {
        "process_id": deployed.process_id,
        "version": deployed.version,
        "created": deployed.created,
        "warnings": [p.as_dict() for p in deployed.warnings],
    }
    return jsonify(body), 201 if deployed.created else 200


@bp.post("/process-models/check")
def check_process_model():
    """Run every deploy check on an upload (as multipart as a deploy) without deploying it."""
    _require("model.edit", "only process owners check diagrams")
    bpmn, others, process_id = _uploaded_files()
    review = review_model(runtime(), bpmn, others, process_id)
    problems = [p.as_dict() for p in review.problems]
    return jsonify({"process_id": review.process_id, "ok": not review.errors, "problems": problems})


@bp.get("/process-models")
def list_process_models():
    """Every deployed process with its versions."""
    return jsonify({"items": catalog.list_models(runtime())})


def _int_arg(name: str) -> int:
    value = whole_number(request.args.get(name, ""), 1, MAX_INT)
    if value is None:
        raise Invalid(f"{name} must be a version number", [{"field": name, "message": "a positive integer"}])
    return value


def _exists(number: int, what: str) -> int:
    if not 1 <= number <= MAX_INT:
        raise NotFound(f"no {what} {number}")
    return number


@bp.get("/process-models/<process_id>/diff")
def diff_process_model(process_id: str):
    """Elements added, removed and changed between two versions (?from=1&to=2)."""
    _require("model.read", "the model library is for process owners and managers")
    return jsonify(model_diff.diff_versions(runtime(), process_id, _int_arg("from"), _int_arg("to")))


@bp.get("/process-models/<process_id>/versions/<int:version>/files/<name>")
def download_model_file(process_id: str, version: int, name: str):
    """One file of a deployed version, byte for byte as it was uploaded."""
    _require("model.read", "the model library is for process owners and managers")
    text = catalog.version_file(runtime(), process_id, _exists(version, "version"), name)
    suffix = name[name.rfind(".") :] if "." in name else ""
    return Response(
        text.encode("utf-8"),
        mimetype=_MIMETYPES.get(suffix, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/process-models/<process_id>/versions/<int:version>/current")
def make_model_version_current(process_id: str, version: int):
    """Make a stored version current: new instances start on it (process owners)."""
    return jsonify(deployment.make_current(runtime(), viewer(), process_id, _exists(version, "version")))


def _dry_run(body: dict) -> bool:
    value = body.get("dry_run", True)
    if not isinstance(value, bool):
        raise Invalid("dry_run must be true or false", [{"field": "dry_run", "message": "a boolean"}])
    return value


def _version(body: dict) -> int | None:
    value = body.get("to_version")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_INT):
        raise Invalid("to_version must be a version number", [{"field": "to_version", "message": "a positive integer"}])
    return value


@bp.post("/process-instances/<int:instance_id>/migrate")
def migrate_process_instance(instance_id: int):
    """Check (dry_run, the default) or move one running instance to another version of its process."""
    body = json_body()
    return jsonify(
        instance_migration.migrate_instance(
            runtime(), viewer(), _exists(instance_id, "instance"), _version(body), _dry_run(body)
        )
    )


@bp.post("/process-instances/migrate")
def migrate_process_instances():
    """Check or migrate a selection of running instances (default: all on other versions)."""
    body = json_body()
    process_id = body.get("process_id")
    if not isinstance(process_id, str) or not process_id:
        raise Invalid("process_id is required", [{"field": "process_id", "message": "required"}])
    ids = body.get("instance_ids")
    if ids is not None and (
        not isinstance(ids, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_INT for i in ids)
    ):
        raise Invalid(
            "instance_ids must be a list of ids", [{"field": "instance_ids", "message": "a list of integers"}]
        )
    return jsonify(
        instance_migration.migrate_many(runtime(), viewer(), process_id, _version(body), ids, _dry_run(body))
    )
