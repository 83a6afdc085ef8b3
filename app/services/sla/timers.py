"""Fire due timers exactly once, however many processes tick, and turn repeated failures into incidents.

One tick (fire_due_timers) loops over bounded batches until nothing is due. Each batch is one
write transaction that claims the instances owning the earliest due timer rows (PostgreSQL:
``FOR UPDATE OF process_instance SKIP LOCKED``, so processes share the work and never wait on
each other; SQLite: the transaction's ``BEGIN IMMEDIATE`` writer lock), and for each instance,
inside a savepoint, loads its state, runs ``fire_timers()``, saves it under the version check and
updates the projections and the audit trail. The instance row lock is the one every writer of
an instance takes (save_state's UPDATE), so a timer fires exactly once: whoever commits first
turns it into a fired row and a state without it; a process killed mid-batch commits nothing and
its rows are claimed again by the others. A failing instance rolls back to its savepoint, and its
due rows get a back-off (2, 4, 8 ... s, at most 5 min); after TIMER_MAX_ATTEMPTS failures they
become incidents that a supervisor lists and retries. Other instances of the batch go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from ...errors import Conflict, Forbidden, NotFound
from ...models import Complaint, ProcessInstance, Timer
from ..steps import rollups as report_rollups
from ..audit.log import AuditLog
from ...domain.actors import SYSTEM, Actor
from ..instances.store import audit_new_tasks, record_steps
from ..steps.write import Step, write_step
from ..runtime import Runtime
from ...domain.actors import Viewer

log = logging.getLogger(__name__)
SCHEDULER = Actor(None, "scheduler")
_EVENT_OF_KIND = {"warning": "sla.warning", "breach": "sla.breached"}


class NothingDue(Exception):
    """The timer rows say due, the instance's state says not: counted as a failure, not retried at once."""


@dataclass(frozen=True)
class BatchResult:
    claimed: int
    fired: int
    failed: int


def fire_due_timers(rt: Runtime, batch: int | None = None, max_batches: int = 10_000) -> int:
    """One tick: fire every timer due now, batch after batch, until nothing is due; return how many fired."""
    size = batch or rt.settings.get("TIMER_BATCH", 50)
    fired = 0
    for _ in range(max_batches):
        result = fire_batch(rt, size)
        fired += result.fired
        if result.claimed < size:
            break
    return fired


def fire_batch(rt: Runtime, size: int) -> BatchResult:
    """Claim up to size instances with due timers and fire them in one transaction."""
    now = rt.clock.now()
    fired = failed = 0
    with rt.db.write() as s:
        ids = claim(s, now, size)
        for instance_id in ids:
            try:
                with s.begin_nested():
                    fired += _fire_instance(rt, s, instance_id, now)
            except Exception as exc:  # noqa: BLE001 - one broken instance must not stop the others
                failed += 1
                log.warning("timers of instance %s failed: %s", instance_id, exc)
                _record_failure(rt, s, instance_id, now, f"{exc.__class__.__name__}: {exc}")
    return BatchResult(len(ids), fired, failed)


def next_due(rt: Runtime) -> datetime | None:
    """The earliest due instant a tick would claim (waiting, not backing off, instance running); None if none.

    A read that walks ``ix_timer_due`` from its low end and stops at the first row of a running
    instance: as cheap with 100,000 waiting timers as with ten, so each process asks it often.
    Rows backing off after a failure are left to the periodic sweep (their retry is seconds away).
    """
    q = (
        select(Timer.due_at)
        .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
        .where(Timer.status == "waiting", Timer.next_attempt_at.is_(None), ProcessInstance.status == "running")
        .order_by(Timer.due_at)
        .limit(1)
    )
    with rt.db.read() as s:
        return s.scalar(q)


def claim(s, now, size: int) -> list[int]:
    """Lock the instances owning the earliest due timers, skipping those another process holds."""
    q = (
        select(ProcessInstance.id)
        .join(Timer, Timer.instance_id == ProcessInstance.id)
        .where(
            Timer.status == "waiting",
            Timer.due_at < now,
            ProcessInstance.status == "running",
            or_(Timer.next_attempt_at.is_(None), Timer.next_attempt_at <= now),
        )
        .order_by(Timer.due_at)
        .limit(size)
        .with_for_update(of=ProcessInstance, skip_locked=True)
    )
    return list(dict.fromkeys(s.scalars(q)))  # one instance may own several due rows


def _fire_instance(rt: Runtime, s, instance_id: int, now) -> int:
    got = s.execute(
        select(ProcessInstance.state, ProcessInstance.version, ProcessInstance.process_version_id).where(
            ProcessInstance.id == instance_id
        )
    ).one()
    model = rt.model(got.process_version_id)
    inst = rt.engine.load(model.bundle, got.state)
    waiting = {t.task_id for t in inst.waiting_timers()}
    steps = inst.fire_timers()
    fired_ids = {step.task_id for step in steps if step.task_id in waiting}
    if not fired_ids:
        raise NothingDue("the instance's state has no timer due yet")
    write_step(
        s,
        rt,
        Step(instance_id, inst, now, got.version, fired_task_ids=fired_ids),
        lambda audit, changes: _audit_fired(s, audit, instance_id, model, inst, steps, fired_ids, changes, now),
    )
    return len(fired_ids)


