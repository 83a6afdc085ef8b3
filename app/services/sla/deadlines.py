"""Move an instance's SLA deadlines: its waiting timers in the engine state, the timer rows, the task rows.

Used by suspend/resume, extensions and the recompute after a year's official schedule is entered.
Always inside the caller's write transaction, with the instance row locked (PostgreSQL
``FOR UPDATE``; SQLite's writer lock), so the timer tick cannot fire a timer while it moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import select, text, update

from ...domain.calendar import Deadline
from ...domain.sla import Limit
from ...engine import Instance, ProcessBundle
from ...models import Complaint, HumanTask, ProcessInstance, Timer
from ..steps.state import save_state
from ..runtime import DeployedModel, Runtime

OPEN_STATUSES = ("waiting", "paused")


@dataclass
class Locked:
    """An instance loaded under its row lock, to be changed and saved in the same transaction."""

    instance_id: int
    version: int
    model: DeployedModel
    inst: Instance


def lock_instance(rt: Runtime, s, instance_id: int) -> Locked:
    """Lock an instance's row and load its state (inside a write transaction)."""
    if s.bind.dialect.name == "postgresql":
        s.execute(text("SELECT id FROM process_instance WHERE id = :id FOR UPDATE"), {"id": instance_id})
    got = s.execute(
        select(ProcessInstance.state, ProcessInstance.version, ProcessInstance.process_version_id).where(
            ProcessInstance.id == instance_id
        )
    ).one()
    model = rt.model(got.process_version_id)
    return Locked(instance_id, got.version, model, rt.engine.load(model.bundle, got.state))


def bump_version(s, instance_id: int) -> None:
    """Make any save prepared from an older read of the instance fail with a Conflict."""
    s.execute(
        update(ProcessInstance).where(ProcessInstance.id == instance_id).values(version=ProcessInstance.version + 1)
    )


def severity_of(s, instance_id: int) -> str:
    severity = s.scalar(select(Complaint.severity).where(Complaint.instance_id == instance_id))
    return severity if severity in ("general", "major") else "general"


def limit_of(rt: Runtime, step: str | None, severity: str, bundle: ProcessBundle | None = None) -> Limit | None:
    """The limit of a timer's step (the instance's version's own slaLimit laid over the policy: pass its
    bundle), or None for a timer the policy does not know (wall-clock)."""
    try:
        return rt.policy_of(bundle).limit(step, severity) if step else None
    except KeyError:
        return None


def resumed(rt: Runtime, limit: Limit | None, due: Deadline, paused_at: datetime, resumed_at: datetime) -> Deadline:
    """A deadline after a pause: the remaining budget (working or wall-clock) added back from the resume."""
    if limit is None:
        limit = Limit(1, "hours")  # wall-clock: the remaining time is added back as is
    return limit.resumed(due, paused_at, resumed_at, rt.calendar)


def extended(
    rt: Runtime, limit: Limit | None, due: Deadline, working_days: int | None, hours: float | None
) -> Deadline:
    """A deadline moved by an approved extension: N working days, or hours (working when the step counts so)."""
    cal = rt.calendar
    if working_days:
        moved = cal.add_working_days(due.at, working_days)
    elif limit is not None and limit.working:
        moved = cal.add_working_time(due.at, timedelta(hours=float(hours)))
    else:
        moved = Deadline(due.at + timedelta(hours=float(hours)))
    return Deadline(moved.at, moved.provisional or due.provisional)


def move_timers(
    s,
    locked: Locked,
    rows: list[Timer],
    compute: Callable[[Timer], tuple[Deadline, dict[str, Any] | None]],
    now: datetime,
) -> dict[int, tuple[datetime, datetime]]:
    """Re-set each row's due (engine state and row), record the shift, save; return {row id: (old, new)}."""
    moved = {}
    waiting = {t.task_id for t in locked.inst.waiting_timers()}
    for row in rows:
        if row.task_id not in waiting:
            continue
        new, shift = compute(row)
        locked.inst.set_timer_due(row.task_id, new.at)
        details = dict(row.details or {})
        if shift:
            details["shifts"] = [*details.get("shifts", []), shift]
        moved[row.id] = (row.due_at, new.at)
        row.due_at, row.provisional, row.details = new.at, new.provisional, details
    save_state(s, locked.instance_id, locked.version, locked.inst, now)
    locked.version += 1
    s.flush()
    refresh_task_deadlines(s, locked.instance_id)
    return moved


def refresh_task_deadlines(s, instance_id: int) -> None:
    """Copy the open timers' due times onto the ready tasks they are attached to."""
    timers = list(s.scalars(select(Timer).where(Timer.instance_id == instance_id, Timer.status.in_(OPEN_STATUSES))))
    for task in s.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")):
        breach = [t for t in timers if t.attached_to == task.element_id and t.kind == "breach"]
        warning = [t for t in timers if t.attached_to == task.element_id and t.kind == "warning"]
        if breach:
            first = min(breach, key=lambda t: t.due_at)
            task.due_at, task.due_provisional = first.due_at, first.provisional
        if warning:
            task.warn_at = min(t.due_at for t in warning)


def open_timers(
    s, instance_id: int, attached_to: str | None = None, status: tuple[str, ...] = OPEN_STATUSES
) -> list[Timer]:
    q = select(Timer).where(Timer.instance_id == instance_id, Timer.status.in_(status))
    if attached_to is not None:
        q = q.where(Timer.attached_to == attached_to)
    return list(s.scalars(q.order_by(Timer.due_at)))


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
