"""流程模型: the model library, the diagram viewer and editor, the forms editor, diffs and migrations.

Pages render on the server; the editor talks to the JSON endpoints below with the session and the
page's CSRF token (header X-CSRFToken). Process owners edit and deploy; managers read.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from ..domain.connectors import CONNECTORS
from ..domain.sla import STEPS, UNITS
from ..domain.whole_numbers import whole_number
from ..errors import Invalid, ServiceError
from ..services.process_models import catalog, deployment, diff as model_diff, editor as model_editor
from ..services.instances import migration as instance_migration
from ..services.steps import print_log
from ..services.process_models.form_safety import parse_json
from ..services.process_models.forms import schema_problems
from . import schema_form
from .bpmn_labels import LABELS
from .access import capability_required, runtime, viewer
from .diagram_problems import detail_parts, problem_parts, with_text
from .refusals import coded_text, error_text, field_error_text
from .i18n import current_locale, t

bp = Blueprint("process_models", __name__, url_prefix="/models")


@bp.app_template_global()
def version_note(note: str | None) -> str:
    """A version's note; the one the deployment writes itself (a code-like English line) in words."""
    return t("models.note_from_folder") if note == deployment.FOLDER_NOTE else (note or "")


def json_endpoint(view: Callable) -> Callable:
    """Answer the editor in JSON, service errors included (the pages answer in HTML)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ServiceError as exc:
            # ``text``: the refusal in the user's language (detail stays the API's English)
            body: dict[str, Any] = {
                "status": exc.status,
                "title": exc.title,
                "detail": exc.detail,
                "text": coded_text(exc.code, exc.params, exc.detail, exc.status),
            }
            if isinstance(exc, Invalid):
                # a deploy's blocking problems are said as the check list says them, other field errors as pages do
                body["errors"] = [
                    with_text([e])[0]
                    if str(e.get("code", "")).startswith("check.")
                    else {**e, "text": field_error_text(e)}
                    for e in exc.errors
                ]
            return jsonify(body), exc.status

    return wrapped


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("send a JSON object", [{"field": "", "message": "a JSON object", "code": "field.json_object"}])
    return data


@bp.get("")
@capability_required("model.read")
def index():
    """Every process with its versions: who deployed, when, the note, the hash, the instances running on each."""
    return render_template(
        "process_models/index.html", models=catalog.list_models(runtime()), may_edit=viewer().can("model.edit")
    )


def _version_arg(name: str) -> int | None:
    return whole_number(request.args.get(name, ""), 1)


@bp.get("/<process_id>")
@capability_required("model.read")
def show(process_id: str):
    """One process: its versions, the diagram of one of them, a diff between two, the instances to migrate."""
    model = next((m for m in catalog.list_models(runtime()) if m["process_id"] == process_id), None)
    if model is None:
        return render_template("process_models/index.html", models=[], may_edit=False, missing=process_id), 404
    versions = model["versions"]
    current = next((v["version"] for v in versions if v["is_current"]), versions[0]["version"])
    shown = _version_arg("version") or current
    diff = None
    frm, to = _version_arg("from"), _version_arg("to")
    if frm and to:
        diff = model_diff.diff_versions(runtime(), process_id, frm, to)
    may_edit = viewer().can("model.edit")
    running = catalog.running_instances(runtime(), process_id) if may_edit else []
    main_file = catalog.main_file(runtime(), process_id, shown)[1]
    return render_template(
        "process_models/show.html",
        model=model,
        shown=shown,
        current=current,
        diff=diff,
        frm=frm,
        to=to,
        may_edit=may_edit,
        running=running,
        main_file=main_file,
        migration=None,
    )


@bp.get("/<process_id>/versions/<int:version>/files/<name>")
@capability_required("model.read")
def version_file(process_id: str, version: int, name: str):
    """One file of a deployed version, as uploaded."""
    text = catalog.version_file(runtime(), process_id, version, name)
    # Always text: as application/xml a diagram's XHTML elements would render as a page of this site.
    return Response(text.encode("utf-8"), mimetype="text/plain")


@bp.post("/<process_id>/migrate")
@capability_required("model.edit")
def migrate(process_id: str):
    """Check (dry run) or migrate the chosen running instances to a version; show the outcome per instance."""
    ids = [n for n in map(whole_number, request.form.getlist("instance_id")) if n is not None]
    to_version = whole_number(request.form.get("to_version", ""), 1)
    dry_run = request.form.get("action") != "migrate"
    outcome = instance_migration.migrate_many(runtime(), viewer(), process_id, to_version, ids, dry_run)
    model = next((m for m in catalog.list_models(runtime()) if m["process_id"] == process_id), None)
    versions = model["versions"]
    current = next((v["version"] for v in versions if v["is_current"]), versions[0]["version"])
    return render_template(
        "process_models/show.html",
        model=model,
        shown=current,
        current=current,
        diff=None,
        frm=None,
        to=None,
        may_edit=True,
        running=catalog.running_instances(runtime(), process_id),
        main_file=catalog.main_file(runtime(), process_id, current)[1],
        migration=outcome,
        chosen=set(ids),
    )


@bp.post("/<process_id>/versions/<int:version>/current")
@capability_required("model.edit")
def make_current(process_id: str, version: int):
    """Make a stored version current (e.g. a file version held back at start-up); back to the process page."""
    deployment.make_current(runtime(), viewer(), process_id, version)
    flash(t("models.made_current", n=version), "success")
    return redirect(url_for("process_models.show", process_id=process_id))


# -- the editor --------------------------------------------------------------------------------


@bp.get("/new/edit")
@capability_required("model.edit")
def new():
    """The editor on a blank diagram, for a process not deployed yet."""
    return redirect(url_for("process_models.edit", process_id=model_editor.NEW))


@bp.post("/import")
@capability_required("model.edit")
def import_file():
    """Open an uploaded BPMN file as a draft in the editor, its problems marked there."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(t("models.import_none"), "error")
        return redirect(url_for("process_models.index"))
    try:
        process_id = model_editor.import_draft(runtime(), viewer(), upload.filename, upload.read())
    except Invalid as exc:
        # a diagram's problems (check.*) as the editor says them, the import's own refusals as any other page;
        # a library's words that could not be said go below the sentence, folded
        said = [
            problem_parts(e)
            if str(e.get("code", "")).startswith("check.")
            else (field_error_text(e), str((e.get("params") or {}).get("detail", "")))
            for e in exc.errors
        ]
        joined = ("; " if current_locale() == "en" else "；").join(text for text, _ in said)
        flash(t("models.import_failed", detail=joined or error_text(exc)), "error")
        for technical in dict.fromkeys(technical for _, technical in said if technical):
            flash(technical, "technical")
        return redirect(url_for("process_models.index"))
    return redirect(url_for("process_models.edit", process_id=process_id, imported=1))