def _audit_fired(s, audit: AuditLog, instance_id: int, model, inst, steps, fired_ids: set[str], changes, now) -> None:
    """The timers' events: fired, warned, breached (and escalated), what the engine ran and raised."""
    # A timer that had become an incident and now fired with a retried sibling is done too.
    revived = list(
        s.scalars(
            select(Timer).where(
                Timer.instance_id == instance_id, Timer.status == "incident", Timer.task_id.in_(fired_ids)
            )
        )
    )
    for row in revived:
        row.status, row.fired_at = "fired", now
    breaches = []
    for row in [*changes.fired_timers, *revived]:
        if row.kind == "breach":
            breaches.append(row)
        audit.append(
            _EVENT_OF_KIND.get(row.kind, "timer.fired"),
            at=now,
            actor=SCHEDULER.name,
            task_id=row.task_id,
            element_id=row.element_id,
            element_name=model.bundle.element_name(row.element_id),
            after={
                "step": row.sla_step,
                "attached_to": row.attached_to,
                "due_at": row.due_at.isoformat(),
                "provisional": row.provisional,
            },
        )
    if breaches:
        report_rollups.mark_breached(s, instance_id)  # the search's "breached ever"
    record_steps(audit, inst, [x for x in steps if x.task_id not in fired_ids], SCHEDULER, now)
    audit_new_tasks(audit, changes, SCHEDULER, now, ready=True)
    for task in changes.created_tasks if breaches else ():
        audit.append(
            "sla.escalated",
            at=now,
            actor=SCHEDULER.name,
            task_id=task.id,
            element_id=task.element_id,
            element_name=task.name,
            after={
                "step": breaches[0].sla_step,
                "to_group": task.candidate_group,
                "due_at": task.due_at.isoformat() if task.due_at else None,
            },
        )
    if inst.completed:
        audit.append("instance.completed", at=now, actor=SYSTEM.name)


def _record_failure(rt: Runtime, s, instance_id: int, now, error: str) -> None:
    max_attempts = rt.settings["TIMER_MAX_ATTEMPTS"]
    audit = None
    for row in s.scalars(
        select(Timer).where(Timer.instance_id == instance_id, Timer.status == "waiting", Timer.due_at < now)
    ):
        row.attempts += 1
        row.last_error = error[:2000]
        if row.attempts >= max_attempts:
            row.status, row.next_attempt_at = "incident", None
            audit = audit or AuditLog(s, instance_id)
            audit.append(
                "timer.incident",
                at=now,
                actor=SCHEDULER.name,
                task_id=row.task_id,
                element_id=row.element_id,
                reason=row.last_error,
                after={"attempts": row.attempts},
            )
        else:
            row.next_attempt_at = now + timedelta(seconds=min(2**row.attempts, 300))


# -- incidents ---------------------------------------------------------------------------------


def incident_view(row: Timer, complaint_id: int | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "complaint_id": complaint_id,
        "task_id": row.task_id,
        "element_id": row.element_id,
        "kind": row.kind,
        "sla_step": row.sla_step,
        "due_at": row.due_at.isoformat(),
        "attempts": row.attempts,
        "last_error": row.last_error,
        "status": row.status,
    }


def _require_overseer(viewer: Viewer) -> None:
    if not viewer.can("timer_incident.manage"):
        raise Forbidden("only supervisors see and retry timer incidents", code="supervisor.only")


def list_incidents(rt: Runtime, viewer: Viewer, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Timers that failed TIMER_MAX_ATTEMPTS times, oldest due first."""
    _require_overseer(viewer)
    q = (
        select(Timer, Complaint.id)
        .outerjoin(Complaint, Complaint.instance_id == Timer.instance_id)
        .where(Timer.status == "incident")
        .order_by(Timer.due_at, Timer.id)
        .limit(min(limit, 500))
        .offset(offset)
    )
    with rt.db.read() as s:
        return [incident_view(row, cid) for row, cid in s.execute(q)]


def retry_incident(rt: Runtime, viewer: Viewer, timer_id: int) -> dict[str, Any]:
    """Put an incident back in the queue: the next tick fires it again with a fresh count of attempts."""
    _require_overseer(viewer)
    now = rt.clock.now()
    with rt.db.write() as s:
        row = s.get(Timer, timer_id)
        if row is None or row.status != "incident":
            raise NotFound(f"incident {timer_id} does not exist", code="incident.not_found")
        suspended = s.scalar(select(Complaint.suspended_at).where(Complaint.instance_id == row.instance_id))
        if suspended is not None:
            raise Conflict("the complaint is suspended; resume it first", code="task.suspended")
        row.status, row.attempts, row.next_attempt_at = "waiting", 0, None
        AuditLog(s, row.instance_id).append(
            "timer.retried",
            at=now,
            actor=viewer.name,
            actor_id=viewer.id,
            task_id=row.task_id,
            element_id=row.element_id,
            before={"last_error": row.last_error},
        )
        return incident_view(row)
