"""GET /openapi.json: the OpenAPI 3.1 document of this API (a test keeps it in step with the routes).

The document is assembled from one module per audience: core (sign-in, instances, complaints, tasks), sla,
managers, operations, owners; the fragments they share are in schema_parts. branches.py adds its own part.
"""

from __future__ import annotations

from flask import jsonify

from .. import bp
from . import core, managers, operations, owners, sla
from .schema_parts import (
    ANY_OBJ,
    ID_PATH,
    IDEMPOTENCY_KEY,
    OBJ,
    PROBLEM,
    PROBLEM_SCHEMA,
    REASON,
    REQUEST_PATH,
    SLA_STATES,
    TASK_PATH,
    _json_body,
    _problems,
    _q,
    _resp,
)

# Re-exported: route modules outside this package (branches.py) build their parts of the document from these.
__all__ = [
    "DOCUMENT",
    "openapi",
    "ANY_OBJ",
    "ID_PATH",
    "IDEMPOTENCY_KEY",
    "OBJ",
    "PROBLEM",
    "PROBLEM_SCHEMA",
    "REASON",
    "REQUEST_PATH",
    "SLA_STATES",
    "TASK_PATH",
    "_json_body",
    "_problems",
    "_q",
    "_resp",
]

_PARTS = (core, sla, managers, operations, owners)


def _assemble() -> dict:
    """Build the document from each part's SCHEMAS and PATHS."""
    schemas: dict = {"Problem": PROBLEM_SCHEMA}
    paths: dict = {}
    for part in _PARTS:
        for name, schema in getattr(part, "SCHEMAS", {}).items():
            if name in schemas:
                raise ValueError(f"OpenAPI schema {name!r} is defined twice ({part.__name__})")
            schemas[name] = schema
        # parts may share a path (managers search GET /process-instances, core starts one with POST) but not a method
        for path, item in part.PATHS.items():
            merged = paths.setdefault(path, {})
            if clash := item.keys() & merged.keys():
                raise ValueError(f"OpenAPI {path} {sorted(clash)} documented twice ({part.__name__})")
            merged.update(item)
    return {
        "openapi": "3.1.0",
        "info": {"title": "complaintflow API", "version": "1", "description": "Telecom complaint handling on BPMN."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas},
        "paths": paths,
    }


# Module-level and mutable because branches.py adds its routes and schemas to it when it is imported.
DOCUMENT = _assemble()


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document."""
    return jsonify(operations.add_operational_responses(DOCUMENT))
