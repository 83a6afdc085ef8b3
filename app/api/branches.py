"""The flow's branches over JSON: outage incidents, appeals (the regulator feed), the outbox, evidence upload."""

from __future__ import annotations

from flask import jsonify, request

from ..errors import Forbidden, Invalid
from ..services.branches import appeals, outages
from ..services.complaints import evidence
from ..services.notifications.admin import list_notifications, retry_notification
from . import bp, json_body, runtime, viewer
from .idempotency import idempotent
from .tasks import _int_arg


@bp.get("/outages")
def list_outages():
    """Outage incidents (open first) with the number of linked complaints; ?status=open|resolved."""
    return jsonify({"items": outages.list_incidents(runtime(), viewer(), request.args.get("status") or None)})


@bp.post("/outages")
@idempotent()
def create_outage():
    """Open an outage incident (network department, supervisors)."""
    return jsonify(outages.create_incident(runtime(), viewer(), json_body())), 201


@bp.get("/outages/<int:incident_id>")
def get_outage(incident_id: int):
    """One incident with its linked complaints and notices."""
    return jsonify(outages.get_incident(runtime(), viewer(), incident_id))


@bp.post("/outages/<int:incident_id>/notices")
def post_outage_notice(incident_id: int):
    """Send a progress notice to every linked customer."""
    return jsonify(outages.post_notice(runtime(), viewer(), incident_id, json_body().get("text"))), 201


@bp.post("/outages/<int:incident_id>/resolve")
def resolve_outage(incident_id: int):
    """The outage is fixed: answer every linked complaint at once with the resolution."""
    return jsonify(outages.resolve_incident(runtime(), viewer(), incident_id, json_body().get("resolution")))


@bp.post("/appeals")
@idempotent()
def register_appeal():
    """A work order from the regulator's appeal centre; recorded as inadmissible (with the reason) or started."""
    return jsonify(appeals.register_appeal(runtime(), viewer(), json_body())), 201


@bp.get("/appeals")
def list_appeals():
    """Appeals, open ones by the nearest regulator deadline; ?status=open|closed|inadmissible."""
    return jsonify(
        {
            "items": appeals.list_appeals(
                runtime(), viewer(), request.args.get("status") or None, _int_arg("limit") or 100
            )
        }
    )


@bp.get("/appeals/<int:appeal_id>")
def get_appeal(appeal_id: int):
    """One appeal."""
    return jsonify(appeals.get_appeal(runtime(), viewer(), appeal_id))


@bp.get("/notifications")
def list_outbox():
    """The outbox (supervisors, managers): ?status=pending|sent|failed, ?complaint_id=."""
    return jsonify(
        {
            "items": list_notifications(
                runtime(),
                viewer(),
                request.args.get("status") or None,
                _int_arg("complaint_id"),
                _int_arg("limit") or 100,
            )
        }
    )


@bp.post("/notifications/<int:notification_id>/retry")
def retry_outbox(notification_id: int):
    """Send a failed notification again (supervisors)."""
    return jsonify(retry_notification(runtime(), viewer(), notification_id))


@bp.post("/evidence")
def upload_evidence():
    """Upload evidence files (multipart field `file`, repeatable); task data then names them by id."""
    files = request.files.getlist("file")
    if not files:
        raise Invalid("no file", [{"field": "file", "message": "send one or more files in the field `file`"}])
    if not viewer().groups:
        raise Forbidden("no group")
    stored, refused = evidence.store_all(runtime(), viewer(), [(f.filename or "", f.stream) for f in files], "file")
    if refused:  # the same checks as the pages' (a file that passed is kept; send it again alone)
        raise Invalid("some files were refused", [{"field": r["field"], "message": r["message"]} for r in refused])
    return jsonify({"items": stored}), 201


# -- the OpenAPI document's part for these routes (test_api_basics checks it lists exactly the served routes) --
from .openapi import DOCUMENT, IDEMPOTENCY_KEY, OBJ, _json_body, _problems, _q, _resp  # noqa: E402

