"""Volume by hour of day × weekday for the period, and the categories whose volume on a day departs from its
seasonal baseline (domain/periodicity.py). Read by managers like the dashboard (``report.read``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ...domain.actors import Viewer
from ...domain.clock import OPERATOR_ZONE, local_date, local_midnight
from ...domain.periodicity import BASELINE_WEEKS, departures, hour_weekday
from ...models import Complaint
from ..runtime import Runtime
from .dashboard import ReportFilter, _cached, _scope
from .search import require_auditor


def periodicity(rt: Runtime, viewer: Viewer, f: ReportFilter, day: date) -> dict[str, Any]:
    """The period's hour × weekday counts, and the categories departing from their baseline on ``day``."""
    require_auditor(viewer)
    return _cached(rt, ("periodicity", f, day), lambda: _periodicity(rt, f, day))


def _periodicity(rt: Runtime, f: ReportFilter, day: date) -> dict[str, Any]:
    start, end = local_midnight(f.date_from), local_midnight(f.date_to + timedelta(days=1))
    first = local_midnight(day - timedelta(days=7 * BASELINE_WEEKS))
    with rt.db.read() as s:
        times = s.scalars(
            select(Complaint.created_at).where(Complaint.created_at >= start, Complaint.created_at < end, *_scope(f))
        ).all()
        by_category = daily_by_category(s, first, local_midnight(day + timedelta(days=1)), _scope(f))
    return {
        "filters": f.params(),
        "day": day.isoformat(),
        "baseline_weeks": BASELINE_WEEKS,
        "hour_weekday": hour_weekday(at.astimezone(OPERATOR_ZONE) for at in times),
        "alerts": [asdict(d) | {"day": d.day.isoformat()} for d in departures(by_category, day)],
    }


def daily_by_category(s, first: datetime, end: datetime, scope: list) -> dict[str, dict[date, int]]:
    """Complaints registered in [first, end) by category ('' for none yet) and local day: the baseline's counts."""
    rows = s.execute(
        select(Complaint.category, Complaint.created_at).where(
            Complaint.created_at >= first, Complaint.created_at < end, *scope
        )
    ).all()
    by_category: dict[str, dict[date, int]] = {}
    for category, at in rows:
        counts = by_category.setdefault(category or "", {})
        d = local_date(at)
        counts[d] = counts.get(d, 0) + 1
    return by_category
