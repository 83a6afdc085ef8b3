"""In-app notices to staff about things that are not a task: an improvement action's clock (due soon, overdue,
督办) and a category's volume departing from its baseline. Written in the transaction that decides them, one
row per recipient under a unique key, so a re-run or a second scheduler adds nothing; the notices page and
the top bar's count read them beside the task notices (services/tasks/notices.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...domain import policy
from ...models import Group, StaffNotice, User, user_group


def notify(
    s: Session,
    user_ids: Iterable[int],
    kind: str,
    key: str,
    at: datetime,
    *,
    url_kind: str | None = None,
    ref: str | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """One notice per user under ``key:user``; a key already written adds nothing. Returns how many were added."""
    added = 0
    for user_id in sorted(set(user_ids)):
        full = f"{key}:{user_id}"
        if s.scalar(select(StaffNotice.id).where(StaffNotice.key == full)) is not None:
            continue
        try:
            with s.begin_nested():  # another scheduler may write the same key at the same moment: one wins
                s.add(
                    StaffNotice(
                        key=full, user_id=user_id, kind=kind, at=at, url_kind=url_kind, ref=ref, data=data or {}
                    )
                )
                s.flush()
            added += 1
        except IntegrityError:
            continue
    return added


def holders_of(s: Session, capability: str) -> list[int]:
    """The active users whose groups hold a capability of domain.policy."""
    groups = sorted(policy.holders(capability))
    return list(
        s.scalars(
            select(User.id)
            .join(user_group, user_group.c.user_id == User.id)
            .join(Group, Group.id == user_group.c.group_id)
            .where(Group.code.in_(groups), User.active.is_(True))
            .distinct()
        )
    )


def recent(s: Session, user_id: int, since: datetime, limit: int) -> list[StaffNotice]:
    """A user's notices since an instant, newest first."""
    return list(
        s.scalars(
            select(StaffNotice)
            .where(StaffNotice.user_id == user_id, StaffNotice.at >= since)
            .order_by(StaffNotice.at.desc(), StaffNotice.id.desc())
            .limit(limit)
        )
    )
