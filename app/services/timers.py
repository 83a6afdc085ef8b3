"""Fire due timers: claim instances with due timer rows, run their timers, save under the lock.

Exactly once across any number of processes: the instance's version column lets only one
save of a given state win; the loser's work is discarded (Conflict) and nothing is written.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update

from ..engine import EngineError
from ..errors import Conflict
from ..models import ProcessInstance, Timer
from . import projection
from .audit import AuditLog
from .instances import SYSTEM, Actor, audit_new_tasks, load_instance, record_steps, save_state
from .runtime import Runtime

log = logging.getLogger(__name__)
SCHEDULER = Actor(None, "scheduler")


def due_instance_ids(rt: Runtime, limit: int = 200) -> list[int]:
    """Instances with at least one timer due now (oldest due first)."""
    now = rt.clock.now()
    q = (select(Timer.instance_id)
         .join(ProcessInstance, ProcessInstance.id == Timer.instance_id)
         .where(Timer.status == "waiting", Timer.due_at <= now, ProcessInstance.status == "running",
                or_(Timer.next_attempt_at.is_(None), Timer.next_attempt_at <= now))
         .group_by(Timer.instance_id).order_by(Timer.instance_id).limit(limit))
    with rt.db.read() as s:
        return list(s.scalars(q))


def fire_instance_timers(rt: Runtime, instance_id: int) -> int:
    """Fire one instance's due timers; return how many fired (0 if another process won)."""
    loaded = load_instance(rt, instance_id)
    waiting = {t.task_id for t in loaded.inst.waiting_timers()}
    try:
        steps = loaded.inst.fire_timers()
    except EngineError as exc:
        _record_failure(rt, instance_id, str(exc))
        return 0
    fired_ids = {s.task_id for s in steps if s.task_id in waiting}
    if not fired_ids:
        return 0
    now = rt.clock.now()
    try:
        with rt.db.write() as s:
            save_state(s, instance_id, loaded.version, loaded.inst, now)
            changes = projection.sync(s, instance_id, loaded.inst, now, fired_ids)
            audit = AuditLog(s, instance_id)
            for row in changes.fired_timers:
                kind = {"warning": "sla.warning", "breach": "sla.breached"}.get(row.kind, "timer.fired")
                audit.append(kind, at=now, actor=SCHEDULER.name, task_id=row.task_id, element_id=row.element_id,
                             element_name=loaded.model.bundle.element_name(row.element_id),
                             after={"step": row.sla_step, "attached_to": row.attached_to, "due_at": row.due_at.isoformat()})
            record_steps(audit, loaded.inst, [x for x in steps if x.task_id not in fired_ids], SCHEDULER, now)
            audit_new_tasks(audit, changes, SCHEDULER, now)
            if loaded.inst.completed:
                audit.append("instance.completed", at=now, actor=SYSTEM.name)
    except Conflict:
        return 0  # another process fired them first
    return len(fired_ids)


def _record_failure(rt: Runtime, instance_id: int, error: str) -> None:
    now = rt.clock.now()
    max_attempts = rt.settings["TIMER_MAX_ATTEMPTS"]
    with rt.db.write() as s:
        for row in s.scalars(select(Timer).where(Timer.instance_id == instance_id, Timer.status == "waiting",
                                                 Timer.due_at <= now)):
            row.attempts += 1
            row.last_error = error[:2000]
            if row.attempts >= max_attempts:
                row.status = "incident"
            else:
                row.next_attempt_at = now + timedelta(seconds=min(2 ** row.attempts, 300))
    log.warning("timers of instance %s failed: %s", instance_id, error)


def fire_due_timers(rt: Runtime, limit: int = 200) -> int:
    """One tick: fire every due timer; a failing instance does not block the others."""
    fired = 0
    for instance_id in due_instance_ids(rt, limit):
        try:
            fired += fire_instance_timers(rt, instance_id)
        except Exception:  # one broken instance must not stop the tick
            log.exception("firing timers of instance %s", instance_id)
    return fired
