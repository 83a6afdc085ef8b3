"""Liveness, readiness and metrics for load balancers and Prometheus: /healthz, /readyz, /metrics.

/healthz answers 200 as long as the process serves (it touches nothing). /readyz answers 200 only
when this process can serve requests: the database answers and its schema is at the newest
migration this code knows. Otherwise 503 with the reasons. Nothing else decides readiness: a
balancer drains a host that fails it, and a state every host shares (next year's holiday schedule
not entered yet) would drain them all at once. That state is a warning for the people who keep
the calendar: /metrics, /api/v1/calendar/status, the owners' pages and the start-up log say it.
None of them needs a token: keep them off the public side of the load balancer.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from . import metrics

bp = Blueprint("ops", __name__)


def _rt():
    return current_app.extensions["complaintflow"]


@bp.get("/healthz")
def healthz():
    """The process is alive."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """The process can serve: database reachable, migrations current."""
    checks, reasons = readiness(_rt())
    body = {"status": "ready" if not reasons else "not ready", "checks": checks, "reasons": reasons}
    response = jsonify(body)
    if reasons:
        response.status_code = 503
        response.headers["Retry-After"] = "5"
    return response


@bp.get("/metrics")
def prometheus_metrics():
    """Prometheus text exposition."""
    payload, content_type = metrics.exposition(_rt())
    return Response(payload, content_type=content_type)


def readiness(rt) -> tuple[dict[str, Any], list[str]]:
    """Run every check; return their results and the reasons the process is not ready (empty when it is)."""
    from ..migrate import is_current

    checks: dict[str, Any] = {}
    reasons: list[str] = []
    try:
        with rt.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure to reach it is the answer
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
        reasons.append(f"database unreachable ({exc.__class__.__name__})")
        return checks, reasons  # the other checks read the database too
    try:
        ok, state = schema_state(rt.db, is_current)
        checks["migrations"] = {"ok": ok, "state": state}
        if not ok:
            reasons.append(state)
    except Exception as exc:  # noqa: BLE001
        checks["migrations"] = {"ok": False, "error": exc.__class__.__name__}
        reasons.append(f"cannot read the schema version ({exc.__class__.__name__})")
    return checks, reasons


def schema_state(db, is_current) -> tuple[bool, str]:
    """Whether this code can run on the database's schema, and why.

    At this code's newest migration: ready. Behind it: not ready (the code would miss columns).
    At a revision this code does not know: a newer release has expanded the schema during a
    rolling upgrade (docs/deploy.md), which old code tolerates by the expand/contract rule: ready.
    """
    if is_current(db):
        return True, "current"
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from ..migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(db.url))
    with db.engine.connect() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None:
        return False, "the database has no schema: run `complaintflow init-db`"
    try:
        script.get_revision(revision)
    except Exception:  # noqa: BLE001 - alembic names an unknown revision in several ways
        return True, f"database at {revision}, newer than this code (rolling upgrade in progress)"
    return False, (
        f"database schema at {revision}, behind this code's {script.get_current_head()}: run `complaintflow init-db`"
    )
