"""Start process instances, save them under their optimistic lock, read them back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.actors import SYSTEM, Actor  # noqa: F401 - SYSTEM: code written before domain/actors.py imports it here
from ...engine import EngineError, Instance, ServiceFailed
from ...errors import Forbidden, Invalid, NotFound
from ...models import AuditEvent, ProcessInstance, ServiceIncident
from ...plain_sql import Plain, Sql, read_time
from ..steps import projection
from ..steps.state import prepare_save, status_of
from ..steps.write import Step, write_step
from ..audit.log import GENESIS, AuditLog, appended_mark
from ..process_models.forms import check_data_depth
from ..runtime import DeployedModel, Runtime
from .incident_rows import open_incidents, view as incident_view
from .ready_tasks import ready_tasks_of, task_summary


# Engine-run elements worth a line in the trail: they change data or decide something.
# Gateways and plain events are not recorded: the tasks that follow show the path taken,
# and every extra event costs about 300 bytes per instance.
AUDITED_KINDS = {"Script Task", "Business Rule Task", "Service Task", "Send Task", "Call Activity", "Subprocess"}


def record_steps(log: AuditLog, inst: Instance, steps, actor: Actor, now, skip_task_id: str | None = None) -> None:
    """Audit what the engine ran on its own that changes data (script, rule, service tasks)."""
    for step in steps:
        if step.task_id == skip_task_id or step.kind not in AUDITED_KINDS:
            continue
        log.append(
            "engine.step",
            at=now,
            actor=actor.name,
            actor_id=actor.id,
            task_id=step.task_id,
            element_id=step.element_id,
            element_name=step.name,
            after={"kind": step.kind},
        )


def audit_new_tasks(log: AuditLog, changes: projection.Changes, actor: Actor, now, ready: bool = False) -> None:
    """Audit tasks the engine withdrew and, with ready=True, the ones it created.

    A task that follows a person's completion needs no event of its own (human_task.created_at
    says when); one raised by a timer (督办, escalation) does: nobody else's event explains it.
    """
    if ready:
        for row in changes.created_tasks:
            log.append(
                "task.ready",
                at=now,
                actor=actor.name,
                actor_id=actor.id,
                task_id=row.id,
                element_id=row.element_id,
                element_name=row.name,
                after={
                    "candidate_group": row.candidate_group,
                    "due_at": row.due_at.isoformat() if row.due_at else None,
                },
            )
    for tid in changes.cancelled_task_ids:
        log.append("task.cancelled", at=now, actor=actor.name, actor_id=actor.id, task_id=tid)


class Begun(NamedTuple):
    """A started engine instance and, when a connector failed on the way, its failure (an incident to open)."""

    inst: Instance
    failure: ServiceFailed | None


def run_start(rt: Runtime, model: DeployedModel, data: Mapping[str, Any]) -> Begun:
    """Start the engine on a model, outside any transaction (the engine is never run under the write lock).

    A connector that failed after its retries does not undo the start: the instance is kept with the
    service task in error, and finish_start opens its incident (service_incidents), as a completion does.
    """
    failed: EngineError
    try:
        return Begun(rt.engine.start(model.bundle, data), None)
    except ServiceFailed as exc:
        if exc.started is not None:
            return Begun(exc.started, exc)
        failed = exc
    except EngineError as exc:
        failed = exc
    raise Invalid(
        f"the process failed to start: {failed}",
        [{"field": failed.element_id, "message": str(failed), "code": "instance.start_failed"}],
        code="instance.start_failed",
    ) from failed


@dataclass(frozen=True)
class StartedRow:
    """The process_instance row insert_instance wrote."""

    id: int
    state: bytes
    audit_mark: int | None  # audit.log.appended_mark at the insert: the new instance's chain was empty


_INSERT_INSTANCE = Sql(
    "INSERT INTO process_instance (process_version_id, process_id, status, state, version, created_by_id, created_at,"
    " updated_at, completed_at) VALUES (:version_id, :process_id, :status, :state, 1, :by, :at, :at, :done_at)"
    " RETURNING id"
)


def insert_instance(
    s: Session, rt: Runtime, model: DeployedModel, inst: Instance, actor: Actor, state: bytes | None = None
) -> StartedRow:
    """Insert a started instance's row inside the caller's write transaction (plain SQL: every start runs it).

    state: inst's state from steps.state.prepare_save, serialized before the transaction took the lock.
    """
    now = rt.clock.now()
    db = Plain.of(s)
    if state is None:
        state = inst.dump()
    ((row_id,),) = db.rows(
        _INSERT_INSTANCE,
        {
            "version_id": model.version_id,
            "process_id": model.process_id,
            "status": status_of(inst),
            "state": state,
            "by": actor.id,
            "at": db.time(now),
            "done_at": db.time(now) if inst.completed else None,
        },
    )
    return StartedRow(row_id, state, appended_mark(s))


def finish_start(
    s: Session,
    rt: Runtime,
    row: StartedRow,
    inst: Instance,
    actor: Actor,
    data: Mapping[str, Any],
    has_complaint: bool | None = None,
    resource: str | None = None,
    failure: ServiceFailed | None = None,
) -> list[dict[str, Any]]:
    """Write the rest of a start's step (the row is inserted): resource names what an idempotent request made.

    failure: the connector run_start saw fail; its incident is opened with the step. Returns the incidents opened.
    """
    now = rt.clock.now()
    incidents: list = []

    def audit(log: AuditLog, changes: projection.Changes) -> None:
        log.append("instance.started", at=now, actor=actor.name, actor_id=actor.id, after=dict(data))
        record_steps(log, inst, inst.steps, actor, now)
        audit_new_tasks(log, changes, actor, now)
        if failure is not None:
            incidents.extend(open_incidents(s, log, row.id, inst, failure, actor, now))
        if inst.completed:
            log.append("instance.completed", at=now, actor=actor.name, actor_id=actor.id)

    write_step(
        s,
        rt,
        Step(
            row.id,
            inst,
            now,
            submitted=dict(data),
            resource=resource or f"instance:{row.id}",
            # A new instance: no timer or task rows, an empty chain; nothing to read. "Has a complaint"
            # unless the caller knows it has none (its UPDATE finds no row otherwise), as sync's None does.
            known=projection.Known(
                has_complaint=has_complaint is not False, audit_head=(0, GENESIS), audit_mark=row.audit_mark
            ),
        ),
        audit,
    )
    return [incident_view(r) for r in incidents]


def start_instance(
    rt: Runtime, process_id: str, data: Mapping[str, Any], actor: Actor, groups: frozenset[str] | None = None
) -> int:
    """Start the current version of a process with initial data; return the instance id.

    groups: the starting person's groups, checked against the diagram's startGroups property
    (None for the system's own starts: the scheduler, demos, benchmarks).
    """
    if not isinstance(data, Mapping):
        raise Invalid(
            "data must be a JSON object",
            [{"field": "data", "message": "must be an object", "code": "instance.bad_data"}],
        )
    check_data_depth(data)  # task data nests at most 32 levels: deeper would fail every later script
    model = rt.current_model(process_id)
    if groups is not None:
        may_start(model.bundle.start_groups, groups, process_id)
    inst, failure = run_start(rt, model, data)
    prepared = prepare_save(inst)  # outside the write lock
    with rt.db.write() as s:
        row = insert_instance(s, rt, model, inst, actor, prepared)
        # a complaint comes only with registration
        finish_start(s, rt, row, inst, actor, data, has_complaint=False, failure=failure)
    rt.live.keep(row.id, row.state, inst)  # its first task is usually worked next
    return row.id


def may_start(start_groups: tuple[str, ...] | None, groups: frozenset[str], process_id: str) -> None:
    """Raise Forbidden unless one of the groups is in the process's startGroups (none named: nobody)."""
    if start_groups is None:
        raise Forbidden(
            f"process '{process_id}' does not name who may start it (its startGroups property)",
            code="instance.no_start_groups",
        )
    if not groups & set(start_groups):
        raise Forbidden(
            f"process '{process_id}' may be started by {', '.join(start_groups)} only",
            code="instance.start_not_allowed",
        )


@dataclass(frozen=True)
class Loaded:
    row_id: int
    version: int
    status: str
    model: DeployedModel
    inst: Instance


_INSTANCE = Sql(
    "SELECT state, version, status, process_version_id, process_id, error, created_at, updated_at,"
    " completed_at FROM process_instance WHERE id = :iid"
)


def engine_instance(rt: Runtime, model: DeployedModel, instance_id: int, state: bytes) -> Instance:
    """The engine object of a stored state: the one this process saved it from, else rebuilt from it."""
    return rt.live.take(instance_id, state) or rt.engine.load(model.bundle, state)


# The answer to every start asks this; the incidents themselves are read only when there is one.
_HAS_OPEN_INCIDENT = Sql("SELECT 1 FROM service_incident WHERE status = 'open' AND instance_id = :iid LIMIT 1")


def _fetch(rt: Runtime, instance_id: int, db: Plain | None = None) -> tuple[tuple, Loaded]:
    if db is None:
        with rt.db.plain() as own:
            return _fetch(rt, instance_id, own)
    row = db.first(_INSTANCE, {"iid": instance_id})
    if row is None:
        raise NotFound(f"process instance {instance_id} does not exist", code="instance.not_found")
    state, version, status, version_id = row[:4]
    model = rt.model(version_id)
    return row, Loaded(instance_id, version, status, model, engine_instance(rt, model, instance_id, state))


def load_instance(rt: Runtime, instance_id: int) -> Loaded:
    """Read an instance's state and rebuild it (outside any write lock); the caller owns the object."""
    return _fetch(rt, instance_id)[1]


def describe_instance(rt: Runtime, instance_id: int, with_incidents: bool = False) -> dict[str, Any]:
    """Status, version, data and ready tasks of an instance.

    with_incidents: also its open service incidents, under "incidents" when it has any (the answer to its
    start, whose connector may have failed, as a completion's answer shows the ones it opened).
    """
    with rt.db.plain() as db:  # one pooled connection for the three reads
        row, loaded = _fetch(rt, instance_id, db)
        ready = ready_tasks_of(rt, instance_id, db)
        with_incidents = with_incidents and db.first(_HAS_OPEN_INCIDENT, {"iid": instance_id}) is not None
    data = loaded.inst.data
    rt.live.keep(instance_id, row[0], loaded.inst)  # only read: the next step of this instance can use it
    out = {
        "id": instance_id,
        "process_id": row[4],
        "process_version": loaded.model.version,
        "status": loaded.status,
        "version": loaded.version,
        "error": row[5],
        "created_at": read_time(row[6]).isoformat(),
        "updated_at": read_time(row[7]).isoformat(),
        "completed_at": read_time(row[8]).isoformat() if row[8] else None,
        "data": data,
        "ready_tasks": [task_summary(rt, t) for t in ready],
    }
    if with_incidents:
        with rt.db.read() as s:
            opened = s.scalars(
                select(ServiceIncident)
                .where(ServiceIncident.instance_id == instance_id, ServiceIncident.status == "open")
                .order_by(ServiceIncident.id)
            )
            incidents = [incident_view(r) for r in opened]
        if incidents:
            out["incidents"] = incidents
    return out


def list_events(rt: Runtime, instance_id: int) -> list[dict[str, Any]]:
    """The audit trail of an instance, oldest first."""
    with rt.db.read() as s:
        if s.get(ProcessInstance, instance_id) is None:
            raise NotFound(f"process instance {instance_id} does not exist", code="instance.not_found")
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
        ).all()
        return [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "type": e.type,
                "task_id": e.task_id,
                "element_id": e.element_id,
                "element_name": e.element_name,
                "reason": e.reason,
                "data_before": e.data_before,
                "data_after": e.data_after,
                "hash": e.hash,
            }
            for e in events
        ]
