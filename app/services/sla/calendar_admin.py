"""Process owners keep the working-day calendar: import a year's official schedule, add or remove a day.

Importing a year's State Council notice marks the year official, replaces the overrides the
previous import of that year set, and recomputes every open provisional deadline: each waiting
(or held) SLA timer is evaluated again from the instant it was armed, its pauses and extensions
re-applied, the engine's timer re-set, and the task and complaint rows follow.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from ...domain.calendar import PACKAGED_YEARS, Deadline
from ...domain.holiday_notice import NoticeError, parse_notice
from ...domain.statutory_holidays import notice_problems
from ...errors import Forbidden, Invalid, NotFound
from ...models import CalendarOverride, CalendarRevision, CalendarYear, Complaint, HumanTask, Timer
from . import deadlines
from ..steps import sla_marks
from ..audit.log import AuditLog
from ...domain.actors import SYSTEM
from ..runtime import Runtime
from ...domain.actors import Viewer


def _require_owner(viewer: Viewer) -> None:
    if not viewer.can("calendar.edit"):
        raise Forbidden("only process owners change the calendar", code="calendar.not_owner")


def years_needing_schedule(rt: Runtime) -> list[int]:
    """This year and the next when their official schedule is still missing (a warning, never an outage)."""
    return rt.calendar.years_needing_schedule(rt.clock.now())


def provisional_counts(s) -> dict[str, int]:
    """Open deadlines that depend on a year without official data: task dues, SLA timers, complaint clocks."""
    return {
        "tasks": s.scalar(select(func.count()).where(HumanTask.state == "ready", HumanTask.due_provisional.is_(True)))
        or 0,
        "timers": s.scalar(
            select(func.count()).where(Timer.provisional.is_(True), Timer.status.in_(deadlines.OPEN_STATUSES))
        )
        or 0,
        "complaints": s.scalar(
            select(func.count()).where(Complaint.status == "open", Complaint.clocks_provisional.is_(True))
        )
        or 0,
    }


def status(rt: Runtime) -> dict[str, Any]:
    """The calendar's health for people and monitors: missing years, provisional deadlines, what to do."""
    missing = years_needing_schedule(rt)
    with rt.db.read() as s:
        provisional = provisional_counts(s)
    return {
        "today": rt.clock.now().isoformat(),
        "ok": not missing,
        "needs_schedule": missing,
        "packaged_years": [PACKAGED_YEARS.start, PACKAGED_YEARS.stop - 1],
        "provisional": provisional,
        "action": (
            f"enter the State Council holiday notice for {', '.join(map(str, missing))} on the calendar "
            "page (/calendar) or POST /api/v1/calendar/schedules; until then deadlines in those years are "
            "provisional"
            if missing
            else ""
        ),
    }


def startup_warning(rt: Runtime) -> str | None:
    """The line a process logs at start while a year's schedule is missing (None when all is entered)."""
    try:
        missing = years_needing_schedule(rt)
    except Exception as exc:  # noqa: BLE001 - start-up never fails on a warning's own failure
        return f"calendar: cannot read the holiday schedule ({exc.__class__.__name__})"
    if not missing:
        return None
    return (
        f"calendar: the official holiday schedule for {', '.join(map(str, missing))} is not entered; "
        "deadlines in those years are provisional (weekends and estimated statutory holidays). "
        "A process owner enters the State Council notice on the calendar page (/calendar)."
    )


def overview(rt: Runtime, year: int | None = None) -> dict[str, Any]:
    """The overrides (of one year, or all), the official years and the years still needing a schedule."""
    q = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        q = q.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    with rt.db.read() as s:
        items = [
            {
                "day": o.day.isoformat(),
                "is_workday": o.is_workday,
                "name": o.name,
                "source": o.source,
                "changed_at": o.changed_at.isoformat(),
            }
            for o in s.scalars(q)
        ]
        entered = sorted(s.scalars(select(CalendarYear.year)))
    return {
        "items": items,
        "packaged_years": [PACKAGED_YEARS.start, PACKAGED_YEARS.stop - 1],
        "entered_years": entered,
        "needs_schedule": years_needing_schedule(rt),
    }


NOTICE_FORMS = ("auto", "text", "csv", "json")


