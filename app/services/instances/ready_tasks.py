"""An instance's ready tasks as the projection keeps them, and the summary every task answer shows.

Read by the instance's description and by the task use cases alike, so it sits below both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from ...models import HumanTask
from ...plain_sql import Plain, Sql, column_list, read_time
from ..runtime import Runtime
from ..steps import projection


def sla_state(due: datetime | None, warn: datetime | None, now: datetime, paused: bool = False) -> str:
    if paused:
        return "paused"
    if due is None:
        return "none"
    if now >= due:
        return "breached"
    if warn is not None and now >= warn:
        return "warning"
    return "on_time"


def task_summary(rt: Runtime, t: HumanTask) -> dict[str, Any]:
    now = rt.clock.now()
    paused = t.sla_paused_at is not None and t.state == "ready"
    reference = t.sla_paused_at if paused else now  # a suspended complaint's time left stands still
    return {
        "id": t.id,
        "instance_id": t.instance_id,
        "element_id": t.element_id,
        "name": t.name,
        "lane": t.lane,
        "candidate_group": t.candidate_group,
        "assignee_id": t.assignee_id,
        "state": t.state,
        "form": t.form,
        "priority": t.priority,
        "created_at": t.created_at.isoformat(),
        "due_at": t.due_at.isoformat() if t.due_at else None,
        "warn_at": t.warn_at.isoformat() if t.warn_at else None,
        "due_provisional": bool(t.due_provisional),
        "seconds_left": int((t.due_at - reference).total_seconds()) if t.due_at else None,
        "sla_state": sla_state(t.due_at, t.warn_at, now, paused) if t.state == "ready" else None,
        "completed_at": t.completed_at.isoformat() if t.completed_at else None,
    }


_TASK_COLUMNS = projection.READY_TASK_COLUMNS
_READY_OF_INSTANCE = Sql(
    f"SELECT {column_list(_TASK_COLUMNS)} FROM human_task"
    " WHERE instance_id = :iid AND state = 'ready' ORDER BY created_at, id"
)


class TaskRow(NamedTuple):
    """A human_task row read in plain SQL (projection.READY_TASK_COLUMNS), shaped like the model for task_summary."""

    id: str
    instance_id: int
    element_id: str
    name: str
    lane: str | None
    candidate_group: str | None
    assignee_id: int | None
    state: str
    form: str | None
    priority: int
    created_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    due_provisional: bool
    sla_paused_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def read(cls, r: tuple) -> "TaskRow":
        return cls(
            *r[:10],
            read_time(r[10]),
            read_time(r[11]),
            read_time(r[12]),
            bool(r[13]),
            read_time(r[14]),
            read_time(r[15]),
        )


def ready_tasks_of(rt: Runtime, instance_id: int, db: Plain | None = None) -> list[TaskRow]:
    """An instance's ready tasks, oldest first (in the caller's transaction when given db)."""
    if db is None:
        with rt.db.plain() as own:
            return ready_tasks_of(rt, instance_id, own)
    return [TaskRow.read(r) for r in db.rows(_READY_OF_INSTANCE, {"iid": instance_id})]