_INCIDENT_PATH = [{"name": "incident_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
_APPEAL_PATH = [{"name": "appeal_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
_NOTIFICATION_PATH = [
    {"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
]
_INSTANT = {"type": "string", "format": "date-time"}
DOCUMENT["components"]["schemas"].update(
    {
        "Outage": {
            "type": "object",
            "required": ["id", "number", "title", "area", "service", "started_at", "status"],
            "properties": {
                "id": {"type": "integer"},
                "number": {"type": "string", "pattern": "^GZ[0-9]{11}$"},
                "title": {"type": "string"},
                "area": {"type": "string"},
                "service": {"type": "string", "enum": list(outages.SERVICES)},
                "started_at": {"type": "string"},
                "expected_fix_at": {"type": ["string", "null"]},
                "status": {"type": "string", "enum": ["open", "resolved"]},
                "resolution": {"type": ["string", "null"]},
                "resolved_at": {"type": ["string", "null"]},
                "linked_complaints": {"type": ["integer", "null"]},
                "complaints": {"type": "array", "items": OBJ},
                "notices": {"type": "array", "items": OBJ},
            },
        },
        "Appeal": {
            "type": "object",
            "required": ["id", "case_number", "admissible", "status"],
            "properties": {
                "id": {"type": "integer"},
                "case_number": {"type": "string"},
                "regulator_deadline": {"type": "string"},
                "admissible": {"type": "boolean"},
                "inadmissible_reason": {"type": ["string", "null"]},
                "reason_code": {"type": "string", "enum": ["no_prior_complaint", "fee_dispute_too_old", "too_old"]},
                "status": {"type": "string", "enum": ["open", "closed", "inadmissible"]},
                "outcome": {"type": ["string", "null"], "enum": ["settled", "investigated", None]},
                "complaint_number": {"type": ["string", "null"]},
                "process_instance_id": {"type": ["integer", "null"]},
            },
            "additionalProperties": True,
        },
        "Notification": {
            "type": "object",
            "required": ["id", "template", "channel", "status"],
            "properties": {
                "id": {"type": "integer"},
                "template": {"type": "string"},
                "channel": {"type": "string", "enum": ["sms", "email"]},
                "recipient": {"type": "string"},
                "status": {"type": "string", "enum": ["pending", "sent", "failed"]},
                "attempts": {"type": "integer"},
                "sent_at": {"type": ["string", "null"]},
                "last_error": {"type": ["string", "null"]},
                "body": {"type": ["string", "null"]},
            },
            "additionalProperties": True,
        },
    }
)
_REF = {name: {"$ref": f"#/components/schemas/{name}"} for name in ("Outage", "Appeal", "Notification")}
BRANCH_PATHS = {
    "/outages": {
        "get": {
            "summary": "Outage incidents, open first, with the number of linked complaints",
            "parameters": [_q("status", {"type": "string", "enum": ["open", "resolved"]})],
            "responses": {
                "200": _resp(
                    "Incidents", {"type": "object", "properties": {"items": {"type": "array", "items": _REF["Outage"]}}}
                ),
                **_problems(401),
            },
        },
        "post": {
            "summary": "Open an outage incident: area, service, start time (network department, supervisors)",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["title", "area", "service", "started_at"],
                    "properties": {
                        "title": {"type": "string", "minLength": 1, "maxLength": 200},
                        "area": {"type": "string", "minLength": 1, "maxLength": 200},
                        "service": {"type": "string", "enum": list(outages.SERVICES)},
                        "started_at": _INSTANT,
                        "expected_fix_at": _INSTANT,
                    },
                }
            ),
            "responses": {"201": _resp("Opened", _REF["Outage"]), **_problems(401, 403, 409, 422)},
        },
    },
    "/outages/{incident_id}": {
        "get": {
            "summary": "One incident with its linked complaints (phone masked) and its notices",
            "parameters": _INCIDENT_PATH,
            "responses": {"200": _resp("The incident", _REF["Outage"]), **_problems(401, 404, 422)},
        }
    },
    "/outages/{incident_id}/notices": {
        "post": {
            "summary": "Send a progress notice to every linked customer (SMS and e-mail through the outbox)",
            "parameters": _INCIDENT_PATH,
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 500}},
                }
            ),
            "responses": {
                "201": _resp("Posted", {"type": "object", "required": ["id", "recipients"]}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/outages/{incident_id}/resolve": {
        "post": {
            "summary": "The outage is fixed: answer every waiting linked complaint at once (again: the rest)",
            "parameters": _INCIDENT_PATH,
            "requestBody": _json_body(
                {"type": "object", "properties": {"resolution": {"type": "string", "maxLength": 2000}}}
            ),
            "responses": {
                "200": _resp(
                    "Answered",
                    {
                        "type": "object",
                        "required": ["answered", "failed"],
                        "properties": {"answered": {"type": "integer"}, "failed": {"type": "array", "items": OBJ}},
                    },
                ),
                **_problems(401, 403, 404, 422),
            },
        }
    },
    "/appeals": {
        "post": {
            "summary": "A work order from the regulator's appeal centre (case number, deadline); inadmissible ones "
            "are recorded with the reason, admissible ones start the high-priority appeal process",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": [
                        "case_number",
                        "regulator_deadline",
                        "customer_name",
                        "customer_phone",
                        "category",
                        "fee_dispute",
                        "occurred_at",
                        "matter",
                    ],
                    "properties": {
                        "case_number": {"type": "string"},
                        "regulator_deadline": _INSTANT,
                        "received_at": _INSTANT,
                        "customer_name": {"type": "string"},
                        "customer_phone": {"type": "string"},
                        "complaint_number": {"type": "string"},
                        "category": {"type": "string"},
                        "fee_dispute": {"type": "boolean"},
                        "occurred_at": _INSTANT,
                        "matter": {"type": "string"},
                        "demand": {"type": "string"},
                    },
                }
            ),
            "responses": {
                "201": _resp("Recorded (see admissible)", _REF["Appeal"]),
                **_problems(401, 403, 404, 409, 422),
            },
        },
        "get": {
            "summary": "Appeals (agents, supervisors, directors, managers)",
            "parameters": [
                _q("status", {"type": "string", "enum": ["open", "closed", "inadmissible"]}),
                _q("limit", {"type": "integer", "minimum": 1}),
            ],
            "responses": {
                "200": _resp(
                    "Appeals", {"type": "object", "properties": {"items": {"type": "array", "items": _REF["Appeal"]}}}
                ),
                **_problems(401, 403, 422),
            },
        },
    },
    "/appeals/{appeal_id}": {
        "get": {
            "summary": "One appeal",
            "parameters": _APPEAL_PATH,
            "responses": {"200": _resp("The appeal", _REF["Appeal"]), **_problems(401, 403, 404, 422)},
        }
    },
    "/notifications": {
        "get": {
            "summary": "The notification outbox, newest first (supervisors, directors, managers)",
            "parameters": [
                _q("status", {"type": "string", "enum": ["pending", "sent", "failed"]}),
                _q("complaint_id", {"type": "integer", "minimum": 0}),
                _q("limit", {"type": "integer", "minimum": 1}),
            ],
            "responses": {
                "200": _resp(
                    "Notifications",
                    {"type": "object", "properties": {"items": {"type": "array", "items": _REF["Notification"]}}},
                ),
                **_problems(401, 403, 422),
            },
        }
    },
    "/notifications/{notification_id}/retry": {
        "post": {
            "summary": "Send a failed notification again (supervisors); its idempotency key is kept",
            "parameters": _NOTIFICATION_PATH,
            "responses": {"200": _resp("Pending again", _REF["Notification"]), **_problems(401, 403, 404, 409, 422)},
        }
    },
    "/evidence": {
        "post": {
            "summary": "Upload evidence (photos, recordings, PDF: typed by content); task data names the files by id",
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                        }
                    }
                },
            },
            "responses": {
                "201": _resp(
                    "Stored",
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "items": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["id"],
                                    "properties": {
                                        "id": {"type": "string"},
                                        "name": {"type": "string"},
                                        "mime": {"type": "string"},
                                        "size": {"type": "integer"},
                                    },
                                },
                            }
                        },
                    },
                ),
                **_problems(401, 403, 422),
            },
        }
    },
}
for _item in BRANCH_PATHS.values():
    for _method, _op in _item.items():
        _op["responses"].setdefault("503", _problems(503)["503"])
        if "requestBody" in _op:
            _op["responses"].setdefault("413", _problems(413)["413"])
DOCUMENT["paths"].update(BRANCH_PATHS)
