"""The dashboard's figures that are computed in Python, defined once (docs/metrics.md is their glossary).

The roll-up contributions (services/steps/counts.py) define the figures that are summed in SQL; this
module holds those that are decided per complaint after the query. Pure: no Flask, no database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from .reporting import MAX_REPEAT_WINDOW_DAYS

# The steps that give the customer the result: the first one completed is the reply.
REPLY_STEPS = ("feedback", "outage_wait")  # outage_wait: the incident's common answer (special_outage.bpmn)

# The survey's four ratings, 1-5 (seed 000, 8.1.4): timeliness, staff attitude, the result, the whole process.
SURVEY_RATINGS = ("rating_timeliness", "rating_attitude", "rating_result", "rating_process")

# 已解决 as the customer confirmed it on the return visit; any other closure is "closed with a stated reason".
CONFIRMED_SOLVED = ("satisfied", "basically_satisfied")

_DAY = timedelta(days=1)

# Breached complaints with no overdue step: only the first-reply (48 h) or final-reply (15 日) clock is past due.
COMPLAINT_CLOCK = {"element_id": "complaint_clock", "name": "全程答复时限"}


def breached_by_step(overdue: Iterable[tuple[int, str, str, datetime]], breached: int) -> list[dict[str, Any]]:
    """Each breached complaint once, under its longest-overdue ready step, or under the complaint-wide reply clock
    when no step is overdue: the rows add up to "breached now" (a complaint on two parallel steps counts once).

    ``overdue`` holds (instance id, step id, step name, due at) of the breached complaints' overdue ready steps.
    """
    oldest: dict[int, tuple[str, str, datetime]] = {}
    for instance_id, element_id, name, due_at in overdue:
        if instance_id not in oldest or due_at < oldest[instance_id][2]:
            oldest[instance_id] = (element_id, name, due_at)
    rows: dict[str, dict[str, Any]] = {}
    for element_id, name, _ in oldest.values():
        row = rows.setdefault(element_id, {"element_id": element_id, "name": name, "count": 0})
        row["count"] += 1
    if breached > len(oldest):
        rows[COMPLAINT_CLOCK["element_id"]] = COMPLAINT_CLOCK | {"count": breached - len(oldest)}
    return sorted(rows.values(), key=lambda r: (-r["count"], r["element_id"]))


def rate(part: int, whole: int) -> float | None:
    """part / whole to four places; None (shown "—") when nothing can be measured, never 0%."""
    return round(part / whole, 4) if whole else None


NO_GAP = -1  # no earlier complaint of the same customer and category within MAX_REPEAT_WINDOW_DAYS


def repeat_gap(previous: datetime | None, created_at: datetime) -> int:
    """Whole days, rounded up, since the customer's previous complaint of the same category; NO_GAP when there is
    none (or none within a year, or no category yet). For a window of W days, 1 <= gap <= W exactly when
    created_at - previous <= W days."""
    if previous is None or previous >= created_at:
        return NO_GAP
    days = -((previous - created_at) // _DAY)  # ceiling, in exact integer arithmetic
    return days if days <= MAX_REPEAT_WINDOW_DAYS else NO_GAP


def is_repeat(gap: int, reopened: bool, window_days: int) -> bool:
    """重复投诉, the one definition: the same customer (phone) complained about the same category within the
    repeat window before (config/flow.toml [repeat] window_days; ``gap`` from repeat_gap), or the complaint was
    reopened after an unsatisfied return visit (handled again: seed 004, 3.2).

    The repeat rate counts these (from the gap and the reopening kept in the roll-ups, services/steps/counts.py),
    classification sets the complaint's ``is_repeat`` flag by them (services/steps/branch_effects.py), and the
    workspace's hint shows them (services/tasks/workspace.py).
    """
    return reopened or 1 <= gap <= window_days


def previous_of(at: datetime, category: str | None, earlier: Iterable[tuple[datetime, str | None]]) -> datetime | None:
    """The latest of the customer's complaints (registered at, category) before ``at`` in the same category."""
    if not category:
        return None
    times = [when for when, cat in earlier if cat == category and when < at]
    return max(times) if times else None


def first_contact_resolved(closed: bool, handling_rounds: int, transfers: int = 0, returns: int = 0) -> bool:
    """一次性解决: closed after exactly one handling round, with no task of the complaint transferred (转派) or
    returned to the dispatchers (退单).

    A complaint reopened after an unsatisfied return visit is handled again (two rounds); one closed with no
    handling at all (a fraud report passed to the police, a supervisor's closure before handling) was not
    resolved by us at first contact; one whose task was passed to another person or group, or sent back as
    the wrong department, was not resolved by the first who held it. None of these count.
    """
    return closed and handling_rounds == 1 and transfers == 0 and returns == 0
