"""Before and after an improvement action: its category's volume and satisfaction over the window before it
started and the window of the same length after it was done, read with the dashboard's own figures
(dashboard._by_day over the daily roll-ups: registered, and satisfied + basically satisfied / answered)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ...domain.clock import local_date
from ...domain.improvement import evaluation_windows
from ...domain.metrics import rate
from ...models import ImprovementAction
from .dashboard import ReportFilter, _by_day


def _figures(s, category: str, first: date, last: date, window_days: int) -> dict[str, Any]:
    figures = _by_day(s, ReportFilter(first, last, category=category), window_days)
    sat = figures["satisfaction"]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "registered": figures["resolution"]["registered"],
        "answered": sat["answered"],
        "satisfied": sat["satisfied"] + sat["basically_satisfied"],
        "satisfaction_rate": sat["rate"],
    }


def evaluate(s, action: ImprovementAction, today: date, repeat_window_days: int) -> dict[str, Any] | None:
    """The before window once the action started; the after window once it is done (``complete`` when it has
    ended before today). None before the action started."""
    if action.started_at is None:
        return None
    started = local_date(action.started_at)
    done = local_date(action.done_at) if action.done_at is not None else today
    (b_from, b_to), (a_from, a_to) = evaluation_windows(started, done, action.window_days)
    out: dict[str, Any] = {
        "window_days": action.window_days,
        "before": _figures(s, action.category, b_from, b_to, repeat_window_days),
        "after": None,
        "complete": False,
    }
    if action.done_at is not None:
        shown_to = min(a_to, today)
        after = (
            _figures(s, action.category, a_from, shown_to, repeat_window_days)
            if shown_to >= a_from
            else {
                "from": a_from.isoformat(),
                "to": a_to.isoformat(),
                "registered": 0,
                "answered": 0,
                "satisfied": 0,
                "satisfaction_rate": None,
            }
        )
        after["to"] = a_to.isoformat()
        after["until"] = shown_to.isoformat() if shown_to >= a_from else None
        out["after"] = after
        out["complete"] = today > a_to
        before = out["before"]
        out["volume_change"] = after["registered"] - before["registered"]
        out["volume_change_rate"] = rate(after["registered"] - before["registered"], before["registered"])
        out["satisfaction_change"] = (
            round(after["satisfaction_rate"] - before["satisfaction_rate"], 4)
            if after["satisfaction_rate"] is not None and before["satisfaction_rate"] is not None
            else None
        )
    return out
