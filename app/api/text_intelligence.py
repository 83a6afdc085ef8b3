"""Text features over JSON: intake analysis, classifier versions and training, history import, bursts, topics."""
from __future__ import annotations

from flask import jsonify, request

from ..services.text_intelligence import admin, bursts, intake, topics
from . import bp, json_body, optional_json_body, runtime, viewer


@bp.post("/text/analyse")
def analyse_text():
    """Suggestions, similar complaints and the repeat for a text (and the customer's phone)."""
    body = json_body()
    return jsonify(intake.analyse(runtime(), viewer(), body.get("text"), body.get("phone"), body.get("complaint_id")))


@bp.get("/text/models")
def list_text_models():
    """The classifier's versions, newest first, with their evaluation."""
    return jsonify({"items": admin.model_versions(runtime(), viewer())})


@bp.post("/text/models")
def train_text_model():
    """Train a new version now from everything there is to learn from."""
    return jsonify(admin.train_now(runtime(), viewer())), 201


@bp.post("/text/history-imports")
def import_history():
    """Import a CSV or XLSX file of historical work orders (multipart: file, label_map as JSON, taxonomy)."""
    f = request.files.get("file")
    return jsonify(admin.import_upload(runtime(), viewer(), f, request.form.get("label_map"),
                                       request.form.get("taxonomy"), request.form.get("preview"))), 201


@bp.get("/text/history-imports/<int:import_id>")
def history_import_status(import_id: int):
    """An import's progress and its validation report."""
    return jsonify(admin.import_status(runtime(), viewer(), import_id))


@bp.get("/text/bursts")
def list_bursts():
    """Suggested outage incidents from bursts of similar complaints in one area."""
    return jsonify({"items": bursts.list_suggestions(runtime(), viewer(), request.args.get("status") or "suggested")})


@bp.post("/text/bursts/<int:burst_id>/confirm")
def confirm_burst(burst_id: int):
    """Open the outage incident the burst suggests and link its complaints, in one action."""
    return jsonify(bursts.confirm(runtime(), viewer(), burst_id, optional_json_body())), 201


@bp.post("/text/bursts/<int:burst_id>/dismiss")
def dismiss_burst(burst_id: int):
    """Not an outage: the suggestion is closed."""
    return jsonify(bursts.dismiss(runtime(), viewer(), burst_id))


@bp.get("/text/topics")
def text_topics():
    """Topics of a period's complaints (from, to: ISO dates), with top terms, sizes and trend."""
    return jsonify(topics.period_topics(runtime(), viewer(), request.args.get("from"), request.args.get("to")))
