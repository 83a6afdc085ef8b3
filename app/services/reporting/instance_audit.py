"""Everything an auditor sees of one instance: diagram marks, step durations, timeline, record, clocks.

Read from the projections and the trail only (no workflow is loaded). Element marks for the
diagram viewer: ``completed`` (a task finished or the engine passed it), ``active`` (a ready
task), ``overdue`` (a ready task past its deadline, or a task finished after it) and
``escalated`` (its breach timer fired, handing the step to a supervisor), with the time spent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.personal_data import mask_record
from ...errors import NotFound
from ...models import AuditEvent, Complaint, HumanTask, ProcessInstance, ProcessVersion, Timer, User
from ..sla.complaint_clocks import replied_at
from .record import masked_sections, record_sections
from .complaint_view import complaint_view
from ..accounts.need_to_know import guard, worked_instances
from ..runtime import Runtime
from ...domain.actors import Viewer
from ..audit.trail import list_access, record_access
from ..accounts.visibility import require_instance

# Events that tell the story of the SLA clocks (pauses, extensions, warnings, breaches).
CLOCK_EVENTS = (
    "complaint.suspended",
    "complaint.resumed",
    "sla.extension_requested",
    "sla.extension_approved",
    "sla.extension_rejected",
    "sla.extended",
    "sla.warning",
    "sla.breached",
    "sla.escalated",
    "timer.incident",
    "timer.retried",
)


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


def element_marks(
    tasks: list[HumanTask], timers: list[Timer], events: list[AuditEvent], now: datetime
) -> dict[str, dict]:
    """Per diagram element: its marks, how often it ran and the time spent in it."""
    marks: dict[str, dict[str, Any]] = {}

    def mark(element_id: str | None) -> dict[str, Any]:
        return marks.setdefault(
            element_id, {"element_id": element_id, "marks": set(), "runs": 0, "seconds": 0, "running_seconds": None}
        )

    for t in tasks:
        m = mark(t.element_id)
        if t.state == "completed":
            m["marks"].add("completed")
            m["runs"] += 1
            m["seconds"] += _seconds(t.created_at, t.completed_at) or 0
            if t.due_at is not None and t.completed_at > t.due_at:
                m["marks"].add("overdue")
        elif t.state == "ready":
            m["marks"].add("active")
            paused = t.sla_paused_at is not None
            m["running_seconds"] = _seconds(t.created_at, t.sla_paused_at if paused else now)
            if t.due_at is not None and not paused and now > t.due_at:
                m["marks"].add("overdue")
    for tm in timers:
        if tm.status == "fired":
            mark(tm.element_id)["marks"].add("completed")
            if tm.kind == "breach" and tm.attached_to:
                mark(tm.attached_to)["marks"].add("escalated")
    for e in events:
        if e.type == "engine.step" and e.element_id:
            mark(e.element_id)["marks"].add("completed")
    return {k: v | {"marks": sorted(v["marks"])} for k, v in marks.items() if k}


def event_view(e: AuditEvent, names: dict[int, str]) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "actor_name": names.get(e.actor_id, e.actor),
        "type": e.type,
        "task_id": e.task_id,
        "element_id": e.element_id,
        "element_name": e.element_name,
        "reason": e.reason,
        "data_before": e.data_before,
        "data_after": e.data_after,
        "hash": e.hash,
    }


def task_view(t: HumanTask, names: dict[int, str], now: datetime) -> dict[str, Any]:
    end = t.completed_at if t.state != "ready" else (t.sla_paused_at or now)
    return {
        "id": t.id,
        "element_id": t.element_id,
        "name": t.name,
        "state": t.state,
        "candidate_group": t.candidate_group,
        "assignee": names.get(t.assignee_id) if t.assignee_id else None,
        "created_at": t.created_at.isoformat(),
        "completed_at": t.completed_at.isoformat() if t.completed_at else None,
        "due_at": t.due_at.isoformat() if t.due_at else None,
        "seconds": _seconds(t.created_at, end),
        "late": bool(t.due_at and ((t.completed_at or now) > t.due_at) and t.sla_paused_at is None),
        "paused": t.sla_paused_at is not None and t.state == "ready",
    }


def timer_view(tm: Timer) -> dict[str, Any]:
    details = tm.details or {}
    return {
        "id": tm.id,
        "element_id": tm.element_id,
        "attached_to": tm.attached_to,
        "kind": tm.kind,
        "sla_step": tm.sla_step,
        "due_at": tm.due_at.isoformat(),
        "status": tm.status,
        "fired_at": tm.fired_at.isoformat() if tm.fired_at else None,
        "provisional": bool(tm.provisional),
        "armed_at": details.get("armed_at"),
        "shifts": details.get("shifts", []),
        "paused_at": details.get("paused_at"),
    }


def instance_audit(rt: Runtime, viewer: Viewer, instance_id: int, via: str = "web") -> dict[str, Any]:
    """The instance page's data; reading it is recorded in the access log (it shows personal data)."""
    require_instance(rt, viewer, instance_id)
    now = rt.clock.now()
    with rt.db.read() as s:
        # The columns shown, not the row: that would read its serialized workflow too (5-6 KB at a million).
        row = s.execute(
            select(
                ProcessInstance.id,
                ProcessInstance.process_id,
                ProcessInstance.process_version_id,
                ProcessInstance.status,
                ProcessInstance.error,
                ProcessInstance.created_at,
                ProcessInstance.updated_at,
                ProcessInstance.completed_at,
            ).where(ProcessInstance.id == instance_id)
        ).first()
        if row is None:
            raise NotFound(f"process instance {instance_id} does not exist", code="instance.not_found")
        version = s.execute(
            select(ProcessVersion.version, ProcessVersion.name).where(ProcessVersion.id == row.process_version_id)
        ).one()
        diagram = _version_diagram(rt, s, row.process_version_id)
        complaint = s.scalars(select(Complaint).where(Complaint.instance_id == instance_id)).first()
        tasks = list(
            s.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == instance_id)
                .order_by(HumanTask.created_at, HumanTask.id)
            )
        )
        timers = list(s.scalars(select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.due_at, Timer.id)))
        events = list(
            s.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq))
        )
        ids = {e.actor_id for e in events if e.actor_id} | {t.assignee_id for t in tasks if t.assignee_id}
        names = dict(s.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}
        replied = replied_at(s, [instance_id]).get(instance_id)
        shown = instance_id in worked_instances(s, viewer, [instance_id])
        record = guard(complaint_view(complaint, now, replied), shown) if complaint is not None else None
        sections = record_sections(rt, s, instance_id)
        if not shown:
            sections = masked_sections(sections)
        more = ({record["owner_id"]} if record and record.get("owner_id") else set()) | {
            x["actor_id"] for x in sections
        }
        more -= set(names) | {None}
        if more:
            names.update(dict(s.execute(select(User.id, User.display_name).where(User.id.in_(more))).all()))
        for x in sections:
            x["actor_name"] = names.get(x["actor_id"], x["actor"])
    record_access(
        rt,
        viewer,
        "complaint.viewed",
        via,
        complaint_id=record["id"] if record else None,
        instance_id=instance_id,
        detail={"personal_data": "shown" if shown else "masked"},
    )
    mask = (lambda e: e) if shown else mask_record
    return {
        "instance": {
            "id": row.id,
            "process_id": row.process_id,
            "process_version": version.version,
            "process_name": version.name,
            "status": row.status,
            "error": row.error,
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
            "completed_at": row.completed_at.isoformat() if row.completed_at else None,
        },
        "complaint": record,
        "record": sections,
        "owner": names.get(record["owner_id"]) if record and record.get("owner_id") else None,
        "diagram": diagram,
        "elements": list(element_marks(tasks, timers, events, now).values()),
        "tasks": [task_view(t, names, now) for t in tasks],
        "timers": [timer_view(tm) for tm in timers],
        "clock_history": [mask(event_view(e, names)) for e in events if e.type in CLOCK_EVENTS],
        "events": [mask(event_view(e, names)) for e in events],
        "personal_data": "shown" if shown else "masked",
        "access": list_access(rt, complaint_id=record["id"], limit=20) if record else [],
    }


