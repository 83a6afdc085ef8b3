"""Improvement actions over JSON: list (filters), record, read (with history and evaluation), edit, move status."""

from __future__ import annotations

from flask import jsonify, request

from ..services.reporting import improvement_actions as actions
from ..services.reporting import improvement_reading as reading
from ..errors import NotFound
from . import bp, json_body, runtime, viewer


def _id(raw: str) -> int:
    """The action's id from the path: any other text, or a number past the id column, is no such action.

    Not an <int:> rule: werkzeug answered a POST to /improvement-actions/<too large> with 405 instead of 404."""
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or int(raw) > 2**31 - 1:
        raise NotFound(f"improvement action {raw} does not exist")
    return int(raw)


@bp.get("/improvement-actions")
def list_improvement_actions():
    """Actions filtered by status, category, owner_id, overdue; overdue first, then the soonest due."""
    return jsonify(reading.list_actions(runtime(), viewer(), reading.parse_filters(request.args)))


@bp.post("/improvement-actions")
def create_improvement_action():
    """Record an action and assign it (supervisors, directors, managers)."""
    return jsonify(actions.create_action(runtime(), viewer(), json_body())), 201


@bp.get("/improvement-actions/<action_id>")
def get_improvement_action(action_id: str):
    """One action: its record, clock, linked complaints, history and before/after evaluation."""
    return jsonify(reading.get_action(runtime(), viewer(), _id(action_id)))


@bp.post("/improvement-actions/<action_id>")
def update_improvement_action(action_id: str):
    """Change an action's record or owner (overseers), or its progress (its owner); `version` guards the change."""
    body = json_body()
    values = {k: v for k, v in body.items() if k != "version"}
    return jsonify(actions.update_action(runtime(), viewer(), _id(action_id), values, body.get("version")))


@bp.post("/improvement-actions/<action_id>/status")
def move_improvement_action(action_id: str):
    """Move an action to another status (a reason is required to cancel)."""
    body = json_body()
    return jsonify(
        actions.move_action(
            runtime(), viewer(), _id(action_id), body.get("status"), body.get("reason"), body.get("version")
        )
    )


from .openapi import DOCUMENT, _json_body, _problems, _q, _resp  # noqa: E402

_STATUS = {"type": "string", "enum": ["open", "in_progress", "done", "evaluated", "cancelled"]}
_CATEGORY = {"type": "string", "enum": ["network", "billing", "product", "service", "aftersales"]}
_DAY = {"type": "string", "format": "date"}
_TEXT = {"type": "string", "minLength": 1}
_PATH = [{"name": "action_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
_FIELDS = {
    "title": _TEXT | {"maxLength": 200},
    "category": _CATEGORY,
    "root_cause": _TEXT | {"maxLength": 4000},
    "measure": _TEXT | {"maxLength": 4000},
    "owner_id": {"type": "integer", "minimum": 1},
    "due_date": _DAY,
    "window_days": {"type": "integer", "minimum": 7, "maximum": 365},
    "complaints": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 32}, "maxItems": 50},
}
_WINDOW = {
    "type": "object",
    "properties": {
        "from": _DAY,
        "to": _DAY,
        "registered": {"type": "integer"},
        "answered": {"type": "integer"},
        "satisfied": {"type": "integer"},
        "satisfaction_rate": {"type": ["number", "null"]},
    },
}
DOCUMENT["components"]["schemas"].update(
    {
        "ImprovementAction": {
            "type": "object",
            "required": ["id", "title", "category", "owner_id", "due_date", "status", "clock", "version"],
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "category": {"type": "string"},
                "root_cause": {"type": "string"},
                "measure": {"type": "string"},
                "owner_id": {"type": "integer"},
                "owner_name": {"type": ["string", "null"]},
                "due_date": _DAY,
                "clock": {"type": "string", "enum": ["none", "on_time", "due_soon", "overdue"]},
                "overdue": {"type": "boolean"},
                "status": _STATUS,
                "progress": {"type": "string"},
                "window_days": {"type": "integer"},
                "version": {"type": "integer"},
                "complaints": {"type": "array", "items": {"type": "string"}},
                "evaluation": {
                    "type": ["object", "null"],
                    "description": "the category's registered complaints and satisfaction rate over window_days "
                    "before the action started and as many after it was done (the dashboard's definitions)",
                    "properties": {
                        "before": _WINDOW,
                        "after": {"oneOf": [_WINDOW, {"type": "null"}]},
                        "complete": {"type": "boolean"},
                    },
                },
                "history": {"type": "array", "items": {"type": "object"}},
            },
            "additionalProperties": True,
        }
    }
)
_REF = {"$ref": "#/components/schemas/ImprovementAction"}
DOCUMENT["paths"].update(
    {
        "/improvement-actions": {
            "get": {
                "summary": "Improvement actions (整改): every one for report readers, one's own for an owner",
                "parameters": [
                    _q("status", _STATUS),
                    _q("category", _CATEGORY),
                    _q("owner_id", {"type": "integer", "minimum": 1, "maximum": 999999999}),
                    _q("overdue", {"type": "string", "enum": ["true", "false"]}),
                ],
                "responses": {
                    "200": _resp(
                        "Actions",
                        {
                            "type": "object",
                            "required": ["items", "total"],
                            "properties": {"items": {"type": "array", "items": _REF}, "total": {"type": "integer"}},
                        },
                    ),
                    **_problems(401, 422),
                },
            },
            "post": {
                "summary": "Record an improvement action and assign it to its owner (supervisors, directors, managers)",
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "required": ["title", "category", "root_cause", "measure", "owner_id", "due_date"],
                        "properties": _FIELDS,
                    }
                ),
                "responses": {"201": _resp("Recorded", _REF), **_problems(401, 403, 422)},
            },
        },
        "/improvement-actions/{action_id}": {
            "get": {
                "summary": "One action with its clock, linked complaints, history and before/after evaluation",
                "parameters": _PATH,
                "responses": {"200": _resp("The action", _REF), **_problems(401, 404)},
            },
            "post": {
                "summary": "Change an action's record or owner (overseers) or its progress (its owner); "
                "`version` refuses a change made on an older copy",
                "parameters": _PATH,
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "properties": _FIELDS
                        | {"progress": {"type": "string", "maxLength": 4000}, "version": {"type": "integer"}},
                    }
                ),
                "responses": {"200": _resp("Changed", _REF), **_problems(401, 403, 404, 409, 422)},
            },
        },
        "/improvement-actions/{action_id}/status": {
            "post": {
                "summary": "Move an action: open → in_progress → done → evaluated, or cancelled (with a reason); "
                "the owner starts and finishes it, overseers do every move",
                "parameters": _PATH,
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "required": ["status"],
                        "properties": {
                            "status": _STATUS,
                            "reason": {"type": "string", "maxLength": 2000},
                            "version": {"type": "integer"},
                        },
                    }
                ),
                "responses": {"200": _resp("Moved", _REF), **_problems(401, 403, 404, 409, 422)},
            }
        },
    }
)
