"""Complete a ready task on someone's behalf: the customer's survey answer, an outage's common answer.

The person or system acting is not a member of the task's group (the customer has no account; the incident's
resolver answers every linked complaint at once), so the group checks of tasks.complete_task do not apply;
the form, the suspension, the optimistic lock, the projections and the audit trail do, exactly as there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterable, Mapping

from sqlalchemy import select, update

from ...domain.group_aliases import group_assignment
from ...engine import EngineError, ServiceFailed, TaskNotReady
from ...errors import Conflict, Invalid
from ...models import Complaint, HumanTask, ProcessInstance
from ..process_models import forms
from ..steps import projection
from ..audit.log import AuditLog
from ...domain.actors import Actor
from .service_incidents import open_incidents
from .store import audit_new_tasks, record_steps
from ..steps.write import Step, write_step
from ..runtime import Runtime


def complete_for(
    rt: Runtime,
    actor: Actor,
    instance_id: int,
    elements: Iterable[str],
    data: Mapping[str, Any],
    wake: Iterable[str] = (),
    reason: str | None = None,
) -> dict[str, Any] | None:
    """Complete the instance's ready task among ``elements`` with data; None when none of them is ready.

    ``wake`` names timer events to fire at once when no such task is ready yet (the customer answered while
    the return visit waits two hours before the next call): the task they lead to is then completed.
    """
    wanted, wake = set(elements), set(wake)
    with rt.db.read() as s:
        got = s.execute(
            select(
                ProcessInstance.state,
                ProcessInstance.version,
                ProcessInstance.process_version_id,
                ProcessInstance.status,
                Complaint.suspended_at,
            )
            .outerjoin(Complaint, Complaint.instance_id == ProcessInstance.id)
            .where(ProcessInstance.id == instance_id)
        ).first()
    if got is None or got.status != "running":
        return None
    if got.suspended_at is not None:
        raise Conflict("the complaint is suspended; a supervisor resumes it first", code="task.suspended")
    model = rt.model(got.process_version_id)
    inst = rt.engine.load(model.bundle, got.state)
    now = rt.clock.now()
    task = next((t for t in inst.ready_tasks() if t.element_id in wanted), None)
    fired: set[str] = set()
    if task is None and wake:
        timers = [t for t in inst.waiting_timers() if t.element_id in wake]
        for timer in timers:  # due a moment ago: SpiffWorkflow fires a timer once now is past its instant
            inst.set_timer_due(timer.task_id, now - timedelta(seconds=1))
        if timers:
            fired = {step.task_id for step in inst.fire_timers()} & {t.task_id for t in timers}
            task = next((t for t in inst.ready_tasks() if t.element_id in wanted), None)
    if task is None:
        return None
    submitted = forms.validate(model.form(task.form), dict(data))
    with rt.db.read() as s:
        group = projection.resolve_group(
            inst, task, projection.group_lookup(s), group_assignment(rt.settings.get("GROUP_ALIASES"))
        )
    before_steps = len(inst.steps)
    failure: ServiceFailed | None = None
    try:
        steps = inst.complete(task.id, submitted)
    except ServiceFailed as exc:  # the answer is kept; the connector waits as an incident (service_incidents)
        failure, steps = exc, inst.steps[before_steps:]
    except TaskNotReady as exc:
        raise Conflict(f"the task is no longer ready: {exc}", code="task.not_ready") from exc
    except EngineError as exc:
        raise Invalid(
            f"the process could not go on: {exc}",
            [{"field": exc.element_id, "message": str(exc), "code": "task.process_failed"}],
            code="task.process_failed",
        ) from exc
    with rt.db.write() as s:
        done = s.execute(
            update(HumanTask)
            .where(HumanTask.id == task.id, HumanTask.state == "ready")
            .values(state="completed", completed_at=now, completed_by_id=actor.id)
        )
        if done.rowcount != 1 and s.get(HumanTask, task.id) is None:
            # raised by the woken timer and completed at once: it never reached the inbox, but the trail and
            # the reports read completed tasks from human_task
            s.add(
                HumanTask(
                    id=task.id,
                    instance_id=instance_id,
                    element_id=task.element_id,
                    name=task.name,
                    lane=task.lane,
                    candidate_group=group,
                    state="completed",
                    form=task.form,
                    priority=0,
                    created_at=now,
                    completed_at=now,
                    completed_by_id=actor.id,
                )
            )
            s.flush()

        def audit(log: AuditLog, changes: projection.Changes) -> None:
            log.append(
                "task.completed",
                at=now,
                actor=actor.name,
                actor_id=actor.id,
                task_id=task.id,
                element_id=task.element_id,
                element_name=task.name,
                reason=reason,
                after=submitted,
            )
            record_steps(log, inst, inst.steps[before_steps:] if not steps else steps, actor, now, skip_task_id=task.id)
            audit_new_tasks(log, changes, actor, now)
            if failure is not None:
                open_incidents(s, log, instance_id, inst, failure, actor, now)
            if inst.completed:
                log.append("instance.completed", at=now, actor=actor.name, actor_id=actor.id)

        write_step(s, rt, Step(instance_id, inst, now, got.version, submitted=submitted, fired_task_ids=fired), audit)
    return {
        "instance_id": instance_id,
        "task_id": task.id,
        "element_id": task.element_id,
        "status": "completed" if inst.completed else "running",
    }
