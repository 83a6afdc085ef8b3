"""Improvement actions (整改 / 改进措施): record, assign, report progress, move through their statuses, evaluate.

Who may do what is domain/policy.py's: ``improvement.manage`` (supervisors, directors, managers) create, edit,
assign, cancel and evaluate; the owner an action names reports its progress and moves it open → in progress →
done; ``improvement.read`` reads every action, anyone else only the actions they own. Every change is an event
of the action's own hash chain (improvement_history.py) in the change's transaction; a change sent against an
older version of the action is refused (409), never applied over the newer one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import select

from ...domain.actors import Viewer
from ...domain.clock import local_date
from ...domain.improvement import (
    DEFAULT_WINDOW_DAYS,
    OWNER_MOVES,
    STATUSES,
    check_fields,
    due_instants,
    may_move,
)
from ...errors import Conflict, Forbidden, Invalid, NotFound
from ...models import Complaint, ImprovementAction, ImprovementActionComplaint, User
from ..notifications import staff
from ..runtime import Runtime
from ..runtime.flow_config import flow_rules
from . import improvement_history as history
from .improvement_evaluation import evaluate
from .improvement_reading import get_action, linked

EDITABLE = ("title", "category", "root_cause", "measure", "owner_id", "due_date", "window_days")


def _snapshot(a: ImprovementAction, complaints: list[str] | None = None) -> dict[str, Any]:
    out = {
        "title": a.title,
        "category": a.category,
        "root_cause": a.root_cause,
        "measure": a.measure,
        "owner_id": a.owner_id,
        "due_date": a.due_date.isoformat(),
        "window_days": a.window_days,
        "status": a.status,
        "progress": a.progress,
    }
    if complaints is not None:
        out["complaints"] = complaints
    return out


def _complaint_ids(s, numbers: list[str]) -> dict[str, int]:
    found = dict(s.execute(select(Complaint.number, Complaint.id).where(Complaint.number.in_(numbers))).all())
    missing = [n for n in numbers if n not in found]
    if missing:
        raise Invalid(
            "unknown complaints",
            [
                {
                    "field": "complaints",
                    "message": "no such complaint: " + ", ".join(missing),
                    "code": "improvement.unknown_complaints",
                    "params": {"numbers": ", ".join(missing)},
                }
            ],
        )
    return found


def _link(s, action_id: int, numbers: list[str]) -> None:
    ids = _complaint_ids(s, numbers)
    s.query(ImprovementActionComplaint).filter(ImprovementActionComplaint.action_id == action_id).delete()
    for cid in sorted(set(ids.values())):
        s.add(ImprovementActionComplaint(action_id=action_id, complaint_id=cid))


def _owner(s, owner_id: int) -> User:
    user = s.get(User, owner_id)
    if user is None or not user.active:
        raise Invalid(
            "unknown owner",
            [{"field": "owner_id", "message": "no active user with this id", "code": "improvement.unknown_owner"}],
        )
    return user


def _set_due(a: ImprovementAction, due_date, today) -> None:
    if due_date < today:
        raise Invalid(
            "due date passed",
            [{"field": "due_date", "message": "the due date is before today", "code": "improvement.due_passed"}],
        )
    if due_date != a.due_date:
        a.due_date = due_date
        a.due_at, a.warn_at = (x for x in due_instants(due_date))
        a.warned_at = a.escalated_at = None  # a new due date runs its own clock: its notices come again


def _tell_owner(s, a: ImprovementAction, now: datetime) -> None:
    """The owner learns in their notices that an action is theirs (they may hold no report access to find it)."""
    staff.notify(
        s,
        [a.owner_id],
        "improvement.assigned",
        f"improvement:{a.id}:assigned:{a.owner_id}:{now.isoformat()}",
        now,
        url_kind="improvement_action",
        ref=str(a.id),
        data={"title": a.title, "category": a.category, "due_date": a.due_date.isoformat()},
    )


def create_action(rt: Runtime, viewer: Viewer, values: Mapping[str, Any]) -> dict[str, Any]:
    """Record an action and assign it to its owner; the due clock starts."""
    if not viewer.can("improvement.manage"):
        raise Forbidden(
            "improvement actions are created by supervisors, directors and managers", code="improvement.not_manager"
        )
    clean, errors = check_fields(values, creating=True)
    if errors:
        raise Invalid("invalid improvement action", errors)
    now = rt.clock.now()
    with rt.db.write() as s:
        _owner(s, clean["owner_id"])
        if clean["due_date"] < local_date(now):
            raise Invalid(
                "due date passed",
                [{"field": "due_date", "message": "the due date is before today", "code": "improvement.due_passed"}],
            )
        due_at, warn_at = due_instants(clean["due_date"])
        a = ImprovementAction(
            title=clean["title"],
            category=clean["category"],
            root_cause=clean["root_cause"],
            measure=clean["measure"],
            owner_id=clean["owner_id"],
            assigned_by_id=viewer.id,
            due_date=clean["due_date"],
            due_at=due_at,
            warn_at=warn_at,
            status="open",
            progress="",
            window_days=clean.get("window_days", DEFAULT_WINDOW_DAYS),
            created_at=now,
            updated_at=now,
            version=1,
        )
        s.add(a)
        s.flush()
        numbers = clean.get("complaints", [])
        if numbers:
            _link(s, a.id, numbers)
        history.record(s, a, "action.created", viewer.actor, now, after=_snapshot(a, numbers))
        _tell_owner(s, a, now)
        action_id = a.id
    return get_action(rt, viewer, action_id)


def _load_for_change(s, viewer: Viewer, action_id: int, version: Any) -> ImprovementAction:
    a = s.get(ImprovementAction, action_id)
    if a is None or not (viewer.can("improvement.read") or a.owner_id == viewer.id):
        raise NotFound(f"improvement action {action_id} does not exist", code="improvement.not_found")
    if version not in (None, ""):
        try:
            expected = int(version)
        except (TypeError, ValueError):
            raise Invalid(
                "bad version",
                [
                    {
                        "field": "version",
                        "message": "the version the change was made on",
                        "code": "improvement.bad_version",
                    }
                ],
            ) from None
        if expected != a.version:
            raise Conflict(
                f"improvement action {action_id} changed meanwhile (version {a.version}, not {expected}); reload it",
                code="improvement.changed",
            )
    return a


def update_action(
    rt: Runtime, viewer: Viewer, action_id: int, values: Mapping[str, Any], version: Any = None
) -> dict[str, Any]:
    """Edit an action: its record and assignment (overseers), its progress note (the owner, or overseers)."""
    clean, errors = check_fields(values, creating=False)
    if errors:
        raise Invalid("invalid improvement action", errors)
    now = rt.clock.now()
    with rt.db.write() as s:
        a = _load_for_change(s, viewer, action_id, version)
        manages = viewer.can("improvement.manage")
        record_fields = [k for k in (*EDITABLE, "complaints") if k in clean]
        if record_fields and not manages:
            raise Forbidden(
                "only supervisors, directors and managers change an action's record or owner",
                code="improvement.not_manager",
            )
        if "progress" in clean and not (manages or a.owner_id == viewer.id):
            raise Forbidden("progress is reported by the action's owner", code="improvement.not_owner")
        if a.status in ("evaluated", "cancelled"):
            raise Conflict(
                f"improvement action {action_id} is {a.status}: it no longer changes", code="improvement.finished"
            )
        before = _snapshot(a, linked(s, a.id))
        if "owner_id" in clean and clean["owner_id"] != a.owner_id:
            _owner(s, clean["owner_id"])
            a.owner_id = clean["owner_id"]
            a.assigned_by_id = viewer.id
            a.warned_at = a.escalated_at = None  # the new owner hears of the clock themselves
            _tell_owner(s, a, now)
        if "due_date" in clean:
            _set_due(a, clean["due_date"], local_date(now))
        for name in ("title", "category", "root_cause", "measure", "window_days", "progress"):
            if name in clean:
                setattr(a, name, clean[name])
        if "complaints" in clean:
            _link(s, a.id, clean["complaints"])
        after = _snapshot(a, linked(s, a.id))
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed:
            a.version += 1
            a.updated_at = now
            history.record(
                s,
                a,
                "action.updated",
                viewer.actor,
                now,
                before={k: before.get(k) for k in changed},
                after=changed,
            )
    return get_action(rt, viewer, action_id)


def move_action(
    rt: Runtime, viewer: Viewer, action_id: int, status: Any, reason: Any = None, version: Any = None
) -> dict[str, Any]:
    """Move an action to another status; the move must be allowed from where it stands and for the viewer."""
    if status not in STATUSES:
        raise Invalid(
            "bad status",
            [{"field": "status", "message": "one of " + ", ".join(STATUSES), "code": "improvement.bad_status"}],
        )
    if reason is not None and (not isinstance(reason, str) or len(reason) > 2000):
        raise Invalid(
            "bad reason",
            [
                {
                    "field": "reason",
                    "message": "text of at most 2000 characters",
                    "code": "field.too_long",
                    "params": {"n": 2000},
                }
            ],
        )
    reason = (reason or "").strip() or None
    if status == "cancelled" and not reason:
        raise Invalid(
            "reason required",
            [{"field": "reason", "message": "say why the action is cancelled", "code": "improvement.cancel_reason"}],
        )
    now = rt.clock.now()
    today = local_date(now)
    with rt.db.write() as s:
        a = _load_for_change(s, viewer, action_id, version)
        old = a.status
        if not may_move(old, status):
            raise Conflict(f"an action that is {old} cannot become {status}", code="improvement.bad_move")
        if not (viewer.can("improvement.manage") or (a.owner_id == viewer.id and (old, status) in OWNER_MOVES)):
            raise Forbidden(
                f"moving an action from {old} to {status} is for supervisors, directors and managers",
                code="improvement.not_manager",
            )
        if status == "in_progress" and a.started_at is None:
            a.started_at = now
        if status == "done":
            a.done_at = now
        if old == "done" and status == "in_progress":
            a.done_at = None
        if status == "evaluated":
            found = evaluate(s, a, today, flow_rules(rt).repeat_window_days)
            if not found or not found["complete"]:
                until = (found or {}).get("after", {}) or {}
                raise Conflict(
                    f"the window after the action ends on {until.get('to', '?')}: evaluate it after that day",
                    code="improvement.too_early",
                    params={"date": until.get("to", "?")},
                )
            a.evaluation = found
        a.status = status
        a.version += 1
        a.updated_at = now
        history.record(
            s,
            a,
            "action.status_changed",
            viewer.actor,
            now,
            before={"status": old},
            after={"status": status} | ({"evaluation": a.evaluation} if status == "evaluated" else {}),
            reason=reason,
        )
    return get_action(rt, viewer, action_id)
