"""Keep the query tables (human_task, timer, complaint) in step with an instance's state.

Called inside the transaction that saves the state, so queries never deserialize workflows
and never see a projection that disagrees with the state.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..engine import EngineError, Instance, TaskView
from ..models import Complaint, Group, HumanTask, Timer

# Task data that mirrors onto the complaint row for search.
_COMPLAINT_FIELDS = ("category", "severity", "special_type", "department", "satisfaction")


@dataclass
class Changes:
    """What a save changed, for the audit trail and the caller's answer."""

    created_tasks: list[HumanTask] = field(default_factory=list)
    cancelled_task_ids: list[str] = field(default_factory=list)
    fired_timers: list[Timer] = field(default_factory=list)


def resolve_group(inst: Instance, task: TaskView, groups: dict[str, str]) -> str | None:
    """The candidate group of a ready task: its expression, else its lane's group."""
    if task.candidate_group_expression:
        try:
            value = inst.evaluate(task.id, task.candidate_group_expression)
        except EngineError:
            value = None
        if isinstance(value, str) and value:
            return value
    if task.lane:
        return groups.get(task.lane, task.lane)
    return None


def group_lookup(s: Session) -> dict[str, str]:
    """Map lane names (group code or Chinese/English name) to group codes."""
    out: dict[str, str] = {}
    for code, zh, en in s.execute(select(Group.code, Group.name_zh, Group.name_en)):
        out[code] = out[zh] = out[en] = code
    return out


def sync(s: Session, instance_id: int, inst: Instance, now: datetime, fired_task_ids: set[str] = frozenset(),
         submitted: dict[str, Any] | None = None) -> Changes:
    """Bring human tasks, timers and the complaint row in line with the instance.

    The complaint's fields follow what was just submitted, not the instance's merged data:
    parallel branches (a supervise task) carry stale copies that SpiffWorkflow merges last.
    """
    changes = Changes()
    timers = inst.waiting_timers()
    _sync_tasks(s, instance_id, inst, now, timers, changes)
    _sync_timers(s, instance_id, timers, now, fired_task_ids, changes)
    _sync_complaint(s, instance_id, inst, now, submitted or {})
    return changes


def _sla_for(element_id: str, timers) -> dict[str, Any]:
    due = warn = None
    for t in timers:
        if t.attached_to != element_id or t.due_at is None:
            continue
        kind = t.properties.get("slaKind")
        if kind == "breach" and (due is None or t.due_at < due):
            due = t.due_at
        elif kind == "warning" and (warn is None or t.due_at < warn):
            warn = t.due_at
    return {"due_at": due, "warn_at": warn}


def _sync_tasks(s, instance_id, inst, now, timers, changes) -> None:
    ready = {t.id: t for t in inst.ready_tasks()}
    known = dict(s.execute(select(HumanTask.id, HumanTask.state).where(HumanTask.instance_id == instance_id,
                                                                        HumanTask.state == "ready")).all())
    gone = [tid for tid in known if tid not in ready]
    if gone:
        s.execute(update(HumanTask).where(HumanTask.id.in_(gone), HumanTask.state == "ready")
                  .values(state="cancelled", completed_at=now))
        changes.cancelled_task_ids.extend(gone)
    new = [t for tid, t in ready.items() if tid not in known]
    if not new:
        return
    groups = group_lookup(s)
    for t in new:
        sla = _sla_for(t.element_id, timers)
        row = HumanTask(
            id=t.id, instance_id=instance_id, element_id=t.element_id, name=t.name, lane=t.lane,
            candidate_group=resolve_group(inst, t, groups), state="ready", form=t.form,
            priority=int(t.data.get("priority", 0) or 0) if str(t.data.get("priority", "0")).isdigit() else 0,
            created_at=now, due_at=sla["due_at"], warn_at=sla["warn_at"],
        )
        s.add(row)
        changes.created_tasks.append(row)


def _sync_timers(s, instance_id, timers, now, fired_task_ids, changes) -> None:
    waiting = {t.task_id: t for t in timers if t.due_at is not None}
    rows = {r.task_id: r for r in s.scalars(select(Timer).where(Timer.instance_id == instance_id,
                                                                Timer.status == "waiting"))}
    for task_id, row in rows.items():
        if task_id in waiting:
            if row.due_at != waiting[task_id].due_at:  # moved (suspend/extend)
                row.due_at = waiting[task_id].due_at
            continue
        row.status = "fired" if task_id in fired_task_ids else "cancelled"
        row.fired_at = now if task_id in fired_task_ids else None
        if task_id in fired_task_ids:
            changes.fired_timers.append(row)
    for task_id, t in waiting.items():
        if task_id in rows:
            continue
        s.add(Timer(
            instance_id=instance_id, task_id=task_id, element_id=t.element_id, attached_to=t.attached_to,
            kind=t.properties.get("slaKind", "timer"), sla_step=t.properties.get("slaStep"),
            due_at=t.due_at, status="waiting", attempts=0, details={},
        ))


def _sync_complaint(s, instance_id, inst, now, data) -> None:
    complaint = s.scalars(select(Complaint).where(Complaint.instance_id == instance_id)).first()
    if complaint is None:
        return
    for name in _COMPLAINT_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value and getattr(complaint, name) != value:
            setattr(complaint, name, value)
    ready = inst.ready_tasks()
    complaint.current_step = ", ".join(sorted({t.name for t in ready})) or None
    complaint.updated_at = now
    if inst.completed and complaint.status != "closed":
        complaint.status = "closed"
        complaint.closed_at = now
