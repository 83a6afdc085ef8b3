"""Improvement actions read: one action with its history and evaluation, the filtered list, who may own one.

The writes (record, assign, progress, moves) are improvement_actions.py's; both follow the same rule of
domain/policy.py: ``improvement.read`` reads every action, anyone else only the actions they own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import func, select

from ...domain.actors import Viewer
from ...domain.clock import local_date
from ...domain.improvement import CLOCK_RUNS, OWNER_MOVES, STATUSES, check_fields, clock_state, may_move
from ...errors import Invalid, NotFound
from ...models import Complaint, ImprovementAction, ImprovementActionComplaint, User
from ..runtime import Runtime
from ..runtime.flow_config import flow_rules
from . import improvement_history as history
from .improvement_evaluation import evaluate

PAGE = 200


def linked(s, action_id: int) -> list[str]:
    """The numbers of the complaints an action names, in order."""
    return sorted(
        s.scalars(
            select(Complaint.number)
            .join(ImprovementActionComplaint, ImprovementActionComplaint.complaint_id == Complaint.id)
            .where(ImprovementActionComplaint.action_id == action_id)
        )
    )


def _view(a: ImprovementAction, names: dict[int, str], now: datetime) -> dict[str, Any]:
    clock = clock_state(a.status, a.due_at, a.warn_at, now)
    return {
        "id": a.id,
        "title": a.title,
        "category": a.category,
        "root_cause": a.root_cause,
        "measure": a.measure,
        "owner_id": a.owner_id,
        "owner_name": names.get(a.owner_id),
        "assigned_by_id": a.assigned_by_id,
        "assigned_by_name": names.get(a.assigned_by_id),
        "due_date": a.due_date.isoformat(),
        "due_at": a.due_at.isoformat(),
        "clock": clock.state,
        "seconds_left": clock.seconds_left,
        "overdue": clock.state == "overdue",
        "status": a.status,
        "progress": a.progress,
        "window_days": a.window_days,
        "created_at": a.created_at.isoformat(),
        "updated_at": a.updated_at.isoformat(),
        "started_at": a.started_at.isoformat() if a.started_at else None,
        "done_at": a.done_at.isoformat() if a.done_at else None,
        "escalated_at": a.escalated_at.isoformat() if a.escalated_at else None,
        "version": a.version,
    }


def _names(s, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    return dict(s.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}


def get_action(rt: Runtime, viewer: Viewer, action_id: int) -> dict[str, Any]:
    """One action with its clock, linked complaints, history and its before/after evaluation."""
    now = rt.clock.now()
    with rt.db.read() as s:
        a = s.get(ImprovementAction, action_id)
        if a is None or not (viewer.can("improvement.read") or a.owner_id == viewer.id):
            raise NotFound(f"improvement action {action_id} does not exist", code="improvement.not_found")
        events = history.events(s, action_id)
        names = _names(s, {a.owner_id, a.assigned_by_id, *(e.actor_id for e in events)})
        out = _view(a, names, now)
        out["complaints"] = linked(s, action_id)
        out["evaluation"] = a.evaluation or evaluate(s, a, local_date(now), flow_rules(rt).repeat_window_days)
        out["history"] = [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "actor_name": names.get(e.actor_id) if e.actor_id else None,
                "type": e.type,
                "reason": e.reason,
                "before": e.data_before,
                "after": e.data_after,
            }
            for e in events
        ]
        out["chain"] = history.verify(s, action_id)
        manages = viewer.can("improvement.manage")
        mine = a.owner_id == viewer.id
        out["offers"] = {
            "edit": manages and a.status not in ("evaluated", "cancelled"),
            "progress": (manages or mine) and a.status not in ("evaluated", "cancelled"),
            "moves": [
                st
                for st in STATUSES
                if may_move(a.status, st) and (manages or (mine and (a.status, st) in OWNER_MOVES))
            ],
        }
    return out


def parse_filters(args: Mapping[str, Any]) -> dict[str, Any]:
    """The list's filters from query values: status, category, owner_id, overdue; a bad one is named."""
    out: dict[str, Any] = {}
    errors = []
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        errors.append({"field": "status", "message": "one of " + ", ".join(STATUSES), "code": "improvement.bad_status"})
    out["status"] = status
    category = args.get("category") or None
    if category is not None:
        clean, bad = check_fields({"category": category}, creating=False)
        errors += bad
    out["category"] = category
    owner = args.get("owner_id") or None
    if owner is not None:
        clean, bad = check_fields({"owner_id": owner}, creating=False)
        errors += bad
        owner = clean.get("owner_id")
    out["owner_id"] = owner
    overdue = args.get("overdue") or None
    if overdue not in (None, "true", "false", "1", "0"):
        errors.append({"field": "overdue", "message": "true or false", "code": "improvement.bad_overdue"})
    out["overdue"] = overdue in ("true", "1")
    if errors:
        raise Invalid("bad filter", errors)
    return out


def list_actions(rt: Runtime, viewer: Viewer, filters: Mapping[str, Any]) -> dict[str, Any]:
    """Actions matching the filters, overdue first then the soonest due; the viewer's own only, unless they read all."""
    now = rt.clock.now()
    a = ImprovementAction
    where = []
    if not viewer.can("improvement.read"):
        where.append(a.owner_id == viewer.id)
    if filters.get("status"):
        where.append(a.status == filters["status"])
    if filters.get("category"):
        where.append(a.category == filters["category"])
    if filters.get("owner_id"):
        where.append(a.owner_id == filters["owner_id"])
    if filters.get("overdue"):
        where += [a.status.in_(sorted(CLOCK_RUNS)), a.due_at <= now]
    with rt.db.read() as s:
        rows = s.scalars(select(a).where(*where).order_by(a.due_at, a.id).limit(PAGE)).all()
        total = s.scalar(select(func.count()).select_from(a).where(*where)) or 0
        names = _names(s, {r.owner_id for r in rows} | {r.assigned_by_id for r in rows})
    items = [_view(r, names, now) for r in rows]
    items.sort(key=lambda i: (not i["overdue"], i["clock"] == "none", i["due_at"], i["id"]))
    return {"items": items, "total": int(total), "filters": {k: v for k, v in filters.items() if v}}


def owner_choices(rt: Runtime) -> list[dict[str, Any]]:
    """Active users an action may be assigned to."""
    with rt.db.read() as s:
        rows = s.execute(
            select(User.id, User.display_name, User.username).where(User.active.is_(True)).order_by(User.username)
        ).all()
    return [{"id": i, "name": n, "username": u} for i, n, u in rows]


def owns_any(rt: Runtime, viewer: Viewer) -> bool:
    """Whether the viewer is named owner of at least one action (the menu shows them the list)."""
    with rt.db.read() as s:
        return (
            s.scalar(select(ImprovementAction.id).where(ImprovementAction.owner_id == viewer.id).limit(1)) is not None
        )
