"""Stop an instance whose diagram the sandbox refused at run time, and say where.

A script that loops past the limits, or builds a value too large, fails the same way whatever
the person submits: leaving the task open would only fail again. The instance is marked
``error`` with the message on ``process_instance.error``, its open tasks and timers are
cancelled, and the audit trail gets an ``instance.error`` event naming the element. Nothing else
is affected: the next request is served as usual.
"""

from __future__ import annotations

from sqlalchemy import update

from ...engine import EngineError
from ...models import HumanTask, ProcessInstance, Timer
from ..audit.log import AuditLog
from ...domain.actors import Actor
from ..runtime import Runtime


def stop_instance(
    rt: Runtime, instance_id: int, expected_version: int, error: EngineError, actor: Actor, element_name: str = ""
) -> bool:
    """Mark the instance failed (if nobody changed it since it was read); return whether it was."""
    now = rt.clock.now()
    text = str(error)[:4000]
    with rt.db.write() as s:
        result = s.execute(
            update(ProcessInstance)
            .where(
                ProcessInstance.id == instance_id,
                ProcessInstance.version == expected_version,
                ProcessInstance.status == "running",
            )
            .values(status="error", error=text, version=expected_version + 1, updated_at=now)
        )
        if result.rowcount != 1:
            return False
        s.execute(
            update(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
            .values(state="cancelled", completed_at=now)
        )
        s.execute(
            update(Timer)
            .where(Timer.instance_id == instance_id, Timer.status.in_(("waiting", "paused")))
            .values(status="cancelled")
        )
        AuditLog(s, instance_id).append(
            "instance.error",
            at=now,
            actor=actor.name,
            actor_id=actor.id,
            element_id=error.element_id or None,
            element_name=error.element_name or element_name or None,
            reason=text,
        )
    return True
