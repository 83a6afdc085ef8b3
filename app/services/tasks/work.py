"""Human tasks: the inbox query, claim and release, and completing a task with its form."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import or_, select, update

from ...domain import policy
from ...domain.actors import Viewer
from ...domain.whole_numbers import whole_number
from ...engine import EngineError, ServiceFailed, TaskNotReady, refused_by_sandbox, unknown_name
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...models import Complaint, HumanTask, ProcessInstance
from ...plain_sql import Plain, Sql
from ..complaints import ownership
from ..process_models import forms
from ..steps import projection
from ..sla import promise_keeping, supervision
from ..accounts import need_to_know
from ..audit.log import AuditLog
from ..audit.trail import record_access
from ..instances.failures import stop_instance
from ..instances.ready_tasks import TaskRow, ready_tasks_of, task_summary
from ..instances.service_incidents import open_incidents, view as incident_view
from ..instances.store import Loaded, audit_new_tasks, engine_instance, load_instance, record_steps
from ..steps.state import prepare_save
from ..steps.write import Step, write_step
from ..runtime import Runtime


def _may_see(viewer: Viewer, t: Any) -> bool:
    return policy.may_read_task(viewer.id, viewer.groups, policy.seat_of(t))


def _may_work(viewer: Viewer, t: Any) -> bool:
    return policy.may_work_task(viewer.id, viewer.groups, policy.seat_of(t))


def list_tasks(
    rt: Runtime,
    viewer: Viewer,
    *,
    instance_id: int | None = None,
    state: str | None = "ready",
    assignee: str | None = None,
    group: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict]:
    """Tasks the viewer may see, soonest deadline first."""
    q = select(HumanTask)
    if not viewer.oversees:
        q = q.where(
            or_(
                HumanTask.candidate_group.in_(viewer.groups),
                HumanTask.candidate_group.is_(None),
                HumanTask.assignee_id == viewer.id,
            )
        )
    if instance_id is not None:
        q = q.where(HumanTask.instance_id == instance_id)
    if state:
        q = q.where(HumanTask.state == state)
    if assignee == "me":
        q = q.where(HumanTask.assignee_id == viewer.id)
    elif assignee == "none":
        q = q.where(HumanTask.assignee_id.is_(None))
    elif assignee:
        user_id = whole_number(assignee)
        if user_id is None:
            raise Invalid(
                "bad filter",
                [{"field": "assignee", "message": "use me, none or a user id", "code": "inbox.bad_assignee"}],
            )
        q = q.where(HumanTask.assignee_id == user_id)
    if group:
        q = q.where(HumanTask.candidate_group == group)
    q = (
        q.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
        .limit(min(limit, 500))
        .offset(offset)
    )
    with rt.db.read() as s:
        return [task_summary(rt, t) for t in s.scalars(q)]


def get_task(rt: Runtime, viewer: Viewer, task_id: str) -> dict[str, Any]:
    """One task with its form schema and current data."""
    with rt.db.read() as s:
        t = s.get(HumanTask, task_id)
        if t is None or not _may_see(viewer, t):
            raise NotFound(
                f"task {task_id} does not exist", code="task.not_found"
            )  # never confirm another group's task
        out = task_summary(rt, t)
        version_id = s.scalar(select(ProcessInstance.process_version_id).where(ProcessInstance.id == t.instance_id))
        complaint_id = s.scalar(select(Complaint.id).where(Complaint.instance_id == t.instance_id))
    model = rt.model(version_id)
    spec = model.bundle.user_tasks.get(out["element_id"])
    schema = model.form(out["form"])
    out["form_schema"] = forms.load(schema) if schema else None
    out["ui_schema"] = forms.load(model.form(spec.ui_form)) if spec and spec.ui_form else None
    out["instructions"] = spec.instructions if spec else None
    out["complaint_id"] = complaint_id
    out["may_work"] = _may_work(viewer, out)
    if out["state"] == "ready":
        loaded = load_instance(rt, out["instance_id"])
        ready = {v.id: v for v in loaded.inst.ready_tasks()}
        out["data"] = ready[task_id].data if task_id in ready else {}
    return out


def read_task(rt: Runtime, viewer: Viewer, task_id: str, via: str) -> dict[str, Any]:
    """A task the viewer may read (get_task), its data masked unless they work the complaint; logged."""
    task = get_task(rt, viewer, task_id)
    shown = need_to_know.works_on(rt, viewer, task["instance_id"])
    record_access(
        rt,
        viewer,
        "task.viewed",
        via,
        instance_id=task["instance_id"],
        detail={"task_id": task_id, "personal_data": "shown" if shown else "masked"},
    )
    return need_to_know.guard(task, shown)


def claim_task(rt: Runtime, viewer: Viewer, task_id: str) -> dict[str, Any]:
    """Take a ready task of one's group; 409 if someone else holds it."""
    now = rt.clock.now()
    with rt.db.write() as s:
        t = s.get(HumanTask, task_id)
        if t is None or not _may_see(viewer, t):
            raise NotFound(f"task {task_id} does not exist", code="task.not_found")
        if not _may_work(viewer, t):
            raise Forbidden("this task belongs to another group", code="task.other_group")
        result = s.execute(
            update(HumanTask)
            .where(
                HumanTask.id == task_id,
                HumanTask.state == "ready",
                or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == viewer.id),
            )
            .values(assignee_id=viewer.id)
        )
        if result.rowcount != 1:
            raise Conflict("the task is no longer ready or someone else holds it", code="task.claim_lost")
        AuditLog(s, t.instance_id).append(
            "task.claimed",
            at=now,
            actor=viewer.name,
            actor_id=viewer.id,
            task_id=t.id,
            element_id=t.element_id,
            element_name=t.name,
        )
        s.refresh(t)
        return task_summary(rt, t)


