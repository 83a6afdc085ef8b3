"""Liveness, readiness and metrics for load balancers and Prometheus: /healthz, /readyz, /metrics.

/healthz answers 200 as long as the process serves (it touches nothing). /readyz answers 200 only
when this process can do real work: the database answers, its schema is at the newest migration
this code knows, and the working calendar has the official schedule of this year and the next
(READY_REQUIRES_CALENDAR=false reports a missing year without failing). Otherwise 503 with the
reasons. None of them needs a token: keep them off the public side of the load balancer.
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
    """The process can serve: database reachable, migrations current, calendar data present."""
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
    from ..services.calendar_admin import years_needing_schedule

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
        current = is_current(rt.db)
        checks["migrations"] = {"ok": current}
        if not current:
            reasons.append("database schema is not at the newest migration: run `complaintflow init-db`")
    except Exception as exc:  # noqa: BLE001
        checks["migrations"] = {"ok": False, "error": exc.__class__.__name__}
        reasons.append(f"cannot read the schema version ({exc.__class__.__name__})")
    required = bool(rt.settings.get("READY_REQUIRES_CALENDAR", True))
    try:
        missing = years_needing_schedule(rt)
        checks["calendar"] = {"ok": not missing, "missing_years": missing, "required": required}
        if missing and required:
            reasons.append("official holiday schedule missing for " + ", ".join(map(str, missing))
                           + ": enter it (POST /api/v1/calendar/schedules)")
    except Exception as exc:  # noqa: BLE001
        checks["calendar"] = {"ok": False, "error": exc.__class__.__name__, "required": required}
        if required:
            reasons.append(f"cannot read the calendar ({exc.__class__.__name__})")
    return checks, reasons
