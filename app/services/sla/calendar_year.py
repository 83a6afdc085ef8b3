"""A year of the working calendar at a glance: every day's status by month, for the calendar page."""

from __future__ import annotations

import calendar as gregorian
from datetime import date
from typing import Any


from ...models import CalendarYear
from . import calendar_admin
from ..runtime import Runtime


def _kind(is_workday: bool, day: date, name: str) -> str:
    """work | rest (an ordinary weekend) | holiday (a day off on a weekday, or a named one) | makeup (a weekend worked)."""
    weekend = day.weekday() >= 5
    if is_workday:
        return "makeup" if weekend else "work"
    return "holiday" if (name or not weekend) else "rest"


def year_at_a_glance(rt: Runtime, year: int) -> dict[str, Any]:
    """Each month as weeks of days (Monday first) with their kind and name, the year's totals and its status."""
    cal = rt.calendar
    months, totals = [], {"work": 0, "rest": 0, "holiday": 0, "makeup": 0}
    provisional = not cal.is_official_year(year)
    for month in range(1, 13):
        weeks = []
        for week in gregorian.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                st = cal.describe(day)
                kind = _kind(st.is_workday, day, st.name)
                totals[kind] += 1
                cells.append(
                    {
                        "day": day.day,
                        "iso": day.isoformat(),
                        "kind": kind,
                        "name": st.name,
                        "source": st.source,
                        "provisional": st.provisional,
                    }
                )
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    with rt.db.read() as s:
        entered = s.get(CalendarYear, year)
        provisional_open = calendar_admin.provisional_counts(s)
    return {
        "year": year,
        "months": months,
        "working_days": totals["work"] + totals["makeup"],
        "days_off": totals["rest"] + totals["holiday"],
        "holidays": totals["holiday"],
        "makeup_days": totals["makeup"],
        "state": "provisional" if provisional else ("entered" if entered is not None else "packaged"),
        "entered_at": entered.entered_at.isoformat() if entered is not None else None,
        "provisional_open": provisional_open,
        "needs_schedule": calendar_admin.years_needing_schedule(rt),
    }
