"""Operations: health, readiness and metrics at the root, and the errors any call may get."""

from __future__ import annotations

from .schema_parts import _problems, _resp

_ROOT = [{"url": "/"}]  # these three live outside /api/v1
_CHECK = {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}, "additionalProperties": True}
_READINESS = {
    "type": "object",
    "required": ["status", "checks", "reasons"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not ready"]},
        "checks": {"type": "object", "additionalProperties": _CHECK},
        "reasons": {"type": "array", "items": {"type": "string"}},
    },
}

PATHS = {
    "/healthz": {
        "servers": _ROOT,
        "get": {
            "summary": "Liveness: the process serves (touches nothing else)",
            "security": [],
            "responses": {
                "200": _resp(
                    "Alive",
                    {
                        "type": "object",
                        "required": ["status"],
                        "properties": {"status": {"type": "string", "const": "ok"}},
                    },
                )
            },
        },
    },
    "/readyz": {
        "servers": _ROOT,
        "get": {
            "summary": "Readiness: database reachable, migrations current, this and next year's holiday schedule present",
            "security": [],
            "responses": {"200": _resp("Ready", _READINESS), "503": _resp("Not ready; reasons lists why", _READINESS)},
        },
    },
    "/metrics": {
        "servers": _ROOT,
        "get": {
            "summary": "Prometheus metrics of this host's processes and gauges read from the database",
            "security": [],
            "responses": {"200": _resp("Text exposition format 0.0.4", {"type": "string"}, "text/plain")},
        },
    },
}


def add_operational_responses(document: dict) -> dict:
    """Add what any call may answer: 503 while the database is away, 413 for a body over MAX_UPLOAD_MB.

    Run when the document is served, so operations documented after this package is assembled (branches.py adds
    its own) get them too.
    """
    for path, item in document["paths"].items():
        for method, op in item.items():
            # /healthz and /metrics never touch the database; /readyz documents its own 503
            if method in ("get", "post", "put", "patch", "delete") and path not in ("/healthz", "/metrics"):
                op["responses"].setdefault("503", _problems(503)["503"])
                if "requestBody" in op:
                    op["responses"].setdefault("413", _problems(413)["413"])
    return document
