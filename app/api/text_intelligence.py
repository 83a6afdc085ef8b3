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
    return jsonify(
        admin.import_upload(
            runtime(),
            viewer(),
            f,
            request.form.get("label_map"),
            request.form.get("taxonomy"),
            request.form.get("preview"),
        )
    ), 201


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


from .openapi import DOCUMENT, OBJ, _json_body, _problems, _q, _resp  # noqa: E402

_IMPORT_PATH = [{"name": "import_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
_BURST_PATH = [{"name": "burst_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
_SUGGESTED = {
    "type": "object",
    "required": ["model_version", "fields"],
    "properties": {
        "model_version": {"type": ["integer", "null"]},
        "fields": {
            "type": "object",
            "description": "category, special_type, severity, department: {value, confidence, alternatives}",
        },
    },
}
DOCUMENT["components"]["schemas"].update(
    {
        "TextAnalysis": {
            "type": "object",
            "required": ["suggestions", "similar", "repeat"],
            "properties": {
                "suggestions": _SUGGESTED,
                "similar": {"type": "array", "items": OBJ},
                "repeat": {"type": ["object", "null"]},
            },
        },
    }
)
DOCUMENT["paths"].update(
    {
        "/text/analyse": {
            "post": {
                "summary": "Suggestions, similar complaints and the repeat for a complaint text",
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "required": ["text"],
                        "properties": {
                            "text": {"type": "string"},
                            "phone": {"type": "string"},
                            "complaint_id": {"type": "integer"},
                        },
                    }
                ),
                "responses": {
                    "200": _resp("The analysis", {"$ref": "#/components/schemas/TextAnalysis"}),
                    **_problems(401, 403, 422),
                },
            }
        },
        "/text/models": {
            "get": {
                "summary": "The classifier's versions with their evaluation",
                "responses": {"200": _resp("Versions", OBJ), **_problems(401, 403)},
            },
            "post": {
                "summary": "Train a new classifier version now",
                "responses": {"201": _resp("The new version", OBJ), **_problems(401, 403)},
            },
        },
        "/text/history-imports": {
            "post": {
                "summary": "Import historical work orders (CSV/XLSX); all rows or none",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "label_map": {"type": "string"},
                                    "taxonomy": {"type": "string", "enum": ["ours", "own"]},
                                },
                            }
                        }
                    },
                },
                "responses": {"201": _resp("The import with its report", OBJ), **_problems(401, 403, 413, 422)},
            }
        },
        "/text/history-imports/{import_id}": {
            "get": {
                "summary": "An import's progress and validation report",
                "parameters": _IMPORT_PATH,
                "responses": {"200": _resp("The import", OBJ), **_problems(401, 403, 404)},
            }
        },
        "/text/bursts": {
            "get": {
                "summary": "Suggested outage incidents from bursts of similar complaints",
                "parameters": [_q("status", {"type": "string", "enum": ["suggested", "confirmed", "dismissed"]})],
                "responses": {"200": _resp("Suggestions", OBJ), **_problems(401, 403)},
            }
        },
        "/text/bursts/{burst_id}/confirm": {
            "post": {
                "summary": "Open the suggested incident and link its complaints",
                "parameters": _BURST_PATH,
                "responses": {
                    "201": _resp("The incident and the linked complaints", OBJ),
                    **_problems(401, 403, 404, 409, 422),
                },
            }
        },
        "/text/bursts/{burst_id}/dismiss": {
            "post": {
                "summary": "Close a burst suggestion: not an outage",
                "parameters": _BURST_PATH,
                "responses": {"200": _resp("Dismissed", OBJ), **_problems(401, 403, 404, 409)},
            }
        },
        "/text/topics": {
            "get": {
                "summary": "Topics of a period's complaints: top terms, sizes, trend",
                "parameters": [
                    _q("from", {"type": "string", "format": "date"}),
                    _q("to", {"type": "string", "format": "date"}),
                ],
                "responses": {"200": _resp("Topics", OBJ), **_problems(401, 403, 422)},
            }
        },
    }
)
