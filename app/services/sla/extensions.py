"""Extensions (延期): whoever works a task asks for more time with a reason; a supervisor decides.

An approved extension moves the step's breach and warning timers (engine state and rows) and the
task's deadline by the working days asked for, or by hours (working hours when the step's limit
counts working time, wall-clock otherwise). Both the request and the decision are audit events.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ...domain.calendar import Deadline
from ...domain import policy
from ...domain.clock import to_utc
from ...domain.promises import PROMISE_STEP
from ...engine import TaskNotReady
from ...errors import Conflict, Invalid, NotFound
from ...models import Complaint, ExtensionRequest, HumanTask, Timer, User
from . import deadlines, supervision
from ..audit.log import AuditLog
from ..decision_checks import require_reason, require_supervisor
from ...domain.actors import Viewer
from ..steps.state import save_state
from ..runtime import Runtime
from ..steps import projection

MAX_WORKING_DAYS = 30
MAX_HOURS = 720


def request_view(r: ExtensionRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "task_id": r.task_id,
        "instance_id": r.instance_id,
        "working_days": r.working_days,
        "hours": float(r.hours) if r.hours is not None else None,
        "reason": r.reason,
        "status": r.status,
        "requested_by_id": r.requested_by_id,
        "created_at": r.created_at.isoformat(),
        "decided_by_id": r.decided_by_id,
        "decided_at": deadlines.iso(r.decided_at),
        "decision_reason": r.decision_reason,
        "old_due_at": deadlines.iso(r.old_due_at),
        "new_due_at": deadlines.iso(r.new_due_at),
    }


def _until(body: dict[str, Any], now) -> datetime | None:
    """A requested new deadline (ISO instant with its zone), when the request names one."""
    value = body.get("until")
    if value in (None, ""):
        return None
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise Invalid(
            "bad until",
            [
                {
                    "field": "until",
                    "message": "an instant with its time zone, e.g. 2026-11-05T18:00:00+08:00",
                    "code": "extension.bad_until",
                }
            ],
        )
    if to_utc(at) <= now:
        raise Invalid(
            "until is past",
            [{"field": "until", "message": "the new deadline must be in the future", "code": "extension.until_past"}],
        )
    return to_utc(at)


def _amount(body: dict[str, Any]) -> tuple[int | None, float | None]:
    days, hours = body.get("working_days"), body.get("hours")
    if (days is None) == (hours is None):
        raise Invalid(
            "give working_days, hours or until",
            [
                {
                    "field": "working_days",
                    "message": "exactly one of working_days, hours and until",
                    "code": "extension.one_amount",
                }
            ],
        )
    if days is not None:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_WORKING_DAYS:
            raise Invalid(
                "bad working_days",
                [
                    {
                        "field": "working_days",
                        "message": f"a whole number from 1 to {MAX_WORKING_DAYS}",
                        "code": "extension.bad_days",
                        "params": {"n": MAX_WORKING_DAYS},
                    }
                ],
            )
        return days, None
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= MAX_HOURS:
        raise Invalid(
            "bad hours",
            [
                {
                    "field": "hours",
                    "message": f"a number above 0, at most {MAX_HOURS}",
                    "code": "extension.bad_hours",
                    "params": {"n": MAX_HOURS},
                }
            ],
        )
    return None, float(hours)


def request_extension(rt: Runtime, viewer: Viewer, task_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Ask for more time on a ready task one may work; one pending request per task."""
    reason = require_reason(body.get("reason"))
    now = rt.clock.now()
    until = _until(body, now)
    days, hours = (
        (None, None)
        if until is not None and body.get("working_days") is None and body.get("hours") is None
        else _amount(body)
    )
    with rt.db.write() as s:
        t = s.get(HumanTask, task_id)
        may_work = t is not None and policy.may_work_task(viewer.id, viewer.groups, policy.seat_of(t))
        if not may_work:
            raise NotFound(f"task {task_id} does not exist or is not yours to work", code="task.not_found")
        if t.state != "ready":
            raise Conflict(f"the task is already {t.state}", code="task.closed")
        pending = s.scalar(
            select(ExtensionRequest.id).where(ExtensionRequest.task_id == task_id, ExtensionRequest.status == "pending")
        )
        if pending is not None:
            raise Conflict(f"extension request {pending} is already waiting for a decision", code="extension.pending")
        r = ExtensionRequest(
            task_id=task_id,
            instance_id=t.instance_id,
            working_days=days,
            hours=Decimal(str(hours)) if hours is not None else None,
            reason=reason,
            status="pending",
            requested_by_id=viewer.id,
            created_at=now,
            old_due_at=t.due_at,
            new_due_at=until,
        )
        s.add(r)
        s.flush()
        AuditLog(s, t.instance_id).append(
            "sla.extension_requested",
            at=now,
            actor=viewer.name,
            actor_id=viewer.id,
            task_id=t.id,
            element_id=t.element_id,
            element_name=t.name,
            reason=reason,
            after={
                "request_id": r.id,
                "working_days": days,
                "hours": hours,
                "until": deadlines.iso(until),
                "due_at": deadlines.iso(t.due_at),
            },
        )
        return request_view(r)


