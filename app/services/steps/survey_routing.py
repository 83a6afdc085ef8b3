"""Each survey answer reaches the people it concerns (seed 000, 8.2): the owning agent (首问责任人) and the
handling department's supervisors, as a notice; an answer of 不满意 or with a rating at or below the
configured threshold (config/surveys.toml [routing] low_rating) is flagged.

Written in the transaction that records the answer: the audit event ``survey.answered`` (what was answered,
the flag, who was told) and one staff notice per person (services/notifications/staff.py, the notices list and
the top bar's count read them beside the task notices, keyed by the event so nobody is told twice). A closing
answer arrives through the return visit's steps (a branch effect of the write path), an in-progress one
through the survey link (services/surveys).

The handling department's supervisors are the active members of the supervisor group who are also in that
department's group (handler_<department>); where no supervisor is, every active supervisor is told.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.policy import HANDLER_PREFIX, SUPERVISOR
from ...domain.survey_rules import RATING_KEYS, is_low
from ...models import AuditEvent, Complaint, Group, User, user_group
from ..audit.log import AuditLog
from ..notifications import staff
from ..runtime import Runtime
from ..runtime.survey_config import survey_rules

KINDS = ("closing", "in_progress")


def _members(s: Session, code: str) -> set[int]:
    return set(
        s.scalars(
            select(User.id)
            .join(user_group, user_group.c.user_id == User.id)
            .join(Group, Group.id == user_group.c.group_id)
            .where(Group.code == code, User.active.is_(True))
        )
    )


def supervisors_of(s: Session, department: str | None) -> set[int]:
    """The department's own supervisors, else every supervisor."""
    supervisors = _members(s, SUPERVISOR)
    own = supervisors & _members(s, HANDLER_PREFIX + department) if department else set()
    return own or supervisors


def route_answer(
    s: Session,
    rt: Runtime,
    complaint: Complaint,
    kind: str,
    answers: Mapping[str, Any],
    now: datetime,
    *,
    actor: str = "customer",
    actor_id: int | None = None,
) -> dict[str, Any]:
    """Record who is told of this answer, flagged low or not; return what was recorded."""
    if complaint.instance_id is None:
        return {}
    ratings = {k: answers[k] for k in RATING_KEYS if isinstance(answers.get(k), int)}
    low = is_low(survey_rules(rt), answers.get("satisfaction"), ratings)
    people = supervisors_of(s, complaint.department)
    if complaint.owner_id is not None:
        people.add(complaint.owner_id)
    people.discard(actor_id)  # an agent who took the answer on the phone needs no notice of it
    after = {
        "kind": kind,
        "satisfaction": answers.get("satisfaction"),
        **ratings,
        "low": low,
        "notified": sorted(people),
    }
    digest = AuditLog(s, complaint.instance_id).append(
        "survey.answered",
        at=now,
        actor=actor,
        actor_id=actor_id,
        reason=str(answers.get("satisfaction_reason") or "")[:500] or None,
        after=after,
    )
    event_id = s.scalar(
        select(AuditEvent.id).where(AuditEvent.instance_id == complaint.instance_id, AuditEvent.hash == digest)
    )
    staff.notify(
        s,
        people,
        "survey.low" if low else "survey.answered",
        f"survey:{event_id}",
        now,
        url_kind="complaint",
        ref=str(complaint.id),
        data={"number": complaint.number, "kind": kind, "satisfaction": answers.get("satisfaction"), "low": low},
    )
    return after
