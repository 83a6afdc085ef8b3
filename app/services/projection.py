"""Keep the query tables (human_task, timer, complaint) in step with an instance's state.

Called inside the transaction that saves the state, so queries never deserialize workflows
and never see a projection that disagrees with the state.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from ..engine import EngineError, Instance, TaskView
from ..models import Complaint, Group, HumanTask, Timer

# Task data that mirrors onto the complaint row for search.
_COMPLAINT_FIELDS = ("category", "severity", "special_type", "department", "satisfaction")


@dataclass(frozen=True)
class NewTask:
    """A human task row the projection created."""

    id: str
    instance_id: int
    element_id: str
    name: str
    candidate_group: str | None
    due_at: datetime | None
    due_provisional: bool


@dataclass
class Changes:
    """What a save changed, for the audit trail and the caller's answer."""

    created_tasks: list[NewTask] = field(default_factory=list)
    cancelled_task_ids: list[str] = field(default_factory=list)
    fired_timers: list[Any] = field(default_factory=list)  # rows of timer: kind, task_id, element_id, sla_step...


# Marks a deadline provisional (it depends on a year without an official calendar):
# (sla_step, armed_at, due_at) -> bool. The runtime puts it in each write session's info
# (see sla_marks.install); without one, nothing is provisional.
DEADLINE_MARKER = "deadline_marker"
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


# Statements built once: this runs in every completion and every timer firing.
_GROUPS = select(Group.code, Group.name_zh, Group.name_en)
_READY_IDS = select(HumanTask.id).where(HumanTask.instance_id == bindparam("instance_id"), HumanTask.state == "ready")
# Bulk UPDATEs skip the ORM's "synchronize session" pass: no ORM object of these rows is loaded.
_PLAIN = {"synchronize_session": False}
_CANCEL_TASKS = (update(HumanTask)
                 .where(HumanTask.id.in_(bindparam("ids", expanding=True)), HumanTask.state == "ready")
                 .values(state="cancelled", completed_at=bindparam("at")).execution_options(**_PLAIN))
_INSERT_TASKS = insert(HumanTask.__table__)
_WAITING_TIMERS = select(Timer.id, Timer.task_id, Timer.element_id, Timer.attached_to, Timer.kind, Timer.sla_step,
                         Timer.due_at, Timer.provisional).where(Timer.instance_id == bindparam("instance_id"),
                                                                Timer.status == "waiting")
_MOVE_TIMER = (update(Timer).where(Timer.id == bindparam("timer_id")).values(due_at=bindparam("due"))
               .execution_options(**_PLAIN))
_END_TIMER = (update(Timer).where(Timer.id == bindparam("timer_id"))
              .values(status=bindparam("new_status"), fired_at=bindparam("at")).execution_options(**_PLAIN))
_INSERT_TIMERS = insert(Timer.__table__)


def group_lookup(s: Session) -> dict[str, str]:
    """Map lane names (group code or Chinese/English name) to group codes."""
    out: dict[str, str] = {}
    for code, zh, en in s.execute(_GROUPS):
        out[code] = out[zh] = out[en] = code
    return out


def sync(s: Session, instance_id: int, inst: Instance, now: datetime, fired_task_ids: set[str] = frozenset(),
         submitted: dict[str, Any] | None = None) -> Changes:
    """Bring human tasks, timers and the complaint row in line with the instance.

    The complaint's fields follow what was just submitted, not the instance's merged data:
    parallel branches (a supervise task) carry stale copies that SpiffWorkflow merges last.
    """
    changes = Changes()
    marker = s.info.get(DEADLINE_MARKER)
    timers = inst.waiting_timers()
    provisional = _sync_timers(s, instance_id, timers, now, fired_task_ids, changes, marker)
    _sync_tasks(s, instance_id, inst, now, timers, provisional, changes)
    _sync_complaint(s, instance_id, inst, now, submitted or {})
    from .branch_effects import after_sync  # notifications, outage links, repeats, compensation (issue 7)

    after_sync(s, instance_id, inst, now, submitted or {})
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


