"""Who may look at which instance: a user only sees the work of their groups."""
from __future__ import annotations

from sqlalchemy import exists, or_, select

from ...errors import NotFound
from ...models import HumanTask, ProcessInstance
from ..runtime import Runtime
from ..tasks.work import Viewer


def may_view_instance(rt: Runtime, viewer: Viewer, instance_id: int) -> bool:
    """Overseers and agents (who own complaints end to end) see all; others what their groups worked."""
    with rt.db.read() as s:
        if s.get(ProcessInstance, instance_id) is None:
            return False
        if viewer.oversees or "agent" in viewer.groups:
            return True
        return bool(s.scalar(select(exists().where(
            HumanTask.instance_id == instance_id,
            or_(HumanTask.candidate_group.in_(viewer.groups), HumanTask.assignee_id == viewer.id),
        ))))


def require_instance(rt: Runtime, viewer: Viewer, instance_id: int) -> None:
    """Raise NotFound (never Forbidden: do not confirm it exists) unless the viewer may see it."""
    if not may_view_instance(rt, viewer, instance_id):
        raise NotFound(f"process instance {instance_id} does not exist")