def release_task(rt: Runtime, viewer: Viewer, task_id: str, reason: str = "") -> dict[str, Any]:
    """Give a claimed task back to its group."""
    now = rt.clock.now()
    with rt.db.write() as s:
        t = s.get(HumanTask, task_id)
        if t is None or not _may_see(viewer, t):
            raise NotFound(f"task {task_id} does not exist", code="task.not_found")
        result = s.execute(
            update(HumanTask)
            .where(HumanTask.id == task_id, HumanTask.state == "ready", HumanTask.assignee_id == viewer.id)
            .values(assignee_id=None)
        )
        if result.rowcount != 1:
            raise Conflict("you do not hold this task", code="task.not_held")
        AuditLog(s, t.instance_id).append(
            "task.released",
            at=now,
            actor=viewer.name,
            actor_id=viewer.id,
            task_id=t.id,
            element_id=t.element_id,
            element_name=t.name,
            reason=reason or None,
        )
        s.refresh(t)
        return task_summary(rt, t)


# The hot path in plain SQL (app/plain_sql.py): through the ORM its dozen statements cost more
# than the engine's work (docs/performance.md).
_COMPLETION_CONTEXT = Sql(
    "SELECT t.instance_id, t.element_id, t.name, t.form, t.state, t.assignee_id, t.candidate_group,"
    " i.state, i.version, i.process_version_id, c.suspended_at, c.id"
    " FROM human_task t JOIN process_instance i ON i.id = t.instance_id"
    " LEFT JOIN complaint c ON c.instance_id = t.instance_id WHERE t.id = :task_id"
)


class _Context(NamedTuple):
    """What a completion needs to know before it runs the engine (one row of _COMPLETION_CONTEXT)."""

    instance_id: int
    element_id: str
    name: str
    form: str | None
    state: str
    assignee_id: int | None
    candidate_group: str | None
    instance_state: bytes
    version: int
    process_version_id: int
    suspended_at: Any
    complaint_id: int | None  # None: the instance has none (a complaint is only ever made with its instance)


# PostgreSQL: the instance's row first, then its task's, in the order a timer batch takes them (its claim
# locks the instance, its projection then cancels the task a boundary timer interrupts); taken the other way
# round, a completion and a firing on the same task deadlocked and one of them failed with a database error.
_LOCK_INSTANCE = Sql("SELECT id FROM process_instance WHERE id = :iid FOR UPDATE")
_FINISH_TASK = Sql(
    "UPDATE human_task SET state = 'completed', completed_at = :at, completed_by_id = :by, assignee_id = :by"
    " WHERE id = :task_id AND state = 'ready' AND (assignee_id IS NULL OR assignee_id = :by)"
)