def current_diagram_xml(rt: Runtime, process_id: str = "complaint_handling") -> str:
    """The BPMN XML of a process's current version (the dashboard draws its heat map on it).

    A deployed version's files never change: its XML is kept per version id, so each dashboard asks only which
    version is current instead of reading and parsing all its files (the diagram and its forms: 440 KB of JSON).
    """
    with rt.db.read() as s:
        version_id = s.scalar(
            select(ProcessVersion.id)
            .where(ProcessVersion.process_id == process_id, ProcessVersion.is_current.is_(True))
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        )
        if version_id is None:
            return ""
        return _version_diagram(rt, s, version_id)["xml"]


def _version_diagram(rt: Runtime, s: Session, version_id: int) -> dict[str, str]:
    """A version's main diagram, ``{"file", "xml"}``, read once per version and process: a deployed version's
    files never change, and reading them means parsing all of them (the diagram and its forms: 440 KB of JSON),
    which was a third of the instance page's service time."""
    kept = rt.settings.setdefault("_diagram_xml", {})
    if version_id not in kept:
        files, bpmn_file = s.execute(
            select(ProcessVersion.files, ProcessVersion.bpmn_file).where(ProcessVersion.id == version_id)
        ).one()
        kept[version_id] = {"file": bpmn_file, "xml": files.get(bpmn_file, "")}
    return kept[version_id]
