"""Managers: instance search and export, the audit view, chain checks, saved searches, reports, the access log."""

from __future__ import annotations

from .schema_parts import ID_PATH, SLA_STATES, _json_body, _problems, _q, _resp

SEARCH_PARAMS = [
    _q("number", {"type": "string", "description": "complaint number or its prefix"}),
    _q("phone", {"type": "string", "description": "customer phone or its prefix"}),
    _q("status", {"type": "string", "enum": ["open", "closed"]}),
    _q("category", {"type": "string"}),
    _q("channel", {"type": "string"}),
    _q("severity", {"type": "string"}),
    _q("department", {"type": "string"}),
    _q("assignee", {"type": "string", "description": "username or user id who held or worked a task"}),
    _q("sla", {"type": "string", "enum": ["breached", "paused", "breached_ever", "on_time"]}),
    _q("version", {"type": "integer", "minimum": 1}),
    _q("created_from", {"type": "string", "format": "date"}),
    _q("created_to", {"type": "string", "format": "date"}),
    _q("closed_from", {"type": "string", "format": "date"}),
    _q("closed_to", {"type": "string", "format": "date"}),
    _q("sort", {"type": "string", "enum": ["created_at", "closed_at", "number"]}),
    _q("order", {"type": "string", "enum": ["asc", "desc"]}),
]
REPORT_FILTER = [
    _q("from", {"type": "string", "format": "date"}),
    _q("to", {"type": "string", "format": "date"}),
    _q("category", {"type": "string"}),
    _q("department", {"type": "string"}),
]
SEARCH_ID_PATH = [
    {
        "name": "search_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
    }
]
SCHEMAS = {
    "InstanceRow": {
        "type": "object",
        "required": ["id", "number", "process_instance_id", "status", "sla_state"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string"},
            "process_instance_id": {"type": ["integer", "null"]},
            "customer_name": {"type": "string"},
            "customer_phone_masked": {"type": "string"},
            "status": {"type": "string"},
            "sla_state": {"type": "string", "enum": [*SLA_STATES]},
            "process_version": {"type": ["integer", "null"]},
        },
        "additionalProperties": True,
    },
    "ChainCheck": {
        "type": "object",
        "required": ["instance_id", "ok", "checked"],
        "properties": {
            "instance_id": {"type": "integer"},
            "ok": {"type": "boolean"},
            "checked": {"type": "integer"},
            "first_broken_seq": {"type": ["integer", "null"]},
            "reason": {"type": ["string", "null"]},
            "event_type": {"type": ["string", "null"]},
            "event_at": {"type": ["string", "null"]},
        },
    },
    "SavedSearch": {
        "type": "object",
        "required": ["id", "name", "params"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "params": {"type": "object"},
            "created_at": {"type": "string"},
        },
    },
}

# The satisfaction reports' filters: the dashboard's, and the channel (an unknown one is 422).
SATISFACTION_FILTER = [
    _q("from", {"type": "string", "format": "date"}),
    _q("to", {"type": "string", "format": "date"}),
    _q("category", {"type": "string", "maxLength": 32}),
    _q("department", {"type": "string", "maxLength": 32}),
    _q("channel", {"type": "string", "maxLength": 32}),
]

