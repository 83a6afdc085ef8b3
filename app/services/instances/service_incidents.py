"""A service task whose connector keeps failing becomes an incident on its instance, never a lost step.

The connector itself retries with back-off (services/connectors, config/connectors.toml [retry]).
When the last attempt fails during a completion, the person's task is still completed and saved
(their input kept), the service task waits in error inside the engine state, and an incident
names the element, the connector and its error. Supervisors see it on the instance page and
through the API and retry it once the fault is fixed: the step runs again and the instance goes on;
a retry that fails again keeps the incident open with the new error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.actors import Actor, Viewer
from ...engine import Instance, ServiceFailed, TaskNotReady
from ...errors import Conflict, Forbidden, NotFound
from ...models import ServiceIncident
from ..audit.log import AuditLog
from ..runtime import Runtime
from ..steps import projection
from ..steps.write import Step, write_step
from .store import audit_new_tasks, load_instance, record_steps

CAPABILITY = "service_incident.manage"


def view(row: ServiceIncident) -> dict[str, Any]:
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "element_id": row.element_id,
        "element_name": row.element_name,
        "connector": row.connector,
        "status": row.status,
        "attempts": row.attempts,
        "error": row.last_error,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
    }


def _guard(viewer: Viewer) -> None:
    if not viewer.can(CAPABILITY):
        raise Forbidden("only supervisors see and retry service incidents", code="supervisor.only")


def open_incidents(
    s: Session, log: AuditLog, instance_id: int, inst: Instance, failure: ServiceFailed, actor: Actor, now: datetime
) -> list[ServiceIncident]:
    """Record each service task of the instance that waits in error (inside the caller's write)."""
    known = set(
        s.scalars(
            select(ServiceIncident.task_id).where(
                ServiceIncident.instance_id == instance_id, ServiceIncident.status == "open"
            )
        )
    )
    rows = []
    for failed in inst.failed_services():
        if failed.task_id in known:
            continue
        row = ServiceIncident(
            instance_id=instance_id,
            task_id=failed.task_id,
            element_id=failed.element_id,
            element_name=failed.name,
            connector=failure.operator if failed.element_id == failure.element_id else "",
            status="open",
            attempts=1,
            last_error=str(failure)[:4000],
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        rows.append(row)
        log.append(
            "incident.opened",
            at=now,
            actor=actor.name,
            actor_id=actor.id,
            element_id=failed.element_id,
            element_name=failed.name,
            reason=row.last_error,
            after={"connector": row.connector},
        )
    s.flush()
    return rows


def list_incidents(
    rt: Runtime, viewer: Viewer, instance_id: int | None = None, status: str | None = "open"
) -> list[dict[str, Any]]:
    """Service incidents, newest first (of one instance, or every open one)."""
    _guard(viewer)
    q = select(ServiceIncident).order_by(ServiceIncident.id.desc()).limit(200)
    if instance_id is not None:
        q = q.where(ServiceIncident.instance_id == instance_id)
    if status:
        q = q.where(ServiceIncident.status == status)
    with rt.db.read() as s:
        return [view(r) for r in s.scalars(q)]


def retry_incident(rt: Runtime, viewer: Viewer, incident_id: int) -> dict[str, Any]:
    """Run the failed service task again: resolved when it succeeds, still open (with the new error) when not."""
    _guard(viewer)
    with rt.db.read() as s:
        row = s.get(ServiceIncident, incident_id)
        if row is None:
            raise NotFound(f"incident {incident_id} does not exist", code="incident.not_found")
        if row.status != "open":
            raise Conflict(f"incident {incident_id} is already {row.status}", code="incident.handled")
        instance_id, task_id = row.instance_id, row.task_id
    loaded = load_instance(rt, instance_id)
    if loaded.status != "running":
        raise Conflict(f"the instance is {loaded.status}", code="incident.instance_not_waiting")
    inst = loaded.inst
    failure: ServiceFailed | None = None
    before = len(inst.steps)
    try:
        inst.retry_failed(task_id)
    except TaskNotReady as exc:
        raise Conflict(str(exc)) from exc
    except ServiceFailed as exc:
        failure = exc
    steps = inst.steps[before:]
    now = rt.clock.now()
    actor = viewer.actor
    with rt.db.write() as s:
        row = s.get(ServiceIncident, incident_id)
        if row is None or row.status != "open":
            raise Conflict(f"incident {incident_id} was retried by someone else", code="incident.handled")
        row.attempts += 1
        row.updated_at = now
        if failure is not None and failure.element_id == row.element_id:
            # the same step failed again: nothing changed, the stored state still waits at it
            row.last_error = str(failure)[:4000]
            AuditLog(s, instance_id).append(
                "incident.retry_failed",
                at=now,
                actor=actor.name,
                actor_id=actor.id,
                element_id=row.element_id,
                element_name=row.element_name,
                reason=row.last_error,
            )
            s.flush()
            return view(row)
        row.status, row.resolved_at, row.resolved_by_id = "resolved", now, viewer.id

        def audit(log: AuditLog, changes: projection.Changes) -> None:
            log.append(
                "incident.resolved",
                at=now,
                actor=actor.name,
                actor_id=actor.id,
                element_id=row.element_id,
                element_name=row.element_name,
                after={"connector": row.connector, "attempts": row.attempts},
            )
            record_steps(log, inst, steps, actor, now)
            audit_new_tasks(log, changes, actor, now)
            if failure is not None:  # the retried step passed; a later one failed: its own incident
                open_incidents(s, log, instance_id, inst, failure, actor, now)
            if inst.completed:
                log.append("instance.completed", at=now, actor=actor.name, actor_id=actor.id)

        state = write_step(s, rt, Step(instance_id, inst, now, loaded.version), audit).state
        out = view(row)
    rt.live.keep(instance_id, state, inst)
    return out