def _priority(data: dict[str, Any]) -> int:
    value = str(data.get("priority", "0"))
    return int(value) if value.isdigit() else 0


def _sync_tasks(s, instance_id, inst, now, timers, provisional_elements, changes) -> None:
    ready = {t.id: t for t in inst.ready_tasks()}
    known = set(s.scalars(_READY_IDS, {"instance_id": instance_id}))
    gone = [tid for tid in known if tid not in ready]
    if gone:
        s.execute(_CANCEL_TASKS, {"ids": gone, "at": now})
        changes.cancelled_task_ids.extend(gone)
    new = [t for tid, t in ready.items() if tid not in known]
    if not new:
        return
    groups = group_lookup(s)
    rows = []
    for t in new:
        sla = _sla_for(t.element_id, timers)
        task = NewTask(t.id, instance_id, t.element_id, t.name, resolve_group(inst, t, groups), sla["due_at"],
                       t.element_id in provisional_elements)
        changes.created_tasks.append(task)
        rows.append({
            "id": t.id, "instance_id": instance_id, "element_id": t.element_id, "name": t.name, "lane": t.lane,
            "candidate_group": task.candidate_group, "state": "ready", "form": t.form, "priority": _priority(t.data),
            "created_at": now, "due_at": sla["due_at"], "warn_at": sla["warn_at"],
            "due_provisional": task.due_provisional,
        })
    s.execute(_INSERT_TASKS, rows)


def _sync_timers(s, instance_id, timers, now, fired_task_ids, changes, marker) -> set[str]:
    """Write the timer rows; return the elements whose breach deadline is provisional."""
    waiting = {t.task_id: t for t in timers if t.due_at is not None}
    rows = {r.task_id: r for r in s.execute(_WAITING_TIMERS, {"instance_id": instance_id})}
    provisional_elements = {r.attached_to for r in rows.values() if r.provisional and r.kind == "breach"}
    for task_id, row in rows.items():
        if task_id in waiting:
            if row.due_at != waiting[task_id].due_at:  # moved (suspend/extend)
                s.execute(_MOVE_TIMER, {"timer_id": row.id, "due": waiting[task_id].due_at})
            continue
        fired = task_id in fired_task_ids
        s.execute(_END_TIMER, {"timer_id": row.id, "new_status": "fired" if fired else "cancelled",
                               "at": now if fired else None})
        if fired:
            changes.fired_timers.append(row)
    new = []
    for task_id, t in waiting.items():
        if task_id in rows:
            continue
        step = t.properties.get("slaStep")
        provisional = bool(marker(step, now, t.due_at)) if marker else False
        kind = t.properties.get("slaKind", "timer")
        if provisional and kind == "breach" and t.attached_to:
            provisional_elements.add(t.attached_to)
        new.append({
            "instance_id": instance_id, "task_id": task_id, "element_id": t.element_id, "attached_to": t.attached_to,
            "kind": kind, "sla_step": step, "due_at": t.due_at, "status": "waiting", "attempts": 0,
            "details": {"armed_at": now.isoformat()}, "provisional": provisional,
        })
    if new:
        s.execute(_INSERT_TIMERS, new)
    return provisional_elements


def _sync_complaint(s, instance_id, inst, now, data) -> None:
    values: dict[str, Any] = {name: data[name] for name in _COMPLAINT_FIELDS
                              if isinstance(data.get(name), str) and data[name]}
    values["current_step"] = ", ".join(sorted({t.name for t in inst.ready_tasks()})) or None
    values["updated_at"] = now
    if inst.completed:
        values["status"] = "closed"
        values["closed_at"] = now
    # One statement whether or not the instance has a complaint: no row, nothing updated.
    s.execute(update(Complaint).where(Complaint.instance_id == instance_id).values(**values).execution_options(**_PLAIN))
