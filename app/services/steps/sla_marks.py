"""Mark every new timer and task deadline that depends on a year without official calendar data.

The projection (steps/projection.py) writes timer and human_task rows from the engine's state, which
knows due instants but not how they were computed; it asks the marker installed here. A
deadline is provisional when its step's limit is counted on the calendar (working days, working hours, Civil Code days) and a year it
spans, from the moment it was armed to the deadline, has no official schedule yet. Rows added
through the ORM elsewhere are marked by a hook before each flush of a write session, so every
row is marked in the transaction that creates it.
"""
from __future__ import annotations

from datetime import datetime

from ...domain.clock import local_date
from ...domain.sla import SEVERITIES
from ...models import HumanTask, Timer
from ..runtime import Runtime


def install(rt: Runtime) -> None:
    """Give write sessions the deadline marker the projection calls, and a hook for ORM-added rows."""
    from .projection import DEADLINE_MARKER

    rt.db.configure_writes(info={DEADLINE_MARKER: lambda step, start, due: is_provisional(rt, step, start, due)})
    rt.db.listen_writes("before_flush", lambda session, _ctx, _objs: _mark(rt, session))


def calendar_based(rt: Runtime, step: str | None) -> bool:
    """Tell whether a step's limit is counted on the working-day calendar (for any severity)."""
    if not step:
        return False
    try:
        limits = [rt.policy.limit(step, sev) for sev in SEVERITIES]
    except KeyError:
        return False
    return any(limit.working or limit.unit == "civil_days" for limit in limits)


def is_provisional(rt: Runtime, step: str | None, start: datetime, due: datetime | None) -> bool:
    """Tell whether a deadline of a step, armed at start, depends on an unofficial year."""
    if due is None or not calendar_based(rt, step):
        return False
    calendar = rt.calendar
    first, last = local_date(start).year, local_date(max(start, due)).year
    return any(not calendar.is_official_year(y) for y in range(first, last + 1))


def _mark(rt: Runtime, session) -> None:
    new_timers = [o for o in session.new if isinstance(o, Timer)]
    new_tasks = [o for o in session.new if isinstance(o, HumanTask)]
    if not new_timers and not new_tasks:
        return
    now = rt.clock.now()
    flagged: set[tuple[int, str]] = set()
    for timer in new_timers:
        details = dict(timer.details or {})
        details.setdefault("armed_at", now.isoformat())
        timer.details = details
        timer.provisional = is_provisional(rt, timer.sla_step, now, timer.due_at)
        if timer.provisional and timer.kind == "breach" and timer.attached_to:
            flagged.add((timer.instance_id, timer.attached_to))
    # The projection may have flushed the task rows before it added their timers (autoflush).
    tasks = [*new_tasks, *(o for o in session.identity_map.values() if isinstance(o, HumanTask) and o.state == "ready")]
    for task in tasks:
        if (task.instance_id, task.element_id) in flagged:
            task.due_provisional = True
        elif task in new_tasks:
            task.due_provisional = False