def import_schedule(rt: Runtime, viewer: Viewer, year: Any, text: Any, form: Any = "auto") -> dict[str, Any]:
    """Enter a year's complete official schedule from the notice (text, CSV or JSON), then recompute.

    An incomplete notice is refused with one error per missing holiday or make-up day, and changes nothing.
    """
    _require_owner(viewer)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise Invalid(
            "bad year", [{"field": "year", "message": "a year between 2000 and 2100", "code": "calendar.bad_year"}]
        )
    if not isinstance(text, str) or not text.strip():
        raise Invalid(
            "the notice text is required", [{"field": "text", "message": "required", "code": "field.required"}]
        )
    if form not in NOTICE_FORMS:
        raise Invalid(
            "bad form", [{"field": "form", "message": "one of " + ", ".join(NOTICE_FORMS), "code": "field.choose"}]
        )
    try:
        days = parse_notice(text, year, form)
    except NoticeError as exc:
        raise Invalid(
            "the notice cannot be read",
            [{"field": "text", "message": str(exc), "code": exc.code, "params": exc.params}],
        ) from exc
    if not days:
        raise Invalid(
            "the notice sets no day",
            [{"field": "text", "message": "no holiday or workday found", "code": "calendar.no_day"}],
        )
    problems = notice_problems(days, year)
    if problems:
        raise Invalid(
            f"the {year} notice is incomplete: " + "; ".join(p.message for p in problems),
            [
                {
                    "field": "text",
                    "message": p.message,
                    "code": p.code,
                    "params": p.params,
                    **({"holiday": p.holiday} if p.holiday else {}),
                }
                for p in problems
            ],
        )
    now = rt.clock.now()
    with rt.db.write() as s:
        s.execute(
            delete(CalendarOverride).where(
                CalendarOverride.source == "notice",
                CalendarOverride.day >= date(year, 1, 1),
                CalendarOverride.day <= date(year, 12, 31),
            )
        )
        s.execute(delete(CalendarOverride).where(CalendarOverride.day.in_([d.day for d in days])))
        for d in days:
            s.add(
                CalendarOverride(
                    day=d.day,
                    is_workday=d.is_workday,
                    name=d.name,
                    source="notice",
                    changed_by_id=viewer.id,
                    changed_at=now,
                )
            )
        row = s.get(CalendarYear, year)
        if row is None:
            s.add(CalendarYear(year=year, notice=text, entered_by_id=viewer.id, entered_at=now))
        else:
            row.notice, row.entered_by_id, row.entered_at = text, viewer.id, now
        _bump(s, now)
    rt.calendars.invalidate()
    return {"year": year, "days": len(days), "recomputed": recompute_provisional(rt)}


def set_override(rt: Runtime, viewer: Viewer, day: Any, is_workday: Any, name: Any = "") -> dict[str, Any]:
    """Declare one day a working day or a day off (an operator's own duty day or closure)."""
    _require_owner(viewer)
    when = _day(day)
    if not isinstance(is_workday, bool):
        raise Invalid(
            "is_workday is required", [{"field": "is_workday", "message": "true or false", "code": "field.choose"}]
        )
    now = rt.clock.now()
    with rt.db.write() as s:
        row = s.get(CalendarOverride, when)
        if row is None:
            row = CalendarOverride(day=when)
            s.add(row)
        row.is_workday, row.name, row.source = is_workday, str(name or "")[:64], "manual"
        row.changed_by_id, row.changed_at = viewer.id, now
        _bump(s, now)
    rt.calendars.invalidate()
    return {"day": when.isoformat(), "is_workday": is_workday, "name": str(name or "")[:64], "source": "manual"}


def remove_override(rt: Runtime, viewer: Viewer, day: Any) -> None:
    """Remove one day's override: the official tables (or the provisional rule) apply again."""
    _require_owner(viewer)
    when = _day(day)
    now = rt.clock.now()
    with rt.db.write() as s:
        if s.execute(delete(CalendarOverride).where(CalendarOverride.day == when)).rowcount != 1:
            raise NotFound(f"no override for {when.isoformat()}", code="calendar.no_override")
        _bump(s, now)
    rt.calendars.invalidate()


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(
            "bad day", [{"field": "day", "message": "a date like 2027-02-06", "code": "field.bad_date"}]
        ) from None


def _bump(s, now: datetime) -> None:
    if (
        s.execute(
            update(CalendarRevision)
            .where(CalendarRevision.id == 1)
            .values(revision=CalendarRevision.revision + 1, changed_at=now)
        ).rowcount
        == 0
    ):
        s.add(CalendarRevision(id=1, revision=1, changed_at=now))


# -- recompute -----------------------------------------------------------------------------------