@bp.get("/<process_id>/edit")
@capability_required("model.edit")
def edit(process_id: str):
    """The bpmn-js modeler with the properties panel, checks, diff and deploy."""
    names = {
        "steps": {step: t(f"editor.step.{step}") for step in STEPS},
        "units": {unit: t(f"editor.unit.{unit}") for unit in UNITS},
        "connectors": {
            c.name: {
                "doc": t(f"editor.connector.{c.name}"),
                "parameters": {p.name: t(f"editor.connector.{c.name}.{p.name}") for p in c.parameters},
            }
            for c in CONNECTORS.values()
        },
        "bpmn": {english: t(key) for english, key in LABELS.items()},
    }
    return render_template("process_models/edit.html", process_id=process_id, names=names)


@bp.get("/<process_id>/editor.json")
@capability_required("model.edit")
@json_endpoint
def editor_state(process_id: str):
    """What the editor opens with: the user's draft, else the current version."""
    return jsonify(model_editor.editor_state(runtime(), viewer(), process_id))


@bp.post("/<process_id>/draft")
@capability_required("model.edit")
@json_endpoint
def save_draft(process_id: str):
    """Keep the diagram and the forms being edited (per user; survives a reload)."""
    body = _body()
    return jsonify(
        model_editor.save_draft(
            runtime(), viewer(), process_id, body.get("bpmn"), body.get("forms"), body.get("base_version")
        )
    )


@bp.delete("/<process_id>/draft")
@capability_required("model.edit")
@json_endpoint
def discard_draft(process_id: str):
    """Forget the draft: the editor reopens on the current version."""
    model_editor.discard_draft(runtime(), viewer(), process_id)
    return jsonify({"discarded": True})


