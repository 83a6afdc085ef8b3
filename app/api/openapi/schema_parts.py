"""Fragments every part of the OpenAPI document shares: response and parameter builders, the Problem shape, common ids."""

from __future__ import annotations

PROBLEM = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["status", "title", "detail"],
    "properties": {
        "type": {"type": "string"},
        "status": {"type": "integer"},
        "title": {"type": "string"},
        "detail": {"type": "string", "description": "what went wrong, in English"},
        "code": {
            "type": "string",
            "description": "the message's code when the service names one (task.not_your_group): a client shows "
            "its own text for it, in the reader's language; absent when there is none yet",
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string", "description": "the message's code, when the service names one"},
                    "params": {"type": "object", "description": "the values the coded message mentions"},
                },
            },
        },
        "request_id": {"type": "string", "description": "the request's id (X-Request-ID), also in the server's logs"},
    },
}


def _resp(description: str, schema: dict | None = None, content_type: str = "application/json") -> dict:
    """A response: its description, and a body of `schema` when one is given."""
    out: dict = {"description": description}
    if schema is not None:
        out["content"] = {content_type: {"schema": schema}}
    return out


def _problems(*codes: int) -> dict:
    """The problem+json responses for these status codes, keyed by code."""
    names = {
        400: "Bad request",
        401: "Not signed in",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        413: "Body larger than MAX_UPLOAD_MB",
        422: "Invalid input",
        429: "Too many tries; wait Retry-After seconds",
        503: "Database unavailable; retry after Retry-After seconds (same Idempotency-Key)",
    }
    return {str(c): _resp(names[c], PROBLEM, "application/problem+json") for c in codes}


def _json_body(schema: dict) -> dict:
    """A required JSON request body of `schema`."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _q(name: str, schema: dict) -> dict:
    """An optional query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema}


OBJ = {"type": "object"}
ANY_OBJ = {"type": "object", "additionalProperties": True}
ID_PATH = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}
TASK_PATH = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}]
REQUEST_PATH = [{"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}]
SLA_STATES = ("on_time", "warning", "breached", "paused", "met", "none")
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A key the client picks per intended effect (a UUID). A retry with the same key and request gets the "
    "first answer (header Idempotent-Replayed: true), never a second effect; the same key with a different "
    "request gets 422. Keys belong to the caller and are kept IDEMPOTENCY_HOURS.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