PATHS = {
    "/process-instances": {
        "get": {
            "summary": "Search instances with their complaints (managers, supervisors, directors); keyset-paged",
            "parameters": [
                *SEARCH_PARAMS,
                _q("limit", {"type": "integer", "minimum": 1, "maximum": 200}),
                _q("after", {"type": "string", "description": "the previous page's `next`"}),
            ],
            "responses": {
                "200": _resp(
                    "A page",
                    {
                        "type": "object",
                        "required": ["total", "total_capped", "items", "next"],
                        "properties": {
                            "total": {"type": "integer"},
                            "total_capped": {"type": "boolean"},
                            "next": {"type": ["string", "null"]},
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/InstanceRow"}},
                        },
                    },
                ),
                **_problems(401, 403, 422),
            },
        }
    },
    "/process-instances/export": {
        "get": {
            "summary": "The whole result of a search as CSV or Excel (Chinese headers), streamed; recorded in the access log",
            "parameters": [*SEARCH_PARAMS, _q("format", {"type": "string", "enum": ["csv", "xlsx"]})],
            "responses": {
                "200": {
                    "description": "The file",
                    "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                    },
                },
                **_problems(401, 403, 422),
            },
        }
    },
    "/process-instances/{id}/audit": {
        "get": {
            "summary": "An instance end to end: diagram marks, steps with durations, timeline, complaint, clocks; recorded as a reading of personal data",
            "parameters": ID_PATH,
            "responses": {
                "200": _resp(
                    "The audit view", {"type": "object", "required": ["instance", "elements", "events", "tasks"]}
                ),
                **_problems(401, 404),
            },
        }
    },
    "/process-instances/{id}/chain": {
        "get": {
            "summary": "Re-check the instance's hash chain and name the first broken event",
            "parameters": ID_PATH,
            "responses": {
                "200": _resp("The check", {"$ref": "#/components/schemas/ChainCheck"}),
                **_problems(401, 404),
            },
        }
    },
    "/saved-searches": {
        "get": {
            "summary": "The caller's saved searches",
            "responses": {
                "200": _resp(
                    "Saved searches",
                    {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/SavedSearch"}}
                        },
                    },
                ),
                **_problems(401),
            },
        },
        "post": {
            "summary": "Save (or replace by name) a search's filters",
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["name", "params"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 64},
                        "params": {"type": "object"},
                    },
                }
            ),
            "responses": {
                "201": _resp("Saved", {"$ref": "#/components/schemas/SavedSearch"}),
                **_problems(401, 403, 409, 422),
            },
        },
    },
    "/saved-searches/{search_id}": {
        "delete": {
            "summary": "Delete one of the caller's saved searches",
            "parameters": SEARCH_ID_PATH,
            "responses": {"204": _resp("Deleted"), **_problems(401, 404)},
        }
    },
    "/reports/dashboard": {
        "get": {
            "summary": "Dashboard figures: volume and trend, distributions, on-time rate and durations per step, breached and paused now, FCR, repeats, satisfaction, backlog by age",
            "parameters": REPORT_FILTER,
            "responses": {
                "200": _resp("The figures", {"type": "object", "required": ["volume", "steps", "now"]}),
                **_problems(401, 403, 422),
            },
        }
    },
    "/reports/people": {
        "get": {
            "summary": "Per agent and per department: handled, on time, satisfaction, repeat, reopen (supervisors, directors, managers)",
            "parameters": [
                _q("from", {"type": "string", "format": "date"}),
                _q("to", {"type": "string", "format": "date"}),
                _q("category", {"type": "string", "maxLength": 32}),
                _q("department", {"type": "string", "maxLength": 32}),
            ],
            "responses": {
                "200": _resp("Team figures", {"type": "object", "required": ["agents", "departments"]}),
                **_problems(401, 403, 422),
            },
        }
    },
    "/reports/satisfaction": {
        "get": {
            "summary": "The survey's four ratings by department, category, channel, owning agent and month (supervisors, directors, managers)",
            "parameters": SATISFACTION_FILTER,
            "responses": {
                "200": _resp("Ratings", {"type": "object", "required": ["dimensions"]}),
                **_problems(401, 403, 422),
            },
        }
    },
    "/reports/satisfaction/in-progress": {
        "get": {
            "summary": "Surveys of complaints in progress, apart from the closing survey: sent, answered, satisfied, flagged low, the four ratings per department (supervisors, directors, managers)",
            "parameters": SATISFACTION_FILTER,
            "responses": {
                "200": _resp("In-progress surveys", {"type": "object", "required": ["total", "department"]}),
                **_problems(401, 403, 422),
            },
        }
    },
    "/reports/satisfaction/factors": {
        "get": {
            "summary": "Satisfaction by band of handling time, step breaches, transfers/returns and reopenings, with Spearman's rho and n per factor (supervisors, directors, managers)",
            "parameters": SATISFACTION_FILTER,
            "responses": {
                "200": _resp("Factors", {"type": "object", "required": ["factors", "min_sample"]}),
                **_problems(401, 403, 422),
            },
        }
    },
    "/reports/periodicity": {
        "get": {
            "summary": "Volume by hour of day × weekday; categories whose volume on a day departs from its seasonal baseline",
            "parameters": [
                _q("from", {"type": "string", "format": "date"}),
                _q("to", {"type": "string", "format": "date"}),
                _q("category", {"type": "string", "maxLength": 32}),
                _q("department", {"type": "string", "maxLength": 32}),
                _q("day", {"type": "string", "format": "date"}),
            ],
            "responses": {
                "200": _resp("Periodicity", {"type": "object", "required": ["hour_weekday", "alerts"]}),
                **_problems(401, 403, 422),
            },
        }
    },
    "/reports/regulator": {
        "get": {
            "summary": "Per quarter: complaints per million subscribers by regulator category; share answered within the 15-day limit",
            "parameters": [
                _q("from", {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"}),
                _q("to", {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"}),
            ],
            "responses": {
                "200": _resp("Quarters", {"type": "object", "required": ["quarters"]}),
                **_problems(401, 403, 422),
            },
        }
    },
    "/access-log": {
        "get": {
            "summary": "Who read which complaint's personal data, newest first (managers, supervisors, directors)",
            "parameters": [
                _q("complaint_id", {"type": "integer", "minimum": 0, "maximum": 2147483647}),
                _q("number", {"type": "string", "maxLength": 64}),
                _q("user_id", {"type": "integer", "minimum": 0, "maximum": 2147483647}),
                _q("user", {"type": "string", "maxLength": 64}),
                _q("action", {"type": "string", "maxLength": 64}),
                _q("via", {"type": "string", "enum": ["web", "api", "cli"]}),
                _q("from", {"type": "string", "format": "date"}),
                _q("to", {"type": "string", "format": "date"}),
                _q("before", {"type": "integer", "minimum": 0, "maximum": 2147483647}),
                _q("limit", {"type": "integer", "minimum": 1}),
            ],
            "responses": {
                "200": _resp("Entries", {"type": "object", "properties": {"items": {"type": "array"}}}),
                **_problems(401, 403, 422),
            },
        }
    },
}
