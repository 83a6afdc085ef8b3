"""The complaint's owner (首问负责制, domain/ownership.py): set at the first response, followed by the
agents' steps, handed over by a supervisor with a reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...domain import ownership
from ...domain.actors import Viewer
from ...domain.ownership import OWNER_GROUP, may_own
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...models import Complaint, HumanTask, User
from ...plain_sql import Plain, Sql
from ..audit.log import AuditLog
from ..runtime import Runtime
from ..decision_checks import require_reason


__all__ = ["OWNER_GROUP", "claim_first_response", "reassign_owner"]

_CLAIM = Sql("UPDATE complaint SET owner_id = :uid WHERE id = :cid AND owner_id IS NULL")


def claim_first_response(db: Plain, complaint_id: int | None, viewer: Viewer, candidate_group: str | None) -> None:
    """An agent working an agents' step of an unowned complaint becomes its owner (the first responder)."""
    if complaint_id is not None and candidate_group == OWNER_GROUP and may_own(viewer.groups):
        db.run(_CLAIM, {"uid": viewer.id, "cid": complaint_id})


def reassign_owner(rt: Runtime, viewer: Viewer, complaint_id: int, to_user: Any, reason: Any) -> dict[str, Any]:
    """A supervisor hands the complaint, and its open agents' steps, to another agent, with a reason."""
    if not ownership.may_reassign(viewer.groups):
        raise Forbidden("only a supervisor may hand a complaint to another agent", code="owner.not_supervisor")
    reason = require_reason(reason)
    now = rt.clock.now()
    with rt.db.write() as s:
        c = s.get(Complaint, complaint_id)
        if c is None:
            raise NotFound(f"complaint {complaint_id} does not exist", code="complaint.not_found")
        if c.status == "closed":
            raise Conflict("the complaint is closed", code="complaint.closed")
        q = select(User).where(User.active.is_(True))
        q = q.where(User.id == int(to_user)) if str(to_user).isdigit() else q.where(User.username == str(to_user or ""))
        user = s.scalars(q).first()
        if user is None or not may_own(user.group_codes):
            raise Invalid(
                "the new owner must be an active agent",
                [{"field": "to_user", "message": "choose an active agent (一线客服)", "code": "owner.not_agent"}],
            )
        if user.id == c.owner_id:
            raise Conflict("the complaint is already theirs", code="owner.already_theirs")
        before = c.owner_id
        c.owner_id = user.id
        moved = []
        for t in s.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == c.instance_id,
                HumanTask.state == "ready",
                HumanTask.candidate_group == OWNER_GROUP,
            )
        ):
            t.assignee_id = user.id
            moved.append(t.id)
        AuditLog(s, c.instance_id).append(
            "complaint.owner_changed",
            at=now,
            actor=viewer.name,
            actor_id=viewer.id,
            reason=reason,
            before={"owner_id": before},
            after={"owner_id": user.id, "owner": user.display_name, "tasks": moved},
        )
        return {"complaint_id": c.id, "owner_id": user.id, "owner": user.display_name, "tasks": moved}
