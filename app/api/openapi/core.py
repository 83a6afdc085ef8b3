"""The complaint flow's own routes: sign-in, process instances, complaints, and tasks with their actions."""

from __future__ import annotations

from .schema_parts import (
    ANY_OBJ,
    ID_PATH,
    IDEMPOTENCY_KEY,
    OBJ,
    REASON,
    SLA_STATES,
    TASK_PATH,
    _json_body,
    _problems,
    _q,
    _resp,
)

SCHEMAS = {
    "Task": {
        "type": "object",
        "required": ["id", "instance_id", "element_id", "name", "state"],
        "properties": {
            "id": {"type": "string"},
            "instance_id": {"type": "integer"},
            "element_id": {"type": "string"},
            "name": {"type": "string"},
            "lane": {"type": ["string", "null"]},
            "candidate_group": {"type": ["string", "null"]},
            "assignee_id": {"type": ["integer", "null"]},
            "state": {"type": "string", "enum": ["ready", "completed", "cancelled"]},
            "form": {"type": ["string", "null"]},
            "priority": {"type": "integer"},
            "created_at": {"type": "string"},
            "due_at": {"type": ["string", "null"]},
            "seconds_left": {"type": ["integer", "null"]},
            "sla_state": {
                "type": ["string", "null"],
                "enum": ["on_time", "warning", "breached", "paused", "none", None],
            },
            "warn_at": {"type": ["string", "null"]},
            "due_provisional": {
                "type": "boolean",
                "description": "the deadline depends on a year without an official schedule",
            },
            "completed_at": {"type": ["string", "null"]},
        },
    },
    "Instance": {
        "type": "object",
        "required": ["id", "process_id", "status", "version", "data", "ready_tasks"],
        "properties": {
            "id": {"type": "integer"},
            "process_id": {"type": "string"},
            "process_version": {"type": "integer"},
            "status": {"type": "string", "enum": ["running", "completed", "error", "suspended"]},
            "version": {"type": "integer"},
            "data": ANY_OBJ,
            "ready_tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
        },
    },
    "Complaint": {
        "type": "object",
        "required": ["id", "number", "process_instance_id", "status"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string", "pattern": "^TS[0-9]{14}$"},
            "process_instance_id": {"type": ["integer", "null"]},
            "status": {"type": "string"},
            "due_at": {"type": ["string", "null"], "description": "the nearest open complaint-wide deadline"},
            "seconds_left": {"type": ["integer", "null"]},
            "sla_state": {"type": "string", "enum": [*SLA_STATES]},
            "due_provisional": {"type": "boolean"},
            "suspended": {"type": "boolean"},
            "suspended_at": {"type": ["string", "null"]},
            "suspend_reason": {"type": ["string", "null"]},
            "personal_data": {
                "type": "string",
                "enum": ["shown", "masked"],
                "description": "masked (138****5678, 张**) unless the caller works the complaint; see /reveal",
            },
            "clocks": {
                "type": "object",
                "properties": {
                    "first_reply": {"$ref": "#/components/schemas/Clock"},
                    "final_reply": {"$ref": "#/components/schemas/Clock"},
                },
            },
        },
        "additionalProperties": True,
    },
    "Clock": {
        "type": "object",
        "required": ["due_at", "seconds_left", "state"],
        "properties": {
            "due_at": {"type": ["string", "null"]},
            "warn_at": {"type": ["string", "null"]},
            "seconds_left": {"type": ["integer", "null"]},
            "state": {"type": "string", "enum": [*SLA_STATES]},
            "provisional": {"type": "boolean"},
        },
    },
}

