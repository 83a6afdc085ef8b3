"""Volume by hour of day × weekday for the period, and the categories whose volume on a day departs from its
seasonal baseline (domain/periodicity.py). Read by managers like the dashboard (``report.read``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, cast, func, select

from ...domain.actors import Viewer
from ...domain.clock import local_midnight
from ...domain.periodicity import BASELINE_WEEKS, departures
from ...models import Complaint
from ..runtime import Runtime
from .dashboard import ReportFilter, _cached, _pg, _scope, local_day
from .search import require_auditor


def periodicity(rt: Runtime, viewer: Viewer, f: ReportFilter, day: date) -> dict[str, Any]:
    """The period's hour × weekday counts, and the categories departing from their baseline on ``day``."""
    require_auditor(viewer)
    return _cached(rt, ("periodicity", f, day), lambda: _periodicity(rt, f, day))


def _periodicity(rt: Runtime, f: ReportFilter, day: date) -> dict[str, Any]:
    start, end = local_midnight(f.date_from), local_midnight(f.date_to + timedelta(days=1))
    first = local_midnight(day - timedelta(days=7 * BASELINE_WEEKS))
    with rt.db.read() as s:
        weekday, hour = local_weekday_hour(s, Complaint.created_at)
        grid = [[0] * 24 for _ in range(7)]
        for w, h, n in s.execute(
            select(weekday, hour, func.count())
            .where(Complaint.created_at >= start, Complaint.created_at < end, *_scope(f))
            .group_by(weekday, hour)
        ):
            grid[int(w)][int(h)] = int(n)
        by_category = daily_by_category(s, first, local_midnight(day + timedelta(days=1)), _scope(f))
    return {
        "filters": f.params(),
        "day": day.isoformat(),
        "baseline_weeks": BASELINE_WEEKS,
        "hour_weekday": grid,
        "alerts": [asdict(d) | {"day": d.day.isoformat()} for d in departures(by_category, day)],
    }


def local_weekday_hour(s, column) -> tuple[Any, Any]:
    """The operator's local weekday (0 = Monday, as domain/periodicity.hour_weekday counts) and hour of an instant.

    Counted by the database: a quarter's 47,000 registration times read one by one into Python took about a
    second at 100,000 complaints. Asia/Shanghai is UTC+8 all year, as dashboard.local_day reads it.
    """
    if _pg(s):
        local = func.timezone("Asia/Shanghai", column)
        return cast(func.extract("isodow", local), Integer) - 1, cast(func.extract("hour", local), Integer)
    weekday = (cast(func.strftime("%w", column, "+8 hours"), Integer) + 6) % 7  # %w: 0 = Sunday
    return weekday, cast(func.strftime("%H", column, "+8 hours"), Integer)


def daily_by_category(s, first: datetime, end: datetime, scope: list) -> dict[str, dict[date, int]]:
    """Complaints registered in [first, end) by category ('' for none yet) and local day: the baseline's counts."""
    day = local_day(s, Complaint.created_at)
    rows = s.execute(
        select(Complaint.category, day, func.count())
        .where(Complaint.created_at >= first, Complaint.created_at < end, *scope)
        .group_by(Complaint.category, day)
    ).all()
    by_category: dict[str, dict[date, int]] = {}
    for category, d, n in rows:
        counts = by_category.setdefault(category or "", {})
        counts[date.fromisoformat(d)] = counts.get(date.fromisoformat(d), 0) + int(n)  # NULL and '' are one
    return by_category
