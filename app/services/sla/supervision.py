"""督办 decisions that act: a supervisor's 延期 in an overdue step's 督办 task moves that step's deadline.

A 督办 (or 上级督办) task names the step it watches in its `supervisedElement` property and the
step's SLA clock in `slaStep`. When its form says `<prefix>_action = "extend"` with
`<prefix>_extend_until`, completing it moves the step's breach timer to that instant and its
warning timer to the same lead before it (re-arming timers that already fired, so a new breach
escalates again), the step's task shows the new deadline and is no longer overdue, and the
change is an audit event in the complaint's 时限变更记录.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...domain.clock import to_utc
from ...engine import Instance, TaskView
from ...errors import Invalid
from ...models import HumanTask
from . import deadlines
from ..audit.log import AuditLog

EXTEND = "extend"


@dataclass
class Extension:
    """A 督办 延期 about to be applied: which step, until when, and why."""

    element_id: str
    sla_step: str | None
    until: datetime
    note: str | None
    field: str
    old_due: datetime | None = None
    old_warn: datetime | None = None
    task_id: str | None = None
    task_name: str | None = None
    timers: dict[str, str] | None = None


def requested(view: TaskView | None, submitted: dict[str, Any], now: datetime) -> Extension | None:
    """The extension a submitted 督办 form decides, or None; a date not after now is a 422 naming the field."""
    if view is None or not view.properties.get("supervisedElement"):
        return None
    for key, value in submitted.items():
        if not key.endswith("_action") or value != EXTEND:
            continue
        prefix = key[: -len("_action")]
        field = f"{prefix}_extend_until"
        until = _instant(submitted.get(field))
        if until is None:
            raise Invalid(
                f"{field} is required to extend",
                [{"field": field, "message": "give the new deadline", "code": "extension.give_deadline"}],
            )
        if until <= now:
            raise Invalid(
                f"{field} must be later than now",
                [{"field": field, "message": "the new deadline must be in the future", "code": "extension.until_past"}],
            )
        note = submitted.get(f"{prefix}_note")
        return Extension(
            view.properties["supervisedElement"],
            view.properties.get("slaStep"),
            until,
            note if isinstance(note, str) else None,
            field,
        )
    return None


def read_current(s, instance_id: int, ext: Extension) -> None:
    """Fill in the supervised task's present deadline and warning (to keep the warning's lead)."""
    row = s.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.state == "ready", HumanTask.element_id == ext.element_id
        )
    ).first()
    if row is None:
        raise Invalid(
            f"the supervised step {ext.element_id} is no longer open; nothing to extend",
            [{"field": ext.field, "message": "the step is already done", "code": "extension.step_done"}],
        )
    ext.task_id, ext.task_name, ext.old_due, ext.old_warn = row.id, row.name, row.due_at, row.warn_at


def apply(inst: Instance, ext: Extension, now: datetime, skip: frozenset[str] = frozenset()) -> None:
    """Move (or re-arm) the supervised step's breach and warning timers in the engine."""
    due = {"breach": ext.until}
    if ext.old_due is not None and ext.old_warn is not None and ext.old_warn < ext.old_due:
        warn = ext.until - (ext.old_due - ext.old_warn)
        if warn > now:  # a warning already past would only fire at once
            due["warning"] = warn
    ext.timers = inst.rearm_sla_timers(ext.element_id, ext.sla_step, due, skip)


def record(
    s,
    log: AuditLog,
    instance_id: int,
    ext: Extension,
    actor: str,
    actor_id: int | None,
    supervise_task_id: str,
    now: datetime,
) -> None:
    """Copy the new deadline onto the step's task row and write the 时限变更记录 event."""
    deadlines.refresh_task_deadlines(s, instance_id)
    log.append(
        "sla.extended",
        at=now,
        actor=actor,
        actor_id=actor_id,
        task_id=ext.task_id,
        element_id=ext.element_id,
        element_name=ext.task_name,
        reason=ext.note,
        before={"due_at": deadlines.iso(ext.old_due)},
        after={
            "due_at": ext.until.isoformat(),
            "step": ext.sla_step,
            "by_task_id": supervise_task_id,
            "timers": ext.timers or {},
        },
    )


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return to_utc(value) if value.tzinfo else None
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return to_utc(at) if at.tzinfo else None