PATHS = {
    "/auth/token": {
        "post": {
            "summary": "Exchange username and password for a bearer token",
            "security": [],
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                }
            ),
            "responses": {
                "200": _resp(
                    "A token",
                    {
                        "type": "object",
                        "required": ["token"],
                        "properties": {"token": {"type": "string"}, "expires_at": {"type": "string"}},
                    },
                ),
                **_problems(401, 422, 429),
            },
        },
        "delete": {
            "summary": "Revoke the bearer token sent with this request (with all=true, every token of its user)",
            "description": "A revoked token is refused at once. Tokens also expire TOKEN_TTL_HOURS after issue, "
            "and signing out of the pages revokes every token of that user.",
            "parameters": [_q("all", {"type": "string", "enum": ["true", "false"], "default": "false"})],
            "responses": {"204": {"description": "Revoked"}, **_problems(401, 422)},
        },
    },
    "/process-instances": {
        "post": {
            "summary": "Start the current version of a process",
            "description": "Only members of the groups the diagram's startGroups property names may start it (else 403).",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["process_id"],
                    "properties": {"process_id": {"type": "string"}, "data": ANY_OBJ},
                }
            ),
            "responses": {
                "201": _resp("Started", {"$ref": "#/components/schemas/Instance"}),
                **_problems(401, 403, 404, 422),
            },
        }
    },
    "/process-instances/{id}": {
        "get": {
            "summary": "Status, version, data and ready tasks",
            "parameters": ID_PATH,
            "responses": {
                "200": _resp("The instance", {"$ref": "#/components/schemas/Instance"}),
                **_problems(401, 404),
            },
        }
    },
    "/process-instances/{id}/events": {
        "get": {
            "summary": "The audit trail",
            "parameters": ID_PATH,
            "responses": {
                "200": _resp("Events, oldest first", {"type": "object", "properties": {"items": {"type": "array"}}}),
                **_problems(401, 404),
            },
        }
    },
    "/complaints": {
        "post": {
            "summary": "Register a complaint (starts its handling)",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": _json_body(ANY_OBJ),
            "responses": {
                "201": _resp("Registered", {"type": "object", "required": ["id", "number", "process_instance_id"]}),
                **_problems(401, 403, 404, 422),
            },
        },
        "get": {
            "summary": "Search complaints",
            "parameters": [
                _q("q", {"type": "string"}),
                _q("status", {"type": "string"}),
                _q("category", {"type": "string"}),
                _q("channel", {"type": "string"}),
                _q("limit", {"type": "integer", "minimum": 1}),
                _q("offset", {"type": "integer", "minimum": 0}),
            ],
            "responses": {
                "200": _resp("A page of complaints", {"type": "object", "required": ["total", "items"]}),
                **_problems(401, 422),
            },
        },
    },
    "/complaints/{id}": {
        "get": {
            "summary": "One complaint (personal data masked unless the caller works it; the reading is logged)",
            "parameters": ID_PATH,
            "responses": {
                "200": _resp("The complaint", {"$ref": "#/components/schemas/Complaint"}),
                **_problems(401, 404),
            },
        }
    },
    "/complaints/{id}/owner": {
        "post": {
            "summary": "Hand the complaint and its open agents' steps to another agent (首问负责制; supervisors), with a reason",
            "parameters": ID_PATH,
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["to_user", "reason"],
                    "properties": {
                        "to_user": {"type": ["integer", "string"]},
                        "reason": {"type": "string", "minLength": 1},
                    },
                }
            ),
            "responses": {
                "200": _resp("Handed over", {"type": "object", "required": ["complaint_id", "owner_id", "tasks"]}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/complaints/{id}/reveal": {
        "post": {
            "summary": "The customer's personal data of a complaint, with the reason why (supervisors, directors, "
            "managers; written to the access log)",
            "parameters": ID_PATH,
            "requestBody": _json_body(REASON),
            "responses": {
                "200": _resp("The personal data", {"type": "object", "required": ["complaint_id"]}),
                **_problems(401, 403, 404, 422),
            },
        }
    },
    "/tasks": {
        "get": {
            "summary": "Tasks the caller may see, soonest deadline first",
            "parameters": [
                _q("process_instance_id", {"type": "integer", "minimum": 0}),
                _q("state", {"type": "string"}),
                _q("assignee", {"type": "string"}),
                _q("group", {"type": "string"}),
                _q("limit", {"type": "integer", "minimum": 1}),
                _q("offset", {"type": "integer", "minimum": 0}),
            ],
            "responses": {
                "200": _resp(
                    "Tasks",
                    {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}},
                    },
                ),
                **_problems(401, 422),
            },
        }
    },
    "/tasks/{task_id}": {
        "get": {
            "summary": "One task with its form schema",
            "parameters": TASK_PATH,
            "responses": {"200": _resp("The task", OBJ), **_problems(401, 404)},
        }
    },
    "/tasks/{task_id}/claim": {
        "post": {
            "summary": "Claim a ready task",
            "parameters": TASK_PATH,
            "responses": {
                "200": _resp("Claimed", {"$ref": "#/components/schemas/Task"}),
                **_problems(401, 403, 404, 409),
            },
        }
    },
    "/tasks/{task_id}/release": {
        "post": {
            "summary": "Give a claimed task back",
            "parameters": TASK_PATH,
            # 422: the route takes an optional body, and one that is not an object is refused
            "responses": {
                "200": _resp("Released", {"$ref": "#/components/schemas/Task"}),
                **_problems(401, 404, 409, 422),
            },
        }
    },
    "/tasks/{task_id}/complete": {
        "post": {
            "summary": "Complete a task with data valid for its form",
            "parameters": [*TASK_PATH, IDEMPOTENCY_KEY],
            "requestBody": _json_body({"type": "object", "properties": {"data": ANY_OBJ}}),
            "responses": {
                "200": _resp(
                    "Completed; the instance's next ready tasks",
                    {"type": "object", "required": ["instance_id", "status", "next_tasks"]},
                ),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/tasks/{task_id}/transfer": {
        "post": {
            "summary": "Transfer a ready task (转派) to a person or a group, with a reason",
            "parameters": TASK_PATH,
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {
                        "reason": {"type": "string", "minLength": 1},
                        "to_user": {"type": ["integer", "string"]},
                        "to_group": {"type": "string"},
                    },
                }
            ),
            "responses": {
                "200": _resp("Transferred", {"$ref": "#/components/schemas/Task"}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/tasks/{task_id}/transfer-targets": {
        "get": {
            "summary": "Whom a ready task may be transferred to: the groups that work its step and their members",
            "parameters": TASK_PATH,
            "responses": {
                "200": _resp("Targets", {"type": "object", "required": ["task_id", "groups", "users"]}),
                **_problems(401, 404, 409),
            },
        }
    },
    "/tasks/{task_id}/return": {
        "post": {
            "summary": "Return a handling department's task to the dispatchers (退单), with a reason",
            "parameters": TASK_PATH,
            "requestBody": _json_body(REASON),
            "responses": {
                "200": _resp("Returned", {"$ref": "#/components/schemas/Task"}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/tasks/{task_id}/urge": {
        "post": {
            "summary": "Urge (催办) whoever holds a task, with a reason; agents and supervisors",
            "parameters": TASK_PATH,
            "requestBody": _json_body(REASON),
            "responses": {
                "200": _resp("Urged", {"$ref": "#/components/schemas/Task"}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/tasks/{task_id}/notes": {
        "post": {
            "summary": "Add a note to the complaint's record",
            "parameters": TASK_PATH,
            "requestBody": _json_body(
                {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}
            ),
            "responses": {
                "201": _resp("Noted", {"type": "object", "required": ["task_id", "instance_id", "at", "text"]}),
                **_problems(401, 404, 422),
            },
        }
    },
    "/tasks/{task_id}/contact-attempts": {
        "post": {
            "summary": "Record a try to reach the customer",
            "parameters": TASK_PATH,
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["method", "result"],
                    "properties": {
                        "method": {"type": "string", "enum": ["phone", "sms", "email", "wechat", "visit"]},
                        "result": {
                            "type": "string",
                            "enum": ["reached", "no_answer", "busy", "unreachable", "refused", "wrong_number"],
                        },
                        "note": {"type": "string"},
                    },
                }
            ),
            "responses": {
                "201": _resp("Recorded", {"type": "object", "required": ["task_id", "method", "result"]}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
}