@bp.post("/<process_id>/check")
@capability_required("model.edit")
@json_endpoint
def check(process_id: str):
    """Every deploy check on the edited diagram: errors block, warnings do not."""
    body = _body()
    problems = model_editor.check_draft(runtime(), viewer(), process_id, body.get("bpmn"), body.get("forms"))
    ok = not any(p["severity"] == "error" for p in problems)
    return jsonify({"problems": with_text(problems), "ok": ok})


@bp.post("/<process_id>/diff")
@capability_required("model.edit")
@json_endpoint
def diff(process_id: str):
    """What deploying the edit would change against the current version."""
    body = _body()
    return jsonify(model_editor.diff_draft(runtime(), viewer(), process_id, body.get("bpmn"), body.get("forms")))


@bp.post("/<process_id>/deploy")
@capability_required("model.edit")
@json_endpoint
def deploy(process_id: str):
    """Deploy the edit as a new version; running instances stay on theirs."""
    body = _body()
    deployed = model_editor.deploy_draft(
        runtime(), viewer(), process_id, body.get("bpmn"), body.get("forms"), body.get("note", "")
    )
    return jsonify(
        {
            "process_id": deployed.process_id,
            "version": deployed.version,
            "created": deployed.created,
            "warnings": with_text(p.as_dict() for p in deployed.warnings),
            "url": url_for("process_models.show", process_id=deployed.process_id),
        }
    ), 201 if deployed.created else 200


@bp.get("/instances/<int:instance_id>/log")
@capability_required(print_log.CAPABILITY)
def instance_log(instance_id: int):
    """What a running instance's scripts printed: process owners debugging their diagram."""
    return render_template(
        "process_models/instance_log.html",
        instance_id=instance_id,
        log=print_log.read_log(runtime(), viewer(), instance_id),
        back=request.args.get("process_id", ""),
    )


@bp.get("/<process_id>/forms/<name>")
@capability_required("model.edit")
@json_endpoint
def form_text(process_id: str, name: str):
    """A form's JSON Schema as the editor should start from (draft, current version, forms/)."""
    return Response(model_editor.form_text(runtime(), viewer(), process_id, name), mimetype="application/json")


@bp.post("/forms/preview")
@capability_required("model.edit")
@json_endpoint
def form_preview():
    """Validate a form schema and render it as the task page will (the same field macros)."""
    body = _body()
    schema_text, ui_text = body.get("schema") or "", body.get("uischema") or ""
    if not isinstance(schema_text, str) or not isinstance(ui_text, str):
        raise Invalid(
            "schema and uischema are JSON text", [{"field": "schema", "message": "text", "code": "field.text"}]
        )
    problems = schema_problems(schema_text)
    # what the dialog shows: each problem in the owner's language, a library's words folded apart
    said = [_said(t("editor.form_schema_problem"), p) for p in problems]
    ui, ui_problem = {}, None
    if ui_text.strip():
        try:
            ui = parse_json(ui_text, "the UI schema")
            if not isinstance(ui, dict):
                ui, ui_problem = {}, "a UI schema must be a JSON object"
        except ValueError as exc:
            ui_problem = f"not valid JSON: {exc}"
    if ui_problem:
        said.append(_said(t("editor.form_ui_problem"), ui_problem))
    html = ""
    if not problems:
        schema = parse_json(schema_text)
        try:
            fields = schema_form.build_fields(schema, ui, {})
            html = render_template("process_models/form_preview.html", fields=fields)
        except Exception as exc:  # noqa: BLE001 - a schema the renderer cannot show is a problem to report
            problems.append(f"the form cannot be shown: {exc.__class__.__name__}: {exc}")
            said.append({"text": t("editor.form_unshowable"), "technical": f"{exc.__class__.__name__}: {exc}"})
    return jsonify(
        {"problems": problems, "ui_problems": [ui_problem] if ui_problem else [], "said": said, "html": html}
    )


def _said(which: str, problem: str) -> dict[str, str]:
    """A schema problem (English, for clients) as the forms dialog shows it: {text, technical}."""
    text, technical = detail_parts(problem)
    return {"text": f"{which}{text}", "technical": technical}
