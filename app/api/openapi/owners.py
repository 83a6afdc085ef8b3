"""Process owners: list and deploy process models, check an upload, diff and download versions, migrate instances."""

from __future__ import annotations

from .schema_parts import OBJ, _json_body, _problems, _resp

PROCESS_PATH = [{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}}]
VERSION_NUMBER = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}  # versions and ids are 32-bit columns
MODEL_UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "the main .bpmn file"},
                    "process_id": {
                        "type": "string",
                        "description": "the process to check or deploy (default: the executable process of `file`)",
                    },
                    "note": {"type": "string", "description": "the version's note (deploy only)"},
                    "forms": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "forms (.json), DMN tables and called diagrams: any other file fields",
                    },
                },
            }
        }
    },
}
MIGRATION = {
    "type": "object",
    "required": ["instance_id", "to_version", "dry_run"],
    "properties": {
        "instance_id": {"type": "integer"},
        "from_version": {"type": ["integer", "null"]},
        "to_version": {"type": "integer"},
        "dry_run": {"type": "boolean"},
        "safe": {"type": "boolean"},
        "migrated": {"type": "boolean"},
        "reasons": {"type": "array", "items": {"type": "string"}, "description": "why it is not safe"},
        "changed": {
            "type": "array",
            "items": {"type": "string"},
            "description": "active elements whose definition changed",
        },
        "ready_before": {"type": "array", "items": {"type": "string"}},
        "ready_after": {"type": "array", "items": {"type": "string"}},
        "timers_kept": {
            "type": "array",
            "items": {"type": "string"},
            "description": "timers that keep their due instant",
        },
    },
}

SCHEMAS = {
    "DiagramProblem": {
        "type": "object",
        "required": ["message", "element_id", "severity"],
        "properties": {
            "message": {"type": "string", "description": "the problem in English, for clients and logs"},
            "code": {
                "type": "string",
                "description": "the message as a catalogue key, e.g. check.timer.syntax or check.lint.label_required: "
                "a client translates it with params",
            },
            "params": {
                "type": "object",
                "description": "the values the message names (element names, a step, a line, Python's own detail)",
                "additionalProperties": True,
            },
            "text": {
                "type": "string",
                "description": "the message in the session's language (the editor's check and deploy answers)",
            },
            "element_id": {"type": "string"},
            "element_name": {"type": "string"},
            "line": {"type": ["integer", "null"]},
            "file": {"type": "string"},
            "severity": {"type": "string", "enum": ["error", "warning"]},
            "rule": {
                "type": "string",
                "description": "parser, form, lane, expression, sla, instructions, unreachable, "
                "no-end, or a bpmnlint rule name",
            },
            "fix": {
                "type": "object",
                "description": "present when the editor can fix the problem in one click: kind 'quote' "
                "replaces a bare ISO 8601 time (find, e.g. PT2H) with its quoted text (replace)",
                "properties": {
                    "kind": {"type": "string", "enum": ["quote"]},
                    "find": {"type": "string"},
                    "replace": {"type": "string"},
                },
            },
        },
    },
    "Migration": MIGRATION,
}

PATHS = {
    "/process-models": {
        "get": {
            "summary": "Deployed processes and their versions",
            "responses": {
                "200": _resp("Processes", {"type": "object", "properties": {"items": {"type": "array"}}}),
                **_problems(401),
            },
        },
        "post": {
            "summary": "Deploy a BPMN file (with forms, DMN) as the next version",
            "requestBody": MODEL_UPLOAD,
            "responses": {
                "201": _resp(
                    "Deployed; warnings do not block",
                    {
                        "type": "object",
                        "required": ["process_id", "version"],
                        "properties": {
                            "process_id": {"type": "string"},
                            "version": {"type": "integer"},
                            "created": {"type": "boolean"},
                            "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/DiagramProblem"}},
                        },
                    },
                ),
                "200": _resp("Unchanged: the same files are the current version", OBJ),
                **_problems(401, 403, 422),
            },
        },
    },
    "/process-models/check": {
        "post": {
            "summary": "Run every deploy check on an upload without deploying (process owners)",
            "requestBody": MODEL_UPLOAD,
            "responses": {
                "200": _resp(
                    "The problems found; errors would block a deploy",
                    {
                        "type": "object",
                        "required": ["ok", "problems"],
                        "properties": {
                            "ok": {"type": "boolean"},
                            "process_id": {"type": ["string", "null"]},
                            "problems": {"type": "array", "items": {"$ref": "#/components/schemas/DiagramProblem"}},
                        },
                    },
                ),
                **_problems(401, 403, 422),
            },
        }
    },
    "/process-models/{process_id}/diff": {
        "get": {
            "summary": "Elements added, removed and changed between two versions (process owners, managers)",
            "parameters": [
                *PROCESS_PATH,
                {"name": "from", "in": "query", "required": True, "schema": VERSION_NUMBER},
                {"name": "to", "in": "query", "required": True, "schema": VERSION_NUMBER},
            ],
            "responses": {
                "200": _resp("The changes", {"type": "object", "required": ["added", "removed", "changed", "forms"]}),
                **_problems(401, 403, 404, 422),
            },
        }
    },
    "/process-models/{process_id}/versions/{version}/files/{name}": {
        "get": {
            "summary": "Download one file of a deployed version as it was uploaded (process owners, managers)",
            "parameters": [
                *PROCESS_PATH,
                {"name": "version", "in": "path", "required": True, "schema": VERSION_NUMBER},
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "The file",
                    "content": {"application/xml": {"schema": {"type": "string"}}, "application/json": {"schema": {}}},
                },
                **_problems(401, 403, 404),
            },
        }
    },
    "/process-models/{process_id}/versions/{version}/current": {
        "post": {
            "summary": "Make a stored version current, e.g. one deployed from processes/ and held back (process owners)",
            "parameters": [
                *PROCESS_PATH,
                {"name": "version", "in": "path", "required": True, "schema": VERSION_NUMBER},
            ],
            "responses": {
                "200": _resp("Current", {"type": "object", "required": ["process_id", "version", "is_current"]}),
                **_problems(401, 403, 404),
            },
        }
    },
    "/process-instances/{id}/migrate": {
        "post": {
            "summary": "Dry-run (default) or migrate a running instance to another version (process owners)",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": VERSION_NUMBER}],
            "requestBody": _json_body(
                {
                    "type": "object",
                    "properties": {
                        "to_version": {**VERSION_NUMBER, "description": "default: the current version"},
                        "dry_run": {"type": "boolean", "default": True},
                    },
                }
            ),
            "responses": {
                "200": _resp("What would change, or what changed", {"$ref": "#/components/schemas/Migration"}),
                **_problems(401, 403, 404, 409, 422),
            },
        }
    },
    "/process-instances/migrate": {
        "post": {
            "summary": "Dry-run or migrate a selection of running instances of a process (process owners)",
            "requestBody": _json_body(
                {
                    "type": "object",
                    "required": ["process_id"],
                    "properties": {
                        "process_id": {"type": "string"},
                        "to_version": VERSION_NUMBER,
                        "instance_ids": {
                            "type": "array",
                            "items": VERSION_NUMBER,
                            "description": "default: every running instance on another version",
                        },
                        "dry_run": {"type": "boolean", "default": True},
                    },
                }
            ),
            "responses": {
                "200": _resp(
                    "One result per instance",
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Migration"}},
                            "migrated": {"type": "integer"},
                            "safe": {"type": "integer"},
                        },
                    },
                ),
                **_problems(401, 403, 404, 422),
            },
        }
    },
}
