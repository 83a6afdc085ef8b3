"""GET /openapi.json: the OpenAPI 3.1 document of this API (a test keeps it in step with the routes)."""
from __future__ import annotations

from flask import jsonify

from . import bp

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _resp(description: str, schema: dict | None = None, content_type: str = "application/json") -> dict:
    out: dict = {"description": description}
    if schema is not None:
        out["content"] = {content_type: {"schema": schema}}
    return out


def _problems(*codes: int) -> dict:
    names = {400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found", 409: "Conflict",
             422: "Invalid input", 503: "Database unavailable; retry"}
    return {str(c): _resp(names[c], PROBLEM, "application/problem+json") for c in codes}


def _json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


OBJ = {"type": "object"}
ANY_OBJ = {"type": "object", "additionalProperties": True}
ID_PATH = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
TASK_PATH = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}]


def _q(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "complaintflow API", "version": "1", "description": "Telecom complaint handling on BPMN."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Problem": {
                "type": "object", "required": ["status", "title", "detail"],
                "properties": {
                    "type": {"type": "string"}, "status": {"type": "integer"}, "title": {"type": "string"},
                    "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
                                                          "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
                },
            },
            "Task": {"type": "object", "required": ["id", "instance_id", "element_id", "name", "state"], "properties": {
                "id": {"type": "string"}, "instance_id": {"type": "integer"}, "element_id": {"type": "string"},
                "name": {"type": "string"}, "lane": {"type": ["string", "null"]},
                "candidate_group": {"type": ["string", "null"]}, "assignee_id": {"type": ["integer", "null"]},
                "state": {"type": "string", "enum": ["ready", "completed", "cancelled"]},
                "form": {"type": ["string", "null"]}, "priority": {"type": "integer"},
                "created_at": {"type": "string"}, "due_at": {"type": ["string", "null"]},
                "seconds_left": {"type": ["integer", "null"]},
                "sla_state": {"type": ["string", "null"], "enum": ["on_time", "warning", "breached", "paused", "none", None]},
                "completed_at": {"type": ["string", "null"]},
            }},
            "Instance": {"type": "object", "required": ["id", "process_id", "status", "version", "data", "ready_tasks"],
                         "properties": {
                             "id": {"type": "integer"}, "process_id": {"type": "string"},
                             "process_version": {"type": "integer"},
                             "status": {"type": "string", "enum": ["running", "completed", "error", "suspended"]},
                             "version": {"type": "integer"}, "data": ANY_OBJ,
                             "ready_tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
                         }},
            "Complaint": {"type": "object", "required": ["id", "number", "process_instance_id", "status"], "properties": {
                "id": {"type": "integer"}, "number": {"type": "string", "pattern": "^TS[0-9]{14}$"},
                "process_instance_id": {"type": ["integer", "null"]}, "status": {"type": "string"},
            }, "additionalProperties": True},
        },
    },
    "paths": {
        "/auth/token": {"post": {
            "summary": "Exchange username and password for a bearer token", "security": [],
            "requestBody": _json_body({"type": "object", "required": ["username", "password"], "properties": {
                "username": {"type": "string"}, "password": {"type": "string"}}}),
            "responses": {"200": _resp("A token", {"type": "object", "required": ["token"], "properties": {
                "token": {"type": "string"}, "expires_at": {"type": "string"}}}), **_problems(401, 422)},
        }},
        "/process-models": {
            "get": {"summary": "Deployed processes and their versions",
                    "responses": {"200": _resp("Processes", {"type": "object", "properties": {"items": {"type": "array"}}}),
                                  **_problems(401)}},
            "post": {"summary": "Deploy a BPMN file (with forms, DMN) as the next version",
                     "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                         "type": "object", "required": ["file"], "properties": {
                             "file": {"type": "string", "format": "binary"}, "note": {"type": "string"},
                             "forms": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
                     "responses": {"201": _resp("Deployed", {"type": "object", "required": ["process_id", "version"]}),
                                   "200": _resp("Unchanged: the same files are the current version", OBJ),
                                   **_problems(401, 403, 422)}},
        },
        "/process-instances": {"post": {
            "summary": "Start the current version of a process",
            "requestBody": _json_body({"type": "object", "required": ["process_id"], "properties": {
                "process_id": {"type": "string"}, "data": ANY_OBJ}}),
            "responses": {"201": _resp("Started", {"$ref": "#/components/schemas/Instance"}), **_problems(401, 404, 422)},
        }},
        "/process-instances/{id}": {"get": {
            "summary": "Status, version, data and ready tasks", "parameters": ID_PATH,
            "responses": {"200": _resp("The instance", {"$ref": "#/components/schemas/Instance"}), **_problems(401, 404)},
        }},
        "/process-instances/{id}/events": {"get": {
            "summary": "The audit trail", "parameters": ID_PATH,
            "responses": {"200": _resp("Events, oldest first", {"type": "object", "properties": {"items": {"type": "array"}}}),
                          **_problems(401, 404)},
        }},
        "/complaints": {
            "post": {"summary": "Register a complaint (starts its handling)",
                     "requestBody": _json_body(ANY_OBJ),
                     "responses": {"201": _resp("Registered", {"type": "object", "required": ["id", "number", "process_instance_id"]}),
                                   **_problems(401, 403, 404, 422)}},
            "get": {"summary": "Search complaints",
                    "parameters": [_q("q", {"type": "string"}), _q("status", {"type": "string"}),
                                   _q("category", {"type": "string"}), _q("channel", {"type": "string"}),
                                   _q("limit", {"type": "integer", "minimum": 1}), _q("offset", {"type": "integer", "minimum": 0})],
                    "responses": {"200": _resp("A page of complaints", {"type": "object", "required": ["total", "items"]}),
                                  **_problems(401, 422)}},
        },
        "/complaints/{id}": {"get": {
            "summary": "One complaint", "parameters": ID_PATH,
            "responses": {"200": _resp("The complaint", {"$ref": "#/components/schemas/Complaint"}), **_problems(401, 404)},
        }},
        "/tasks": {"get": {
            "summary": "Tasks the caller may see, soonest deadline first",
            "parameters": [_q("process_instance_id", {"type": "integer", "minimum": 0}), _q("state", {"type": "string"}),
                           _q("assignee", {"type": "string"}), _q("group", {"type": "string"}),
                           _q("limit", {"type": "integer", "minimum": 1}), _q("offset", {"type": "integer", "minimum": 0})],
            "responses": {"200": _resp("Tasks", {"type": "object", "properties": {"items": {
                "type": "array", "items": {"$ref": "#/components/schemas/Task"}}}}), **_problems(401, 422)},
        }},
        "/tasks/{task_id}": {"get": {
            "summary": "One task with its form schema", "parameters": TASK_PATH,
            "responses": {"200": _resp("The task", OBJ), **_problems(401, 404)},
        }},
        "/tasks/{task_id}/claim": {"post": {
            "summary": "Claim a ready task", "parameters": TASK_PATH,
            "responses": {"200": _resp("Claimed", {"$ref": "#/components/schemas/Task"}), **_problems(401, 403, 404, 409)},
        }},
        "/tasks/{task_id}/release": {"post": {
            "summary": "Give a claimed task back", "parameters": TASK_PATH,
            "responses": {"200": _resp("Released", {"$ref": "#/components/schemas/Task"}), **_problems(401, 404, 409)},
        }},
        "/tasks/{task_id}/complete": {"post": {
            "summary": "Complete a task with data valid for its form", "parameters": TASK_PATH,
            "requestBody": _json_body({"type": "object", "properties": {"data": ANY_OBJ}}),
            "responses": {"200": _resp("Completed; the instance's next ready tasks", {"type": "object", "required": ["instance_id", "status", "next_tasks"]}),
                          **_problems(401, 403, 404, 409, 422)},
        }},
    },
}


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document."""
    return jsonify(DOCUMENT)
