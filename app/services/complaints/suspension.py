"""Suspend (挂起) and resume a complaint: its clocks stop, and on resume the remaining time is added back.

While suspended, the complaint's waiting timers are held (status ``paused``: the tick never claims
them), its ready tasks show the SLA state ``paused`` with the time left frozen, and its tasks
cannot be completed. On resume every held timer moves to the resume instant plus the budget it
had left at the suspension, measured the way its step's limit is (working time for working-day
limits, wall-clock otherwise; see SlaPolicy.resumed_deadline); the engine's timers are re-set to
match. A Civil Code period (the 15-day reply limit) runs on whatever happens to the complaint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...domain.calendar import Deadline
from ...errors import Conflict, NotFound
from ...models import Complaint, HumanTask, Timer
from ..sla import deadlines
from ..audit.log import AuditLog
from ..runtime import Runtime
from ..decision_checks import require_reason, require_supervisor
from ...domain.actors import Viewer


def _complaint(s, complaint_id: int) -> Complaint:
    c = s.get(Complaint, complaint_id)
    if c is None or c.instance_id is None:
        raise NotFound(f"complaint {complaint_id} does not exist", code="complaint.not_found")
    return c


def suspend_complaint(rt: Runtime, viewer: Viewer, complaint_id: int, reason: Any) -> dict[str, Any]:
    """Stop every clock of an open complaint; only supervisors, with a reason."""
    require_supervisor(viewer, "suspend complaints")
    reason = require_reason(reason)
    now = rt.clock.now()
    with rt.db.write() as s:
        c = _complaint(s, complaint_id)
        if c.status != "open":
            raise Conflict("the complaint is closed", code="complaint.closed")
        if c.suspended_at is not None:
            raise Conflict("the complaint is already suspended", code="suspend.already")
        deadlines.lock_instance(rt, s, c.instance_id)
        deadlines.bump_version(s, c.instance_id)  # a completion prepared before now must not go through
        held = deadlines.open_timers(s, c.instance_id, status=("waiting",))
        for row in held:
            row.status = "paused"
            row.details = {**(row.details or {}), "paused_at": now.isoformat()}
        for task in s.scalars(
            select(HumanTask).where(HumanTask.instance_id == c.instance_id, HumanTask.state == "ready")
        ):
            task.sla_paused_at = now
        c.suspended_at, c.suspend_reason, c.updated_at = now, reason, now
        AuditLog(s, c.instance_id).append(
            "complaint.suspended",
            at=now,
            actor=viewer.name,
            actor_id=viewer.id,
            reason=reason,
            after={"held_timers": len(held)},
        )
        return {"id": c.id, "suspended_at": now.isoformat(), "reason": reason, "held_timers": len(held)}


def resume_complaint(rt: Runtime, viewer: Viewer, complaint_id: int, reason: Any = None) -> dict[str, Any]:
    """Restart the clocks of a suspended complaint, adding back the time each had left."""
    require_supervisor(viewer, "resume complaints")
    now = rt.clock.now()
    with rt.db.write() as s:
        c = _complaint(s, complaint_id)
        if c.suspended_at is None:
            raise Conflict("the complaint is not suspended", code="suspend.not_suspended")
        paused_at = c.suspended_at
        severity = deadlines.severity_of(s, c.instance_id)
        locked = deadlines.lock_instance(rt, s, c.instance_id)
        rows = deadlines.open_timers(s, c.instance_id, status=("paused",))

        def compute(row: Timer):
            limit = deadlines.limit_of(rt, row.sla_step, severity, locked.model.bundle)
            new = deadlines.resumed(rt, limit, Deadline(row.due_at, row.provisional), paused_at, now)
            return new, {"kind": "pause", "paused_at": paused_at.isoformat(), "resumed_at": now.isoformat()}

        for row in rows:
            row.status = "waiting"
            row.details = {k: v for k, v in (row.details or {}).items() if k != "paused_at"}
        moved = deadlines.move_timers(s, locked, rows, compute, now)
        for task in s.scalars(
            select(HumanTask).where(HumanTask.instance_id == c.instance_id, HumanTask.state == "ready")
        ):
            task.sla_paused_at = None
        clocks = _resume_complaint_clocks(rt, c, severity, paused_at, now)
        c.suspended_at, c.suspend_reason, c.updated_at = None, None, now
        AuditLog(s, c.instance_id).append(
            "complaint.resumed",
            at=now,
            actor=viewer.name,
            actor_id=viewer.id,
            reason=reason.strip() if isinstance(reason, str) and reason.strip() else None,
            before={"suspended_at": paused_at.isoformat()},
            after={
                "timers": {str(k): {"from": old.isoformat(), "to": new.isoformat()} for k, (old, new) in moved.items()},
                "clocks": clocks,
            },
        )
        return {"id": c.id, "resumed_at": now.isoformat(), "moved_timers": len(moved), "clocks": clocks}


def _resume_complaint_clocks(rt: Runtime, c: Complaint, severity: str, paused_at: datetime, now: datetime) -> dict:
    out = {}
    for clock in ("first_reply", "final_reply"):
        limit = rt.policy.complaint_limit(clock, severity)
        for kind in ("due", "warn"):
            attr = f"{clock}_{kind}_at"
            at = getattr(c, attr)
            if at is None:
                continue
            new = limit.resumed(Deadline(at, c.clocks_provisional), paused_at, now, rt.calendar)
            setattr(c, attr, new.at)
            if kind == "due":
                out[clock] = new.at.isoformat()
    return out