def recompute_provisional(rt: Runtime, viewer: Viewer | None = None) -> dict[str, int]:
    """Recompute every open provisional deadline with the current calendar; one transaction per instance.

    Reports how many instances and complaints were looked at, how many timers and deadlines (task
    due times, complaint clocks) actually moved, and how many open deadlines are still provisional
    (those in a year still without a schedule).
    """
    if viewer is not None:
        _require_owner(viewer)
    with rt.db.read() as s:
        from_timers = s.scalars(
            select(Timer.instance_id).where(Timer.provisional.is_(True), Timer.status.in_(deadlines.OPEN_STATUSES))
        )
        from_tasks = s.scalars(
            select(HumanTask.instance_id).where(HumanTask.due_provisional.is_(True), HumanTask.state == "ready")
        )
        instance_ids = sorted(set(from_timers) | set(from_tasks))
        complaint_ids = list(
            s.scalars(select(Complaint.id).where(Complaint.clocks_provisional.is_(True), Complaint.status == "open"))
        )
    timers = timers_moved = deadlines_moved = 0
    for instance_id in instance_ids:
        recomputed, moved, tasks_moved = _recompute_instance(rt, instance_id)
        timers, timers_moved, deadlines_moved = timers + recomputed, timers_moved + moved, deadlines_moved + tasks_moved
    for complaint_id in complaint_ids:
        deadlines_moved += _recompute_complaint(rt, complaint_id)
    with rt.db.read() as s:
        still = provisional_counts(s)
    return {
        "instances": len(instance_ids),
        "complaints": len(complaint_ids),
        "timers": timers,
        "timers_moved": timers_moved,
        "deadlines_moved": deadlines_moved,
        "still_provisional": sum(still.values()),
    }


def _task_dues(s, instance_id: int) -> dict[int, tuple]:
    return {
        t.id: (t.due_at, t.warn_at)
        for t in s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready"))
    }


def _recompute_instance(rt: Runtime, instance_id: int) -> tuple[int, int, int]:
    """Return (timers recomputed, timers that moved, task deadlines that moved) of one instance."""
    now = rt.clock.now()
    with rt.db.write() as s:
        before = _task_dues(s, instance_id)
        rows = [r for r in deadlines.open_timers(s, instance_id) if r.kind in ("breach", "warning") and r.sla_step]
        rows = [r for r in rows if r.provisional] or rows
        if not rows:
            deadlines.refresh_task_deadlines(s, instance_id)
            s.flush()
            return 0, 0, sum(before.get(k) != v for k, v in _task_dues(s, instance_id).items())
        severity = deadlines.severity_of(s, instance_id)
        locked = deadlines.lock_instance(rt, s, instance_id)

        def compute(row: Timer):
            armed = datetime.fromisoformat((row.details or {}).get("armed_at") or row.due_at.isoformat())
            fn = "sla_due" if row.kind == "breach" else "sla_warn"
            with rt.sla_started_at(armed):
                value = locked.inst.evaluate(row.task_id, f'{fn}("{row.sla_step}")')
            due = Deadline(datetime.fromisoformat(value))
            limit = deadlines.limit_of(rt, row.sla_step, severity, locked.model.bundle)
            for shift in (row.details or {}).get("shifts", []):
                if shift.get("kind") == "pause":
                    due = deadlines.resumed(
                        rt,
                        limit,
                        due,
                        datetime.fromisoformat(shift["paused_at"]),
                        datetime.fromisoformat(shift["resumed_at"]),
                    )
                elif shift.get("kind") == "extension":
                    due = deadlines.extended(rt, limit, due, shift.get("working_days"), shift.get("hours"))
            return Deadline(
                due.at, sla_marks.is_provisional(rt, row.sla_step, armed, due.at, locked.model.bundle)
            ), None

        moved = deadlines.move_timers(s, locked, rows, compute, now)
        AuditLog(s, instance_id).append(
            "sla.recomputed",
            at=now,
            actor=SYSTEM.name,
            after={str(k): {"from": old.isoformat(), "to": new.isoformat()} for k, (old, new) in moved.items()},
        )
        s.flush()
        tasks_moved = sum(before.get(k) != v for k, v in _task_dues(s, instance_id).items())
        return len(moved), sum(old != new for old, new in moved.values()), tasks_moved


def _recompute_complaint(rt: Runtime, complaint_id: int) -> int:
    """Recompute a complaint's own clocks; return how many of their deadlines moved."""
    from .complaint_clocks import CLOCKS, set_clocks

    with rt.db.write() as s:
        c = s.get(Complaint, complaint_id)
        if c is None or c.suspended_at is not None:
            return 0
        before = [getattr(c, f"{clock}_due_at") for clock in CLOCKS]
        set_clocks(rt, c, c.created_at)
        return sum(old != getattr(c, f"{clock}_due_at") for old, clock in zip(before, CLOCKS))
