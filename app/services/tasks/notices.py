"""What happened to a user's work since they last looked: read from the audit trail, never written twice.

A notice is an audit event that concerns the viewer: a task assigned to them by someone else, their
task urged, a warning or breach of their task (or of an unclaimed task of their groups), an extension
of their task decided. The trail already holds each of these, in the same transaction as the change,
so notices need no write path of their own; only where the user last read is stored.

Notices that are not about a task (an improvement action's clock and its 督办, a category's volume departing from
its baseline, a survey answer on a complaint one owns or supervises) are rows of their own
(services/notifications/staff.py), read here beside the trail's; their ids are "s<row>", read up to
``notices.seen_staff``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ...domain.actors import Viewer
from ...models import AuditEvent, Complaint, HumanTask, User, UserSetting
from ..notifications import staff
from ..runtime import Runtime

KINDS = (
    "task.transferred",
    "task.urged",
    "sla.warning",
    "sla.breached",
    "sla.extension_approved",
    "sla.extension_rejected",
)
WINDOW = timedelta(days=7)  # older news is history: the complaint's timeline keeps it
LIMIT = 30
GROUP_TASKS = 300  # unclaimed tasks of the viewer's groups looked at (the soonest due)
SEEN = "notices.seen"
SEEN_STAFF = "notices.seen_staff"


class _Work:
    """The viewer's open tasks and their groups' warned unclaimed ones, by id and by (instance, step)."""

    def __init__(self, s, viewer: Viewer, now) -> None:
        mine = s.execute(
            select(HumanTask.id, HumanTask.instance_id, HumanTask.element_id).where(
                HumanTask.assignee_id == viewer.id, HumanTask.state == "ready"
            )
        ).all()
        group = (
            s.execute(
                select(HumanTask.id, HumanTask.instance_id, HumanTask.element_id)
                .where(
                    HumanTask.state == "ready",
                    HumanTask.assignee_id.is_(None),
                    HumanTask.candidate_group.in_(sorted(viewer.groups)),
                    HumanTask.due_at.is_not(None),
                    HumanTask.warn_at <= now,
                )
                .order_by(HumanTask.due_at)
                .limit(GROUP_TASKS)
            ).all()
            if viewer.groups
            else []
        )
        self.mine = {r.id for r in mine}
        self.tasks = {r.id for r in (*mine, *group)}
        # A timer event names the boundary event's own task; the step it guards says which user task it is.
        self.by_step = {(r.instance_id, r.element_id): r.id for r in (*mine, *group)}
        self.instances = {r.instance_id for r in (*mine, *group)}

    def task_of(self, e: AuditEvent) -> str | None:
        """The user task an event is about, if it is one of this viewer's."""
        if e.type in ("sla.warning", "sla.breached"):
            step = (e.data_after or {}).get("attached_to") or e.element_id
            return self.by_step.get((e.instance_id, step))
        return e.task_id if e.task_id in self.tasks else None

    def concerns(self, e: AuditEvent, viewer: Viewer) -> bool:
        if e.actor == viewer.name:
            return False  # what I did myself is no news to me
        if e.type == "task.transferred":
            return (e.data_after or {}).get("assignee_id") == viewer.id
        if e.type in ("sla.warning", "sla.breached"):
            return self.task_of(e) is not None
        return e.task_id in self.mine


def list_notices(rt: Runtime, viewer: Viewer) -> dict[str, Any]:
    """The viewer's notices of the last days, newest first, and how many they have not read.

    Each item holds codes (``kind`` is the audit type); pages put them in words."""
    now = rt.clock.now()
    with rt.db.read() as s:
        work = _Work(s, viewer, now)
        seen = (
            s.scalar(select(UserSetting.value).where(UserSetting.user_id == viewer.id, UserSetting.name == SEEN)) or 0
        )
        events = (
            s.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.instance_id.in_(work.instances),
                    AuditEvent.type.in_(KINDS),
                    AuditEvent.at >= now - WINDOW,
                )
                .order_by(AuditEvent.id.desc())
                .limit(LIMIT * 4)
            ).all()
            if work.instances
            else []
        )
        events = [e for e in events if work.concerns(e, viewer)][:LIMIT]
        numbers = (
            dict(
                s.execute(
                    select(Complaint.instance_id, Complaint.number).where(
                        Complaint.instance_id.in_({e.instance_id for e in events})
                    )
                ).all()
            )
            if events
            else {}
        )
        people = (
            dict(
                s.execute(
                    select(User.username, User.display_name).where(User.username.in_({e.actor for e in events}))
                ).all()
            )
            if events
            else {}
        )
        seen_staff = int(
            s.scalar(select(UserSetting.value).where(UserSetting.user_id == viewer.id, UserSetting.name == SEEN_STAFF))
            or 0
        )
        own = staff.recent(s, viewer.id, now - WINDOW, LIMIT)
    items: list[dict[str, Any]] = []
    for e in events:
        task_id = work.task_of(e)
        items.append(
            {
                "id": e.id,
                "kind": e.type,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "actor_name": people.get(e.actor),
                "task_id": task_id,
                "open": task_id is not None,
                "step": e.element_name,
                "element_id": (e.data_after or {}).get("attached_to") or e.element_id,
                "number": numbers.get(e.instance_id),
                "reason": e.reason,
                "unread": e.id > int(seen),
            }
        )
    items += [
        {
            "id": f"s{n.id}",
            "kind": n.kind,
            "at": n.at.isoformat(),
            "actor": "system",
            "actor_name": None,
            "task_id": None,
            "open": False,
            "step": None,
            "element_id": None,
            "number": None,
            "reason": None,
            "unread": n.id > seen_staff,
            "url_kind": n.url_kind,
            "ref": n.ref,
            "data": n.data or {},
        }
        for n in own
    ]
    items = sorted(items, key=lambda i: i["at"], reverse=True)[:LIMIT]
    return {
        "items": items,
        "unread": sum(1 for i in items if i["unread"]),
        "seen": int(seen),
        "up_to": max((i["id"] for i in items if isinstance(i["id"], int)), default=0),
        "up_to_staff": max((int(i["id"][1:]) for i in items if isinstance(i["id"], str)), default=0),
    }


def mark_read(rt: Runtime, viewer: Viewer, up_to: int, up_to_staff: int = 0) -> None:
    """Remember that the viewer has read every notice up to these (trail, staff notices; never moves backwards)."""
    with rt.db.write() as s:
        for name, value in ((SEEN, up_to), (SEEN_STAFF, up_to_staff)):
            row = s.get(UserSetting, (viewer.id, name))
            if row is None:
                s.add(UserSetting(user_id=viewer.id, name=name, value=int(value)))
            elif int(row.value or 0) < value:
                row.value = int(value)