def complete_task(rt: Runtime, viewer: Viewer, task_id: str, data: Any) -> dict[str, Any]:
    """Validate data against the task's form, complete it, save; 409 if it is no longer ready."""
    with rt.db.plain() as db:
        got = db.first(_COMPLETION_CONTEXT, {"task_id": task_id})
    t = _Context(*got) if got is not None else None
    if t is None or not _may_see(viewer, t):
        raise NotFound(f"task {task_id} does not exist", code="task.not_found")
    instance_id, element_id, name, form_name = t.instance_id, t.element_id, t.name, t.form
    if not _may_work(viewer, t):
        raise Forbidden("this task belongs to another group", code="task.other_group")
    if t.state != "ready":
        raise Conflict(f"the task is already {t.state}", code="task.closed")
    if t.assignee_id is not None and t.assignee_id != viewer.id:
        raise Conflict("someone else holds this task", code="task.held_by_other")
    if t.suspended_at is not None:
        raise Conflict("the complaint is suspended; a supervisor resumes it first", code="task.suspended")
    model = rt.model(t.process_version_id)
    submitted = forms.validate(model.form(form_name), data)
    loaded = Loaded(instance_id, t.version, "running", model, engine_instance(rt, model, instance_id, t.instance_state))
    try:
        ready = {v.id: v for v in loaded.inst.ready_tasks()}
        old = ready[task_id].data if task_id in ready else {}
        before = {k: old[k] for k in submitted if old.get(k) is not None}  # what the submission overwrote
        extension = supervision.requested(ready.get(task_id), submitted, rt.clock.now())
        if extension is not None:
            with rt.db.read() as s:
                supervision.read_current(s, instance_id, extension)
        before_steps = len(loaded.inst.steps)
        failure: ServiceFailed | None = None
        try:
            steps = loaded.inst.complete(task_id, submitted)
        except ServiceFailed as exc:
            # a connector failed after its retries: the person's step is done and kept, the service
            # task waits in error as an incident a supervisor retries (service_incidents)
            failure, steps = exc, loaded.inst.steps[before_steps:]
        if extension is not None:
            supervision.apply(loaded.inst, extension, rt.clock.now())
    except TaskNotReady as exc:
        raise Conflict(f"the task is no longer ready: {exc}", code="task.not_ready") from exc
    except EngineError as exc:
        # a limit passed, or a name the data does not hold: trying again cannot help, stop the instance
        if refused_by_sandbox(exc) or unknown_name(exc):
            stop_instance(rt, instance_id, loaded.version, exc, viewer.actor)
            raise Invalid(
                f"the process stopped with an error at {exc.element_id or 'a script'}: {exc}",
                [{"field": exc.element_id, "message": str(exc), "code": "task.process_stopped"}],
                code="task.process_stopped",
            ) from exc
        raise Invalid(
            f"the process could not go on: {exc}",
            [{"field": exc.element_id, "message": str(exc), "code": "task.process_failed"}],
            code="task.process_failed",
        ) from exc

    now = rt.clock.now()
    incidents: list = []
    prepared = prepare_save(loaded.inst)  # outside the write lock (steps/state.py)
    with rt.db.write() as s:
        db = Plain.of(s)
        if db.is_postgresql:
            db.first(_LOCK_INSTANCE, {"iid": instance_id})
        if db.run(_FINISH_TASK, {"task_id": task_id, "by": viewer.id, "at": db.time(now)}) != 1:
            raise Conflict("the task was completed or taken by someone else", code="task.taken")
        # 首问负责制: before the projection, which gives the agents' new steps to the owner
        ownership.claim_first_response(db, t.complaint_id, viewer, t.candidate_group)

        def audit(log: AuditLog, changes: projection.Changes) -> None:
            log.append(
                "task.completed",
                at=now,
                actor=viewer.name,
                actor_id=viewer.id,
                task_id=task_id,
                element_id=element_id,
                element_name=name,
                before=before,
                after=submitted,
            )
            record_steps(log, loaded.inst, steps, viewer.actor, now, skip_task_id=task_id)
            audit_new_tasks(log, changes, viewer.actor, now)
            if extension is not None:
                supervision.record(s, log, instance_id, extension, viewer.name, viewer.id, task_id, now)
            promise_keeping.note_answer(db, instance_id, element_id, now)
            if failure is not None:
                incidents.extend(open_incidents(s, log, instance_id, loaded.inst, failure, viewer.actor, now))
            if loaded.inst.completed:
                log.append("instance.completed", at=now, actor=viewer.name, actor_id=viewer.id)

        written = write_step(
            s,
            rt,
            Step(
                instance_id,
                loaded.inst,
                now,
                loaded.version,
                submitted=submitted,
                has_complaint=t.complaint_id is not None,
                state=prepared,
            ),
            audit,
        )
        state = written.state
        # The answer's tasks as the projection left them, not read again; read again after a 督办 extension
        # (it moves the watched task's deadline after the projection) or an incident's opening.
        kept = written.changes.ready_rows
        if kept is None or extension is not None or failure is not None:
            ready_rows = ready_tasks_of(rt, instance_id, db)
        else:
            ready_rows = sorted(map(TaskRow.read, kept), key=lambda r: (r.created_at, r.id))
        opened = [incident_view(r) for r in incidents]
    rt.live.keep(instance_id, state, loaded.inst)
    out = {
        "instance_id": instance_id,
        "status": "completed" if loaded.inst.completed else "running",
        "next_tasks": [task_summary(rt, r) for r in ready_rows],
    }
    if opened:
        out["incidents"] = opened
    return out
