"""Supervisors read the outbox and send a failed notification again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...errors import Conflict, Forbidden, NotFound
from ...models import Notification
from .outbox import notification_view
from ..runtime import Runtime
from ...domain.actors import Viewer


def list_notifications(
    rt: Runtime, viewer: Viewer, status: str | None = None, complaint_id: int | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Outbox rows, newest first."""
    if not viewer.can("notification.read"):
        raise Forbidden("the outbox is for supervisors and managers", code="outbox.not_allowed")
    q = select(Notification)
    if status:
        q = q.where(Notification.status == status)
    if complaint_id is not None:
        q = q.where(Notification.complaint_id == complaint_id)
    with rt.db.read() as s:
        return [notification_view(r) for r in s.scalars(q.order_by(Notification.id.desc()).limit(min(limit, 500)))]


def retry_notification(rt: Runtime, viewer: Viewer, notification_id: int) -> dict[str, Any]:
    """Put a failed notification back in the queue with a fresh count (its key is kept: never sent twice)."""
    if not viewer.can("notification.retry"):
        raise Forbidden("only supervisors send a notification again", code="supervisor.only")
    with rt.db.write() as s:
        row = s.get(Notification, notification_id)
        if row is None:
            raise NotFound(f"notification {notification_id} does not exist", code="outbox.not_found")
        if row.status != "failed":
            raise Conflict(f"the notification is {row.status}, not failed", code="outbox.not_failed")
        row.status, row.attempts, row.next_attempt_at = "pending", 0, rt.clock.now()
        return notification_view(row)
