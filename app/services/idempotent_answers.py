"""Answer a retried request again when its key committed but its stored answer was lost.

The key (steps/idempotency.py) names what the first request made; the answer is read back from
it as the request's own service would have shaped it. Beside the packages, not inside steps/: it
reads instances and tasks, which stand above the write path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..models import Complaint, HumanTask, ProcessInstance
from .instances.store import describe_instance
from .runtime import Runtime
from .tasks.work import task_summary


def rebuild(rt: Runtime, resource: str | None) -> tuple[Any, int]:
    """The answer of a committed request whose stored answer was lost, from what it created."""
    kind, _, ident = (resource or "").partition(":")
    with rt.db.read() as s:
        if kind == "complaint":
            c = s.get(Complaint, int(ident))
            return {"id": c.id, "number": c.number, "process_instance_id": c.instance_id, "status": c.status}, 201
        if kind == "task":
            t = s.get(HumanTask, ident)
            inst = s.get(ProcessInstance, t.instance_id)
            ready = s.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == t.instance_id, HumanTask.state == "ready")
                .order_by(HumanTask.created_at)
            ).all()
            return {
                "instance_id": t.instance_id,
                "status": "completed" if inst.status == "completed" else "running",
                "next_tasks": [task_summary(rt, r) for r in ready],
            }, 200
    if kind == "instance":
        return describe_instance(rt, int(ident)), 201
    raise LookupError(f"cannot answer again for {resource!r}")
