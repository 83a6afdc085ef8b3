"""Fire due timers exactly once, however many processes tick, and turn repeated failures into incidents.

One tick (fire_due_timers) loops over bounded batches until nothing is due. Each batch is one
write transaction (timer_batch.py) that claims the instances owning the earliest due timer rows
(PostgreSQL: ``FOR UPDATE OF process_instance SKIP LOCKED``, so processes share the work and never
wait on each other; SQLite: the transaction's ``BEGIN IMMEDIATE`` writer lock), fires their timers
and saves each under the version check with its projections and audit trail. The instance row
lock is the one every writer of an instance takes (save_state's UPDATE), so a timer fires exactly
once: whoever commits first turns it into a fired row and a state without it; a process killed
mid-batch commits nothing and its rows are claimed again by the others. A failing instance's due
rows get a back-off (2, 4, 8 ... s, at most 5 min); after TIMER_MAX_ATTEMPTS failures they become
incidents that a supervisor lists and retries. Other instances of the batch go on.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...errors import Conflict, Forbidden, NotFound
from ...models import Complaint, ProcessInstance, Timer
from ..audit.log import AuditLog
from ..runtime import Runtime
from ...domain.actors import Viewer
from .timer_batch import SCHEDULER, BatchResult, NothingDue, fire_batch

__all__ = ["SCHEDULER", "BatchResult", "NothingDue", "fire_batch", "fire_due_timers", "next_due"]
log = logging.getLogger(__name__)


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
