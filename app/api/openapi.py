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
             413: "Body larger than MAX_UPLOAD_MB", 422: "Invalid input", 429: "Too many tries; wait Retry-After seconds",
             503: "Database unavailable; retry after Retry-After seconds (same Idempotency-Key)"}
    return {str(c): _resp(names[c], PROBLEM, "application/problem+json") for c in codes}


def _json_body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


OBJ = {"type": "object"}
ANY_OBJ = {"type": "object", "additionalProperties": True}
ID_PATH = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}
TASK_PATH = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}]
REQUEST_PATH = [{"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
SLA_STATES = ("on_time", "warning", "breached", "paused", "met", "none")


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
                "warn_at": {"type": ["string", "null"]},
                "due_provisional": {"type": "boolean", "description": "the deadline depends on a year without an official schedule"},
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
                "due_at": {"type": ["string", "null"], "description": "the nearest open complaint-wide deadline"},
                "seconds_left": {"type": ["integer", "null"]},
                "sla_state": {"type": "string", "enum": [*SLA_STATES]},
                "due_provisional": {"type": "boolean"},
                "suspended": {"type": "boolean"}, "suspended_at": {"type": ["string", "null"]},
                "suspend_reason": {"type": ["string", "null"]},
                "clocks": {"type": "object", "properties": {
                    "first_reply": {"$ref": "#/components/schemas/Clock"},
                    "final_reply": {"$ref": "#/components/schemas/Clock"}}},
            }, "additionalProperties": True},
            "Clock": {"type": "object", "required": ["due_at", "seconds_left", "state"], "properties": {
                "due_at": {"type": ["string", "null"]}, "warn_at": {"type": ["string", "null"]},
                "seconds_left": {"type": ["integer", "null"]}, "state": {"type": "string", "enum": [*SLA_STATES]},
                "provisional": {"type": "boolean"}}},
            "ExtensionRequest": {"type": "object", "required": ["id", "task_id", "status", "reason"], "properties": {
                "id": {"type": "integer"}, "task_id": {"type": "string"}, "instance_id": {"type": "integer"},
                "working_days": {"type": ["integer", "null"]}, "hours": {"type": ["number", "null"]},
                "reason": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
                "old_due_at": {"type": ["string", "null"]}, "new_due_at": {"type": ["string", "null"]},
                "decision_reason": {"type": ["string", "null"]}}, "additionalProperties": True},
            "Incident": {"type": "object", "required": ["id", "instance_id", "attempts", "status"], "properties": {
                "id": {"type": "integer"}, "instance_id": {"type": "integer"}, "complaint_id": {"type": ["integer", "null"]},
                "element_id": {"type": "string"}, "kind": {"type": "string"}, "sla_step": {"type": ["string", "null"]},
                "due_at": {"type": "string"}, "attempts": {"type": "integer"}, "last_error": {"type": ["string", "null"]},
                "status": {"type": "string"}}},
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
        "/complaints/{id}/suspend": {"post": {
            "summary": "Suspend (挂起) a complaint: its clocks stop (supervisors)", "parameters": ID_PATH,
            "requestBody": _json_body({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}),
            "responses": {"200": _resp("Suspended", {"type": "object", "required": ["id", "suspended_at"]}),
                          **_problems(401, 403, 404, 409, 422)},
        }},
        "/complaints/{id}/resume": {"post": {
            "summary": "Resume a complaint: the time its clocks had left is added back (supervisors)", "parameters": ID_PATH,
            "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object", "properties": {
                "reason": {"type": "string"}}}}}},
            "responses": {"200": _resp("Resumed; the timers moved", {"type": "object", "required": ["id", "resumed_at"]}),
                          **_problems(401, 403, 404, 409)},
        }},
        "/tasks/{task_id}/extension-request": {"post": {
            "summary": "Ask for more time on a task one works (延期)", "parameters": TASK_PATH,
            "requestBody": _json_body({"type": "object", "required": ["reason"], "properties": {
                "reason": {"type": "string", "minLength": 1}, "working_days": {"type": "integer", "minimum": 1, "maximum": 30},
                "hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 720}}}),
            "responses": {"201": _resp("Requested", {"$ref": "#/components/schemas/ExtensionRequest"}),
                          **_problems(401, 404, 409, 422)},
        }},
        "/extension-requests": {"get": {
            "summary": "Extension requests (pending by default); supervisors see all, others their own",
            "parameters": [_q("status", {"type": "string"}), _q("limit", {"type": "integer", "minimum": 1})],
            "responses": {"200": _resp("Requests", {"type": "object", "properties": {"items": {
                "type": "array", "items": {"$ref": "#/components/schemas/ExtensionRequest"}}}}), **_problems(401, 422)},
        }},
        "/extension-requests/{request_id}/approve": {"post": {
            "summary": "Approve an extension: the step's deadline and timers move (supervisors)", "parameters": REQUEST_PATH,
            "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object", "properties": {
                "reason": {"type": "string"}}}}}},
            "responses": {"200": _resp("Approved", {"$ref": "#/components/schemas/ExtensionRequest"}),
                          **_problems(401, 403, 404, 409)},
        }},
        "/extension-requests/{request_id}/reject": {"post": {
            "summary": "Reject an extension with a reason (supervisors)", "parameters": REQUEST_PATH,
            "requestBody": _json_body({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}),
            "responses": {"200": _resp("Rejected", {"$ref": "#/components/schemas/ExtensionRequest"}),
                          **_problems(401, 403, 404, 409, 422)},
        }},
        "/incidents": {"get": {
            "summary": "Timers that failed TIMER_MAX_ATTEMPTS times (supervisors)",
            "parameters": [_q("limit", {"type": "integer", "minimum": 1}), _q("offset", {"type": "integer", "minimum": 0})],
            "responses": {"200": _resp("Incidents", {"type": "object", "properties": {"items": {
                "type": "array", "items": {"$ref": "#/components/schemas/Incident"}}}}), **_problems(401, 403, 422)},
        }},
        "/incidents/{timer_id}/retry": {"post": {
            "summary": "Put an incident's timer back in the queue (supervisors)",
            "parameters": [{"name": "timer_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
            "responses": {"200": _resp("Waiting again", {"$ref": "#/components/schemas/Incident"}), **_problems(401, 403, 404, 409)},
        }},
        "/calendar/overrides": {
            "get": {"summary": "Calendar overrides, official years, years still needing a schedule",
                    "parameters": [_q("year", {"type": "integer", "minimum": 2000, "maximum": 9999})],
                    "responses": {"200": _resp("Overrides", {"type": "object", "required": ["items", "needs_schedule"]}),
                                  **_problems(401, 422)}},
            "post": {"summary": "Declare one day a working day or a day off (process owners)",
                     "requestBody": _json_body({"type": "object", "required": ["day", "is_workday"], "properties": {
                         "day": {"type": "string", "format": "date"}, "is_workday": {"type": "boolean"}, "name": {"type": "string"}}}),
                     "responses": {"201": _resp("Set", OBJ), **_problems(401, 403, 422)}},
        },
        "/calendar/overrides/{day}": {"delete": {
            "summary": "Remove one day's override (process owners)",
            "parameters": [{"name": "day", "in": "path", "required": True, "schema": {"type": "string", "format": "date"}}],
            "responses": {"204": _resp("Removed"), **_problems(401, 403, 404, 422)},
        }},
        "/calendar/schedules": {"post": {
            "summary": "Enter a year's official schedule (the State Council notice); recompute provisional deadlines",
            "requestBody": _json_body({"type": "object", "required": ["year", "text"], "properties": {
                "year": {"type": "integer"}, "text": {"type": "string", "description": "the notice's items, or lines 'YYYY-MM-DD[..YYYY-MM-DD] holiday|workday name'"}}}),
            "responses": {"201": _resp("Entered", {"type": "object", "required": ["year", "days", "recomputed"]}),
                          **_problems(401, 403, 422)},
        }},
        "/calendar/status": {"get": {
            "summary": "The years (this and next) whose official schedule is still missing",
            "responses": {"200": _resp("Status", {"type": "object", "required": ["needs_schedule"]}), **_problems(401)},
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
        "/tasks/{task_id}/transfer": {"post": {
            "summary": "Transfer a ready task (转派) to a person or a group, with a reason", "parameters": TASK_PATH,
            "requestBody": _json_body({"type": "object", "required": ["reason"], "properties": {
                "reason": {"type": "string", "minLength": 1}, "to_user": {"type": ["integer", "string"]},
                "to_group": {"type": "string"}}}),
            "responses": {"200": _resp("Transferred", {"$ref": "#/components/schemas/Task"}), **_problems(401, 403, 404, 409, 422)},
        }},
        "/tasks/{task_id}/return": {"post": {
            "summary": "Return a handling department's task to the dispatchers (退单), with a reason", "parameters": TASK_PATH,
            "requestBody": _json_body(REASON),
            "responses": {"200": _resp("Returned", {"$ref": "#/components/schemas/Task"}), **_problems(401, 403, 404, 409, 422)},
        }},
        "/tasks/{task_id}/urge": {"post": {
            "summary": "Urge (催办) whoever holds a task, with a reason; agents and supervisors", "parameters": TASK_PATH,
            "requestBody": _json_body(REASON),
            "responses": {"200": _resp("Urged", {"$ref": "#/components/schemas/Task"}), **_problems(401, 403, 404, 409, 422)},
        }},
        "/tasks/{task_id}/notes": {"post": {
            "summary": "Add a note to the complaint's record", "parameters": TASK_PATH,
            "requestBody": _json_body({"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}),
            "responses": {"201": _resp("Noted", {"type": "object", "required": ["task_id", "instance_id", "at", "text"]}),
                          **_problems(401, 404, 422)},
        }},
        "/tasks/{task_id}/contact-attempts": {"post": {
            "summary": "Record a try to reach the customer", "parameters": TASK_PATH,
            "requestBody": _json_body({"type": "object", "required": ["method", "result"], "properties": {
                "method": {"type": "string", "enum": ["phone", "sms", "email", "wechat", "visit"]},
                "result": {"type": "string", "enum": ["reached", "no_answer", "busy", "unreachable", "refused", "wrong_number"]},
                "note": {"type": "string"}}}),
            "responses": {"201": _resp("Recorded", {"type": "object", "required": ["task_id", "method", "result"]}),
                          **_problems(401, 403, 404, 409, 422)},
        }},
    },
}


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document."""
    return jsonify(_operational_responses(DOCUMENT))


# -- managers: instance search and export, audit view, chain check, saved searches, reports (issue 6) --
SEARCH_PARAMS = [
    _q("number", {"type": "string", "description": "complaint number or its prefix"}),
    _q("phone", {"type": "string", "description": "customer phone or its prefix"}),
    _q("status", {"type": "string", "enum": ["open", "closed"]}),
    _q("category", {"type": "string"}), _q("channel", {"type": "string"}), _q("severity", {"type": "string"}),
    _q("department", {"type": "string"}),
    _q("assignee", {"type": "string", "description": "username or user id who held or worked a task"}),
    _q("sla", {"type": "string", "enum": ["breached", "paused", "breached_ever", "on_time"]}),
    _q("version", {"type": "integer", "minimum": 1}),
    _q("created_from", {"type": "string", "format": "date"}), _q("created_to", {"type": "string", "format": "date"}),
    _q("closed_from", {"type": "string", "format": "date"}), _q("closed_to", {"type": "string", "format": "date"}),
    _q("sort", {"type": "string", "enum": ["created_at", "closed_at", "number"]}),
    _q("order", {"type": "string", "enum": ["asc", "desc"]}),
]
REPORT_FILTER = [_q("from", {"type": "string", "format": "date"}), _q("to", {"type": "string", "format": "date"}),
                 _q("category", {"type": "string"}), _q("department", {"type": "string"})]
SEARCH_ID_PATH = [{"name": "search_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}]
DOCUMENT["components"]["schemas"].update({
    "InstanceRow": {"type": "object", "required": ["id", "number", "process_instance_id", "status", "sla_state"],
                    "properties": {
                        "id": {"type": "integer"}, "number": {"type": "string"},
                        "process_instance_id": {"type": ["integer", "null"]}, "customer_name": {"type": "string"},
                        "customer_phone_masked": {"type": "string"}, "status": {"type": "string"},
                        "sla_state": {"type": "string", "enum": [*SLA_STATES]},
                        "process_version": {"type": ["integer", "null"]}}, "additionalProperties": True},
    "ChainCheck": {"type": "object", "required": ["instance_id", "ok", "checked"], "properties": {
        "instance_id": {"type": "integer"}, "ok": {"type": "boolean"}, "checked": {"type": "integer"},
        "first_broken_seq": {"type": ["integer", "null"]}, "reason": {"type": ["string", "null"]},
        "event_type": {"type": ["string", "null"]}, "event_at": {"type": ["string", "null"]}}},
    "SavedSearch": {"type": "object", "required": ["id", "name", "params"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "params": {"type": "object"},
        "created_at": {"type": "string"}}},
})
MANAGER_PATHS = {
    "/process-instances": {"get": {
        "summary": "Search instances with their complaints (managers, supervisors, directors); keyset-paged",
        "parameters": [*SEARCH_PARAMS, _q("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                       _q("after", {"type": "string", "description": "the previous page's `next`"})],
        "responses": {"200": _resp("A page", {"type": "object", "required": ["total", "total_capped", "items", "next"],
                                              "properties": {"total": {"type": "integer"}, "total_capped": {"type": "boolean"},
                                                             "next": {"type": ["string", "null"]},
                                                             "items": {"type": "array", "items": {"$ref": "#/components/schemas/InstanceRow"}}}}),
                      **_problems(401, 403, 422)},
    }},
    "/process-instances/export": {"get": {
        "summary": "The whole result of a search as CSV or Excel (Chinese headers), streamed; recorded in the access log",
        "parameters": [*SEARCH_PARAMS, _q("format", {"type": "string", "enum": ["csv", "xlsx"]})],
        "responses": {"200": {"description": "The file", "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
            **_problems(401, 403, 422)},
    }},
    "/process-instances/{id}/audit": {"get": {
        "summary": "An instance end to end: diagram marks, steps with durations, timeline, complaint, clocks; recorded as a reading of personal data",
        "parameters": ID_PATH,
        "responses": {"200": _resp("The audit view", {"type": "object", "required": ["instance", "elements", "events", "tasks"]}),
                      **_problems(401, 404)},
    }},
    "/process-instances/{id}/chain": {"get": {
        "summary": "Re-check the instance's hash chain and name the first broken event", "parameters": ID_PATH,
        "responses": {"200": _resp("The check", {"$ref": "#/components/schemas/ChainCheck"}), **_problems(401, 404)},
    }},
    "/saved-searches": {
        "get": {"summary": "The caller's saved searches",
                "responses": {"200": _resp("Saved searches", {"type": "object", "properties": {"items": {
                    "type": "array", "items": {"$ref": "#/components/schemas/SavedSearch"}}}}), **_problems(401)}},
        "post": {"summary": "Save (or replace by name) a search's filters",
                 "requestBody": _json_body({"type": "object", "required": ["name", "params"], "properties": {
                     "name": {"type": "string", "minLength": 1, "maxLength": 64}, "params": {"type": "object"}}}),
                 "responses": {"201": _resp("Saved", {"$ref": "#/components/schemas/SavedSearch"}),
                               **_problems(401, 403, 409, 422)}},
    },
    "/saved-searches/{search_id}": {"delete": {
        "summary": "Delete one of the caller's saved searches", "parameters": SEARCH_ID_PATH,
        "responses": {"204": _resp("Deleted"), **_problems(401, 404)},
    }},
    "/reports/dashboard": {"get": {
        "summary": "Dashboard figures: volume and trend, distributions, on-time rate and durations per step, breached and paused now, FCR, repeats, satisfaction, backlog by age",
        "parameters": REPORT_FILTER,
        "responses": {"200": _resp("The figures", {"type": "object", "required": ["volume", "steps", "now"]}),
                      **_problems(401, 403, 422)},
    }},
    "/reports/regulator": {"get": {
        "summary": "Per quarter: complaints per million subscribers by regulator category; share answered within the 15-day limit",
        "parameters": [_q("from", {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"}),
                       _q("to", {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"})],
        "responses": {"200": _resp("Quarters", {"type": "object", "required": ["quarters"]}), **_problems(401, 403, 422)},
    }},
    "/access-log": {"get": {
        "summary": "Who read which complaint's personal data, newest first (managers)",
        "parameters": [_q("complaint_id", {"type": "integer", "minimum": 0}), _q("user_id", {"type": "integer", "minimum": 0}),
                       _q("limit", {"type": "integer", "minimum": 1})],
        "responses": {"200": _resp("Entries", {"type": "object", "properties": {"items": {"type": "array"}}}),
                      **_problems(401, 403, 422)},
    }},
}
for _path, _ops in MANAGER_PATHS.items():
    DOCUMENT["paths"].setdefault(_path, {}).update(_ops)


# -- operations (issue 8): health, readiness and metrics at the root; Idempotency-Key; errors any call may get --
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "A key the client picks per intended effect (a UUID). A retry with the same key and request gets the "
                   "first answer (header Idempotent-Replayed: true), never a second effect; the same key with a different "
                   "request gets 422. Keys belong to the caller and are kept IDEMPOTENCY_HOURS.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
_ROOT = [{"url": "/"}]  # these three live outside /api/v1
_CHECK = {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}, "additionalProperties": True}
_READINESS = {"type": "object", "required": ["status", "checks", "reasons"], "properties": {
    "status": {"type": "string", "enum": ["ready", "not ready"]},
    "checks": {"type": "object", "additionalProperties": _CHECK},
    "reasons": {"type": "array", "items": {"type": "string"}}}}
OPS_PATHS = {
    "/healthz": {"servers": _ROOT, "get": {
        "summary": "Liveness: the process serves (touches nothing else)", "security": [],
        "responses": {"200": _resp("Alive", {"type": "object", "required": ["status"], "properties": {
            "status": {"type": "string", "const": "ok"}}})},
    }},
    "/readyz": {"servers": _ROOT, "get": {
        "summary": "Readiness: database reachable, migrations current, this and next year's holiday schedule present",
        "security": [],
        "responses": {"200": _resp("Ready", _READINESS), "503": _resp("Not ready; reasons lists why", _READINESS)},
    }},
    "/metrics": {"servers": _ROOT, "get": {
        "summary": "Prometheus metrics of this host's processes and gauges read from the database", "security": [],
        "responses": {"200": _resp("Text exposition format 0.0.4", {"type": "string"}, "text/plain")},
    }},
}
DOCUMENT["components"]["schemas"]["Problem"]["properties"]["request_id"] = {
    "type": "string", "description": "the request's id (X-Request-ID), also in the server's logs"}
for _path in ("/complaints", "/process-instances", "/tasks/{task_id}/complete"):
    _op = DOCUMENT["paths"][_path]["post"]
    _op["parameters"] = [*_op.get("parameters", []), IDEMPOTENCY_KEY]
DOCUMENT["paths"]["/auth/token"]["post"]["responses"].update(_problems(429))
for _path in ("/complaints/{id}/resume", "/extension-requests/{request_id}/approve", "/tasks/{task_id}/release"):
    DOCUMENT["paths"][_path]["post"]["responses"].update(_problems(422))  # an optional body that is not an object
DOCUMENT["paths"].update(OPS_PATHS)


def _operational_responses(document: dict) -> dict:
    """Add what any call may answer: 503 while the database is away, 413 for a body over MAX_UPLOAD_MB.

    Run when the document is served, so operations documented anywhere in this module get them.
    """
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete") and path not in ("/healthz", "/metrics"):
                op["responses"].setdefault("503", _problems(503)["503"])
                if "requestBody" in op:
                    op["responses"].setdefault("413", _problems(413)["413"])
    return document


# -- process owners: check, diff, download, migrate (issue 5) ----------------------------------
PROCESS_PATH = [{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}}]
VERSION_NUMBER = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
MODEL_UPLOAD = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "the main .bpmn file"},
        "process_id": {"type": "string", "description": "the process to check or deploy (default: the executable "
                                                        "process of `file`)"},
        "note": {"type": "string", "description": "the version's note (deploy only)"},
        "forms": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "forms (.json), DMN tables and called diagrams: any other file fields"}}}}}}
MIGRATION = {"type": "object", "required": ["instance_id", "to_version", "dry_run"], "properties": {
    "instance_id": {"type": "integer"}, "from_version": {"type": ["integer", "null"]}, "to_version": {"type": "integer"},
    "dry_run": {"type": "boolean"}, "safe": {"type": "boolean"}, "migrated": {"type": "boolean"},
    "reasons": {"type": "array", "items": {"type": "string"}, "description": "why it is not safe"},
    "changed": {"type": "array", "items": {"type": "string"}, "description": "active elements whose definition changed"},
    "ready_before": {"type": "array", "items": {"type": "string"}},
    "ready_after": {"type": "array", "items": {"type": "string"}},
    "timers_kept": {"type": "array", "items": {"type": "string"}, "description": "timers that keep their due instant"}}}
DOCUMENT["components"]["schemas"].update({
    "DiagramProblem": {"type": "object", "required": ["message", "element_id", "severity"], "properties": {
        "message": {"type": "string"}, "element_id": {"type": "string"}, "element_name": {"type": "string"},
        "line": {"type": ["integer", "null"]}, "file": {"type": "string"},
        "severity": {"type": "string", "enum": ["error", "warning"]},
        "rule": {"type": "string", "description": "parser, form, lane, expression, sla, instructions, unreachable, "
                                                   "no-end, or a bpmnlint rule name"}}},
    "Migration": MIGRATION,
})
DOCUMENT["paths"]["/process-models"]["post"]["requestBody"] = MODEL_UPLOAD
DOCUMENT["paths"]["/process-models"]["post"]["responses"]["201"] = _resp(
    "Deployed; warnings do not block", {"type": "object", "required": ["process_id", "version"], "properties": {
        "process_id": {"type": "string"}, "version": {"type": "integer"}, "created": {"type": "boolean"},
        "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/DiagramProblem"}}}})
DOCUMENT["paths"].update({
    "/process-models/check": {"post": {
        "summary": "Run every deploy check on an upload without deploying (process owners)",
        "requestBody": MODEL_UPLOAD,
        "responses": {"200": _resp("The problems found; errors would block a deploy", {
            "type": "object", "required": ["ok", "problems"], "properties": {
                "ok": {"type": "boolean"}, "process_id": {"type": ["string", "null"]},
                "problems": {"type": "array", "items": {"$ref": "#/components/schemas/DiagramProblem"}}}}),
            **_problems(401, 403, 422)},
    }},
    "/process-models/{process_id}/diff": {"get": {
        "summary": "Elements added, removed and changed between two versions (process owners, managers)",
        "parameters": [*PROCESS_PATH, {"name": "from", "in": "query", "required": True, "schema": VERSION_NUMBER},
                       {"name": "to", "in": "query", "required": True, "schema": VERSION_NUMBER}],
        "responses": {"200": _resp("The changes", {"type": "object", "required": ["added", "removed", "changed", "forms"]}),
                      **_problems(401, 403, 404, 422)},
    }},
    "/process-models/{process_id}/versions/{version}/files/{name}": {"get": {
        "summary": "Download one file of a deployed version as it was uploaded (process owners, managers)",
        "parameters": [*PROCESS_PATH, {"name": "version", "in": "path", "required": True, "schema": VERSION_NUMBER},
                       {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The file", "content": {
            "application/xml": {"schema": {"type": "string"}}, "application/json": {"schema": {}}}},
            **_problems(401, 403, 404)},
    }},
    "/process-instances/{id}/migrate": {"post": {
        "summary": "Dry-run (default) or migrate a running instance to another version (process owners)",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": VERSION_NUMBER}],
        "requestBody": _json_body({"type": "object", "properties": {
            "to_version": {**VERSION_NUMBER, "description": "default: the current version"},
            "dry_run": {"type": "boolean", "default": True}}}),
        "responses": {"200": _resp("What would change, or what changed", {"$ref": "#/components/schemas/Migration"}),
                      **_problems(401, 403, 404, 409, 422)},
    }},
    "/process-instances/migrate": {"post": {
        "summary": "Dry-run or migrate a selection of running instances of a process (process owners)",
        "requestBody": _json_body({"type": "object", "required": ["process_id"], "properties": {
            "process_id": {"type": "string"}, "to_version": VERSION_NUMBER,
            "instance_ids": {"type": "array", "items": VERSION_NUMBER,
                             "description": "default: every running instance on another version"},
            "dry_run": {"type": "boolean", "default": True}}}),
        "responses": {"200": _resp("One result per instance", {"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Migration"}},
            "migrated": {"type": "integer"}, "safe": {"type": "integer"}}}),
            **_problems(401, 403, 404, 422)},
    }},
})
