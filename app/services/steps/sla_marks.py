"""Mark every new timer and task deadline that depends on a year without official calendar data.

The projection (steps/projection.py) writes timer and human_task rows from the engine's state, which
knows due instants but not how they were computed; the write path (steps/write.py) hands it the
marker made here. A deadline is provisional when its step's limit is counted on the calendar
(working days, working hours, Civil Code days) and a year it spans, from the moment it was armed to
the deadline, has no official schedule yet. The projection is the only writer of timer rows and of
ready tasks' deadlines, so every deadline is marked in the transaction that creates it.
"""

from __future__ import annotations

from datetime import datetime

from ...domain.clock import local_date
from ...domain.sla import SEVERITIES
from ...engine import ProcessBundle
from ..runtime import Runtime


def marker(rt: Runtime, bundle: ProcessBundle | None = None):
    """The projection's marker of new deadlines: (step, armed_at, due_at) -> provisional?

    bundle: the instance's version, whose own step limits (slaLimit) may count on the calendar
    where the policy's do not, or the other way round.
    """
    return lambda step, start, due: is_provisional(rt, step, start, due, bundle)


def calendar_based(rt: Runtime, step: str | None, bundle: ProcessBundle | None = None) -> bool:
    """Tell whether a step's limit is counted on the working-day calendar (for any severity)."""
    if not step:
        return False
    try:
        limits = [rt.policy_of(bundle).limit(step, sev) for sev in SEVERITIES]
    except KeyError:
        return False
    return any(limit.working or limit.unit == "civil_days" for limit in limits)


def is_provisional(
    rt: Runtime, step: str | None, start: datetime, due: datetime | None, bundle: ProcessBundle | None = None
) -> bool:
    """Tell whether a deadline of a step, armed at start, depends on an unofficial year."""
    if due is None or not calendar_based(rt, step, bundle):
        return False
    calendar = rt.calendar
    first, last = local_date(start).year, local_date(max(start, due)).year
    return any(not calendar.is_official_year(y) for y in range(first, last + 1))
