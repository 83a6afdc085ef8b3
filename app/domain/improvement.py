"""Improvement actions (seed 000 5.2 整改, 9.2 and seed 004 3.2.5 改进措施): their fields, the status a change
may lead to, the due clock, and the before/after windows of their evaluation. Pure: no Flask, no database.

>>> may_move("open", "in_progress"), may_move("done", "open")
(True, False)
>>> evaluation_windows(date(2026, 3, 10), date(2026, 3, 20), 7)
((datetime.date(2026, 3, 3), datetime.date(2026, 3, 9)), (datetime.date(2026, 3, 21), datetime.date(2026, 3, 27)))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

from .clock import OPERATOR_ZONE
from .groups import ROUTING

CATEGORIES = tuple(ROUTING)  # the complaint categories an action may be about
STATUSES = ("open", "in_progress", "done", "evaluated", "cancelled")
# open → in progress → done → evaluated; cancelled from any state before done. Done may go back to
# in progress when the measure turns out not to hold (before it is evaluated).
TRANSITIONS: Mapping[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "cancelled"}),
    "in_progress": frozenset({"done", "cancelled"}),
    "done": frozenset({"in_progress", "evaluated"}),
    "evaluated": frozenset(),
    "cancelled": frozenset(),
}
OWNER_MOVES = frozenset({("open", "in_progress"), ("in_progress", "done")})  # the owner reports progress
CLOCK_RUNS = frozenset({"open", "in_progress"})  # done, evaluated or cancelled: nothing is due any more
WARN_DAYS = 3  # the owner hears "due soon" this many days before the due date ends
WINDOW_DAYS = (7, 365)  # the evaluation windows: at least a week (the weekly cycle), at most a year
DEFAULT_WINDOW_DAYS = 30
LIMITS = {"title": 200, "root_cause": 4000, "measure": 4000, "progress": 4000}
MAX_COMPLAINTS = 50


def may_move(old: str, new: str) -> bool:
    """Whether a status may follow another."""
    return new in TRANSITIONS.get(old, frozenset())


def due_instants(due_date: date) -> tuple[datetime, datetime]:
    """(due at, warn at): the due day ends at 24:00 local; the warning comes WARN_DAYS before that."""
    due = datetime.combine(due_date + timedelta(days=1), time(0), OPERATOR_ZONE)
    return due, due - timedelta(days=WARN_DAYS)


@dataclass(frozen=True)
class ClockState:
    state: str  # "none" (not running) | "on_time" | "due_soon" | "overdue"
    seconds_left: int | None


def clock_state(status: str, due_at: datetime, warn_at: datetime, now: datetime) -> ClockState:
    """Where an action's due clock stands at ``now``."""
    if status not in CLOCK_RUNS:
        return ClockState("none", None)
    left = int((due_at - now).total_seconds())
    if now >= due_at:
        return ClockState("overdue", left)
    return ClockState("due_soon" if now >= warn_at else "on_time", left)


def evaluation_windows(started: date, done: date, days: int) -> tuple[tuple[date, date], tuple[date, date]]:
    """The ``days`` local days before the action started and as many after it was done (both inclusive)."""
    before = (started - timedelta(days=days), started - timedelta(days=1))
    after = (done + timedelta(days=1), done + timedelta(days=days))
    return before, after


def check_fields(values: Mapping[str, Any], *, creating: bool) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The fields of a new or edited action, cleaned, and an error per bad field (naming it)."""
    out: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    required = ("title", "category", "root_cause", "measure", "owner_id", "due_date") if creating else ()
    for name in required:
        if values.get(name) in (None, ""):
            errors.append({"field": name, "message": "required", "code": "field.required"})
    for name, limit in LIMITS.items():
        if name in values and values[name] is not None:
            text = values[name]
            if not isinstance(text, str):
                errors.append({"field": name, "message": "text expected", "code": "field.text"})
            elif len(text.strip()) > limit:
                errors.append(
                    {
                        "field": name,
                        "message": f"at most {limit} characters",
                        "code": "field.too_long",
                        "params": {"n": limit},
                    }
                )
            elif text.strip() or name == "progress":
                out[name] = text.strip()
            elif not any(e["field"] == name for e in errors):  # blank is missing, whether new or edited
                errors.append({"field": name, "message": "required", "code": "field.required"})
    if values.get("category") not in (None, ""):
        if values["category"] not in CATEGORIES:
            errors.append({"field": "category", "message": "one of " + ", ".join(CATEGORIES), "code": "field.choose"})
        else:
            out["category"] = values["category"]
    if values.get("owner_id") not in (None, ""):
        owner = _whole(values["owner_id"])
        if owner is None or owner < 1:
            errors.append({"field": "owner_id", "message": "a user id", "code": "improvement.unknown_owner"})
        else:
            out["owner_id"] = owner
    if values.get("due_date") not in (None, ""):
        due = _day(values["due_date"])
        if due is None:
            errors.append(
                {"field": "due_date", "message": "a date like 2026-03-31, from 2000 to 2099", "code": "report.bad_date"}
            )
        else:
            out["due_date"] = due
    if values.get("window_days") not in (None, ""):
        days = _whole(values["window_days"])
        if days is None or not WINDOW_DAYS[0] <= days <= WINDOW_DAYS[1]:
            errors.append(
                {
                    "field": "window_days",
                    "message": f"whole days from {WINDOW_DAYS[0]} to {WINDOW_DAYS[1]}",
                    "code": "improvement.bad_window",
                    "params": {"low": WINDOW_DAYS[0], "high": WINDOW_DAYS[1]},
                }
            )
        else:
            out["window_days"] = days
    if "complaints" in values and values["complaints"] is not None:
        numbers = values["complaints"]
        if isinstance(numbers, str):
            numbers = [n for n in numbers.replace(",", " ").split() if n]
        if not isinstance(numbers, list) or not all(isinstance(n, str) and 0 < len(n) <= 32 for n in numbers):
            errors.append(
                {"field": "complaints", "message": "a list of complaint numbers", "code": "improvement.bad_complaints"}
            )
        elif len(numbers) > MAX_COMPLAINTS:
            errors.append(
                {
                    "field": "complaints",
                    "message": f"at most {MAX_COMPLAINTS} complaints",
                    "code": "improvement.too_many_complaints",
                    "params": {"n": MAX_COMPLAINTS},
                }
            )
        else:
            out["complaints"] = sorted(set(numbers))
    return out, errors


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value < 2**31 else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        return int(value.strip())
    return None


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        d = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return d if date(2000, 1, 1) <= d <= date(2099, 12, 31) else None
