"""Who may look at which instance: a user only sees the work of their groups."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from ...errors import NotFound
from ...models import Complaint, HumanTask, ProcessInstance
from ..runtime import Runtime
from ...domain.actors import Viewer


def may_view_instance(rt: Runtime, viewer: Viewer, instance_id: int) -> bool:
    """Followers of every complaint (agents own them end to end; overseers audit) see all; others what their groups worked."""
    with rt.db.read() as s:
        # Its id only: loading the row would read its serialized state too (5-6 KB, overflow pages at a million).
        if s.scalar(select(ProcessInstance.id).where(ProcessInstance.id == instance_id)) is None:
            return False
        if viewer.can("complaint.follow_any"):
            return True
        return bool(
            s.scalar(
                select(
                    exists().where(
                        HumanTask.instance_id == instance_id,
                        or_(HumanTask.candidate_group.in_(viewer.groups), HumanTask.assignee_id == viewer.id),
                    )
                )
            )
        )


def require_instance(rt: Runtime, viewer: Viewer, instance_id: int) -> None:
    """Raise NotFound (never Forbidden: do not confirm it exists) unless the viewer may see it."""
    if not may_view_instance(rt, viewer, instance_id):
        raise NotFound(f"process instance {instance_id} does not exist", code="instance.not_found")


def visible_complaints(q, viewer: Viewer):
    """Narrow a query of complaints to those the viewer may open."""
    if viewer.can("complaint.follow_any"):
        return q  # agents own complaints end to end (首问负责制); overseers audit
    # A correlated EXISTS probes each complaint's own tasks by instance; IN (subquery) made the
    # database first collect every task of the viewer's department (14,000 at 100,000 open tasks).
    mine = exists().where(
        HumanTask.instance_id == Complaint.instance_id,
        or_(HumanTask.candidate_group.in_(viewer.groups), HumanTask.assignee_id == viewer.id),
    )
    return q.where(mine)


def visible_complaint(s, viewer: Viewer, complaint_id: int) -> Complaint | None:
    """One complaint if the viewer may open it (in the caller's session), else None."""
    return s.scalars(visible_complaints(select(Complaint), viewer).where(Complaint.id == complaint_id)).first()
