"""A service task whose connector keeps failing becomes an incident on its instance, never a lost step.

The connector itself retries with back-off (services/connectors, config/connectors.toml [retry]).
When the last attempt fails during a completion, the person's task is still completed and saved
(their input kept), the service task waits in error inside the engine state, and an incident
names the element, the connector and its error. At a start it is the same: the instance is saved
with its start data (and its complaint, at a registration) and the incident opened on it
(store.finish_start; the row and its view are in incident_rows). Supervisors see it on the instance
page and through the API and retry it once the fault is fixed: the step runs again and the instance
goes on; a retry that fails again keeps the incident open with the new error.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...domain.actors import Viewer
from ...engine import ServiceFailed, TaskNotReady
from ...errors import Conflict, Forbidden, NotFound
from ...models import ServiceIncident
from ..audit.log import AuditLog
from ..runtime import Runtime
from ..steps import projection
from ..steps.write import Step, write_step
from .incident_rows import open_incidents, view
from .store import audit_new_tasks, load_instance, record_steps

CAPABILITY = "service_incident.manage"


def _guard(viewer: Viewer) -> None:
    if not viewer.can(CAPABILITY):
        raise Forbidden("only supervisors see and retry service incidents", code="supervisor.only")


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
        raise Conflict(str(exc), code="task.not_ready") from exc
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
