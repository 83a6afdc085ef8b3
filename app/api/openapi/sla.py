"""SLA clocks: suspend and resume, extension requests and decisions, timer and service incidents, the working-day
calendar, an instance's print log."""

from __future__ import annotations

from .schema_parts import ID_PATH, OBJ, REQUEST_PATH, TASK_PATH, _json_body, _problems, _q, _resp

SCHEMAS = {
    "ExtensionRequest": {
        "type": "object",
        "required": ["id", "task_id", "status", "reason"],
        "properties": {
            "id": {"type": "integer"},
            "task_id": {"type": "string"},
            "instance_id": {"type": "integer"},
            "working_days": {"type": ["integer", "null"]},
            "hours": {"type": ["number", "null"]},
            "reason": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "approved", "rejected"]},
            "old_due_at": {"type": ["string", "null"]},
            "new_due_at": {"type": ["string", "null"]},
            "decision_reason": {"type": ["string", "null"]},
        },
        "additionalProperties": True,
    },
    "Incident": {
        "type": "object",
        "required": ["id", "instance_id", "attempts", "status"],
        "properties": {
            "id": {"type": "integer"},
            "instance_id": {"type": "integer"},
            "complaint_id": {"type": ["integer", "null"]},
            "element_id": {"type": "string"},
            "kind": {"type": "string"},
            "sla_step": {"type": ["string", "null"]},
            "due_at": {"type": "string"},
            "attempts": {"type": "integer"},
            "last_error": {"type": ["string", "null"]},
            "status": {"type": "string"},
        },
    },
}

SCHEMAS["ServiceIncident"] = {
    "type": "object",
    "required": ["id", "instance_id", "element_id", "status", "attempts", "error"],
    "properties": {
        "id": {"type": "integer"},
        "instance_id": {"type": "integer"},
        "element_id": {"type": "string"},
        "element_name": {"type": "string"},
        "connector": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "resolved"]},
        "attempts": {"type": "integer"},
        "error": {"type": "string"},
        "created_at": {"type": ["string", "null"]},
        "updated_at": {"type": ["string", "null"]},
        "resolved_at": {"type": ["string", "null"]},
    },
}
_ITEMS = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceIncident"}}},
}

