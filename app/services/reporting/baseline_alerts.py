"""A notice when a category's volume on a day departs from its seasonal baseline (domain/periodicity.departures):
the scheduler checks yesterday (a whole day: up or down) and today so far (only up: a count that can still grow
cannot yet be too low), records each departure once per day and category, and tells the managers
(``baseline_alert.notified``) through their in-app notices. A re-run, or a second scheduler, adds nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...domain.clock import local_date, local_midnight
from ...domain.periodicity import BASELINE_WEEKS, Departure, departures
from ...models import BaselineAlert
from ..notifications import staff
from ..runtime import Runtime
from .periodicity import daily_by_category

CHECK_SECONDS = 600  # the scheduler's period: a day's alert reaches the managers within ten minutes


def check_baselines(rt: Runtime) -> list[dict[str, Any]]:
    """Record and announce the departures of yesterday and today not yet recorded; return the new ones."""
    now = rt.clock.now()
    today = local_date(now)
    yesterday = today - timedelta(days=1)
    with rt.db.read() as s:
        counts = daily_by_category(
            s,
            local_midnight(yesterday - timedelta(days=7 * BASELINE_WEEKS)),
            local_midnight(today + timedelta(days=1)),
            [],
        )
    found = departures(counts, yesterday) + [d for d in departures(counts, today) if d.direction == "up"]
    new = []
    with rt.db.write() as s:
        managers = staff.holders_of(s, "baseline_alert.notified")
        for d in found:
            if _record(s, d, now):
                staff.notify(
                    s,
                    managers,
                    "baseline.alert",
                    f"baseline:{d.day.isoformat()}:{d.category}",
                    now,
                    url_kind="periodicity",
                    ref=d.day.isoformat(),
                    data=_data(d),
                )
                new.append(_data(d))
    return new


def _data(d: Departure) -> dict[str, Any]:
    return {
        "day": d.day.isoformat(),
        "category": d.category,
        "count": d.count,
        "baseline": d.baseline,
        "spread": d.spread,
        "direction": d.direction,
    }


def _record(s, d: Departure, now: datetime) -> bool:
    """Add the (day, category) alert; False when it is already recorded."""
    exists = s.scalar(select(BaselineAlert.id).where(BaselineAlert.day == d.day, BaselineAlert.category == d.category))
    if exists is not None:
        return False
    try:
        with s.begin_nested():
            s.add(
                BaselineAlert(
                    day=d.day,
                    category=d.category,
                    count=d.count,
                    baseline=d.baseline,
                    spread=d.spread,
                    direction=d.direction,
                    found_at=now,
                )
            )
            s.flush()
    except IntegrityError:
        return False
    return True


def recent_alerts(rt: Runtime, since: date) -> list[dict[str, Any]]:
    """The recorded alerts from ``since`` on, newest day first."""
    with rt.db.read() as s:
        rows = s.scalars(
            select(BaselineAlert)
            .where(BaselineAlert.day >= since)
            .order_by(BaselineAlert.day.desc(), BaselineAlert.category)
        ).all()
    return [
        {
            "day": r.day.isoformat(),
            "category": r.category,
            "count": r.count,
            "baseline": r.baseline,
            "spread": r.spread,
            "direction": r.direction,
            "found_at": r.found_at.isoformat(),
        }
        for r in rows
    ]