def list_requests(
    rt: Runtime, viewer: Viewer, status: str | None = "pending", limit: int = 100
) -> list[dict[str, Any]]:
    """Extension requests (pending by default): supervisors see all, others their own."""
    q = select(ExtensionRequest)
    if not viewer.can("extension.review_any"):
        q = q.where(ExtensionRequest.requested_by_id == viewer.id)
    if status:
        q = q.where(ExtensionRequest.status == status)
    with rt.db.read() as s:
        return [request_view(r) for r in s.scalars(q.order_by(ExtensionRequest.created_at).limit(min(limit, 500)))]


def pending_with_context(rt: Runtime, viewer: Viewer, limit: int = 200) -> list[dict[str, Any]]:
    """Pending requests with what a supervisor decides on: the step, the complaint, who asks, until when."""
    q = (
        select(
            ExtensionRequest, HumanTask.name, HumanTask.element_id, Complaint.id, Complaint.number, User.display_name
        )
        .join(HumanTask, HumanTask.id == ExtensionRequest.task_id)
        .outerjoin(Complaint, Complaint.instance_id == ExtensionRequest.instance_id)
        .outerjoin(User, User.id == ExtensionRequest.requested_by_id)
        .where(ExtensionRequest.status == "pending")
    )
    if not viewer.can("extension.review_any"):
        q = q.where(ExtensionRequest.requested_by_id == viewer.id)
    with rt.db.read() as s:
        rows = s.execute(q.order_by(ExtensionRequest.created_at).limit(limit)).all()
    return [
        request_view(r)
        | {"task_name": name, "element_id": element, "complaint_id": cid, "number": number, "requested_by": who}
        for r, name, element, cid, number, who in rows
    ]


def decide_extension(rt: Runtime, viewer: Viewer, request_id: int, approve: bool, reason: Any = None) -> dict[str, Any]:
    """Approve (the deadline moves) or reject (with a reason) a pending request; supervisors only."""
    require_supervisor(viewer, "decide extension requests")
    if not approve:
        reason = require_reason(reason)
    elif not isinstance(reason, str) or not reason.strip():
        reason = None
    now = rt.clock.now()
    with rt.db.write() as s:
        r = s.get(ExtensionRequest, request_id)
        if r is None:
            raise NotFound(f"extension request {request_id} does not exist", code="extension.not_found")
        if r.status != "pending":
            raise Conflict(f"the request is already {r.status}", code="extension.decided")
        t = s.get(HumanTask, r.task_id)
        audit = None
        if approve:
            if t.state != "ready":
                raise Conflict(f"the task is already {t.state}", code="task.closed")
            if r.working_days is None and r.hours is None and r.new_due_at is not None:
                _move_step_to(rt, s, t, r, reason, viewer, now)
            else:
                moved = _move_step(rt, s, t, r, now)
                if not moved:
                    raise Conflict("the step has no running deadline left to move", code="extension.no_deadline")
            r.new_due_at = t.due_at
        r.status = "approved" if approve else "rejected"
        r.decided_by_id, r.decided_at, r.decision_reason = viewer.id, now, reason
        audit = AuditLog(s, r.instance_id)
        audit.append(
            f"sla.extension_{r.status}",
            at=now,
            actor=viewer.name,
            actor_id=viewer.id,
            task_id=t.id,
            element_id=t.element_id,
            element_name=t.name,
            reason=reason,
            before={"due_at": deadlines.iso(r.old_due_at)},
            after={
                "request_id": r.id,
                "due_at": deadlines.iso(r.new_due_at),
                "working_days": r.working_days,
                "hours": float(r.hours) if r.hours is not None else None,
            },
        )
        return request_view(r)


def _move_step_to(rt: Runtime, s, t: HumanTask, r: ExtensionRequest, reason, viewer: Viewer, now) -> None:
    """Move the task's step clocks to the requested date, re-arming a breach that already fired (its
    breach clears); a promise made to the customer is not the handler's to move."""
    if r.new_due_at <= now:
        raise Conflict("the requested date has passed; ask again with a later one", code="extension.date_passed")
    locked = deadlines.lock_instance(rt, s, t.instance_id)
    ext = supervision.Extension(
        t.element_id,
        None,
        r.new_due_at,
        reason,
        "until",
        old_due=t.due_at,
        old_warn=t.warn_at,
        task_id=t.id,
        task_name=t.name,
    )
    try:
        supervision.apply(locked.inst, ext, now, skip=frozenset({PROMISE_STEP}))
    except TaskNotReady as exc:
        raise Conflict(f"the task is no longer ready: {exc}", code="task.not_ready") from exc
    save_state(s, locked.instance_id, locked.version, locked.inst, now)
    projection.sync(s, locked.instance_id, locked.inst, now)
    s.flush()
    deadlines.refresh_task_deadlines(s, locked.instance_id)
    s.flush()


def _move_step(rt: Runtime, s, t: HumanTask, r: ExtensionRequest, now) -> dict:
    severity = deadlines.severity_of(s, t.instance_id)
    locked = deadlines.lock_instance(rt, s, t.instance_id)
    rows = [
        row
        for row in deadlines.open_timers(s, t.instance_id, attached_to=t.element_id)
        if row.kind in ("breach", "warning")
    ]
    hours = float(r.hours) if r.hours is not None else None

    def compute(row: Timer):
        limit = deadlines.limit_of(rt, row.sla_step, severity, locked.model.bundle)
        new = deadlines.extended(rt, limit, Deadline(row.due_at, row.provisional), r.working_days, hours)
        return new, {"kind": "extension", "working_days": r.working_days, "hours": hours, "request_id": r.id}

    return deadlines.move_timers(s, locked, rows, compute, now) if rows else {}