PATHS = {
    "/service-incidents": {
        "get": {
            "summary": "Service tasks whose connector kept failing, newest first (supervisors)",
            "parameters": [
                _q("instance_id", {"type": "integer", "minimum": 1}),
                _q("status", {"type": "string", "enum": ["open", "resolved", "all"]}),
            ],
            "responses": {"200": _resp("Incidents", _ITEMS), **_problems(401, 403, 422)},
        }
    },
    "/service-incidents/{incident_id}/retry": {
        "post": {
            "summary": "Run the failed service task again (supervisors): resolved, or open with the new error",
            "parameters": [
                {"name": "incident_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
            ],
            "responses": {
                "200": _resp("The incident after the retry", {"$ref": "#/components/schemas/ServiceIncident"}),
                **_problems(401, 403, 404, 409),
            },
        }
    },
    "/process-instances/{id}/log": {
        "get": {
            "summary": "What the instance's scripts printed, oldest first (auditors and process owners)",
            "parameters": ID_PATH,
            "responses": {
                "200": _resp(
                    "Lines",
                    {
                        "type": "object",
                        "properties": {
                            "items": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "at": {"type": "string"},
                                        "element_id": {"type": "string"},
                                        "text": {"type": "string"},
                                    },
                                },
                            }
                        },
                    },
                ),
                **_problems(401, 403, 404),
            },
        }
    },
    "/complaints/{id}/suspend": {
        "post": {
            "summary": "Suspend (挂起) a complaint: its clocks stop (supervisors)",
            "parameters": ID_PATH,
            "requestBody": _json_body(
                {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}
            ),
            "responses": {
                "200": _resp("Suspended", {"type": "object", "required": ["id", "suspended_at"]}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/complaints/{id}/resume": {
        "post": {
            "summary": "Resume a complaint: the time its clocks had left is added back (supervisors)",
            "parameters": ID_PATH,
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}}}
                },
            },
            # 422: the body is optional, and one that is not an object is refused
            "responses": {
                "200": _resp("Resumed; the timers moved", {"type": "object", "required": ["id", "resumed_at"]}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/tasks/{task_id}/extension-request": {
        "post": {
            "summary": "Ask for more time on a task one works (延期)",
            "parameters": TASK_PATH,
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {
                        "reason": {"type": "string", "minLength": 1},
                        "working_days": {"type": "integer", "minimum": 1, "maximum": 30},
                        "hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 720},
                    },
                }
            ),
            "responses": {
                "201": _resp("Requested", {"$ref": "#/components/schemas/ExtensionRequest"}),
                **_problems(401, 404, 409, 422),
            },
        }
    },
    "/extension-requests": {
        "get": {
            "summary": "Extension requests (pending by default); supervisors see all, others their own",
            "parameters": [_q("status", {"type": "string"}), _q("limit", {"type": "integer", "minimum": 1})],
            "responses": {
                "200": _resp(
                    "Requests",
                    {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ExtensionRequest"}}
                        },
                    },
                ),
                **_problems(401, 422),
            },
        }
    },
    "/extension-requests/{request_id}/approve": {
        "post": {
            "summary": "Approve an extension: the step's deadline and timers move (supervisors)",
            "parameters": REQUEST_PATH,
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {"schema": {"type": "object", "properties": {"reason": {"type": "string"}}}}
                },
            },
            # 422: the body is optional, and one that is not an object is refused
            "responses": {
                "200": _resp("Approved", {"$ref": "#/components/schemas/ExtensionRequest"}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/extension-requests/{request_id}/reject": {
        "post": {
            "summary": "Reject an extension with a reason (supervisors)",
            "parameters": REQUEST_PATH,
            "requestBody": _json_body(
                {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}
            ),
            "responses": {
                "200": _resp("Rejected", {"$ref": "#/components/schemas/ExtensionRequest"}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/incidents": {
        "get": {
            "summary": "Timers that failed TIMER_MAX_ATTEMPTS times (supervisors)",
            "parameters": [
                _q("limit", {"type": "integer", "minimum": 1}),
                _q("offset", {"type": "integer", "minimum": 0}),
            ],
            "responses": {
                "200": _resp(
                    "Incidents",
                    {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}},
                    },
                ),
                **_problems(401, 403, 422),
            },
        }
    },
    "/incidents/{timer_id}/retry": {
        "post": {
            "summary": "Put an incident's timer back in the queue (supervisors)",
            "parameters": [
                {"name": "timer_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
            ],
            "responses": {
                "200": _resp("Waiting again", {"$ref": "#/components/schemas/Incident"}),
                **_problems(401, 403, 404, 409),
            },
        }
    },
    "/calendar/overrides": {
        "get": {
            "summary": "Calendar overrides, official years, years still needing a schedule",
            "parameters": [_q("year", {"type": "integer", "minimum": 2000, "maximum": 9999})],
            "responses": {
                "200": _resp("Overrides", {"type": "object", "required": ["items", "needs_schedule"]}),
                **_problems(401, 422),
            },
        },
        "post": {
            "summary": "Declare one day a working day or a day off (process owners)",
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["day", "is_workday"],
                    "properties": {
                        "day": {"type": "string", "format": "date"},
                        "is_workday": {"type": "boolean"},
                        "name": {"type": "string"},
                    },
                }
            ),
            "responses": {"201": _resp("Set", OBJ), **_problems(401, 403, 422)},
        },
    },
    "/calendar/overrides/{day}": {
        "delete": {
            "summary": "Remove one day's override (process owners)",
            "parameters": [
                {"name": "day", "in": "path", "required": True, "schema": {"type": "string", "format": "date"}}
            ],
            "responses": {"204": _resp("Removed"), **_problems(401, 403, 404, 422)},
        }
    },
    "/calendar/schedules": {
        "post": {
            "summary": "Enter a year's official schedule (the State Council notice); recompute provisional deadlines",
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["year", "text"],
                    "properties": {
                        "year": {"type": "integer"},
                        "text": {
                            "type": "string",
                            "description": "the notice's items as published, or lines 'YYYY-MM-DD[..YYYY-MM-DD] "
                            "holiday|workday name', or CSV 'date,kind,name', or JSON {\"days\": [{date, kind, name}]} "
                            "(app/domain/holiday_notice.py); it must cover all seven statutory holidays and the make-up days",
                        },
                        "form": {"type": "string", "enum": ["auto", "text", "csv", "json"], "default": "auto"},
                    },
                }
            ),
            "responses": {
                "201": _resp("Entered", {"type": "object", "required": ["year", "days", "recomputed"]}),
                **_problems(401, 403, 422),
            },
        }
    },
    "/calendar/recompute": {
        "post": {
            "summary": "Recompute every open provisional deadline with the calendar as it is now (process owners)",
            "responses": {
                "200": _resp(
                    "What moved",
                    {
                        "type": "object",
                        "required": ["timers_moved", "deadlines_moved"],
                        "properties": {
                            k: {"type": "integer"}
                            for k in (
                                "instances",
                                "complaints",
                                "timers",
                                "timers_moved",
                                "deadlines_moved",
                                "still_provisional",
                            )
                        },
                    },
                ),
                **_problems(401, 403),
            },
        }
    },
    "/calendar/status": {
        "get": {
            "summary": "The years (this and next) whose official schedule is still missing, and the open provisional deadlines",
            "responses": {
                "200": _resp(
                    "Status",
                    {
                        "type": "object",
                        "required": ["ok", "needs_schedule", "provisional"],
                        "properties": {
                            "ok": {
                                "type": "boolean",
                                "description": "false while this or next year's schedule is missing (a warning, never an outage)",
                            },
                            "needs_schedule": {"type": "array", "items": {"type": "integer"}},
                            "packaged_years": {"type": "array", "items": {"type": "integer"}},
                            "provisional": {
                                "type": "object",
                                "description": "open deadlines that depend on a year without official data",
                                "properties": {k: {"type": "integer"} for k in ("tasks", "timers", "complaints")},
                            },
                            "action": {"type": "string"},
                            "today": {"type": "string", "format": "date-time"},
                        },
                    },
                ),
                **_problems(401),
            },
        }
    },
}
