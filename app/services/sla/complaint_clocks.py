"""The complaint-wide clocks: the first reply (48 h) and the Civil Code reply limit (15 日).

Both are fixed on the complaint row at registration from the SLA policy's [complaint.*] entries
and the working calendar, move on resume, and are recomputed when they were provisional and the
year's official schedule arrives. A clock is met when the customer got the reply: the first
completed step of REPLY_STEPS (the feedback step tells the customer the result).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ...domain.metrics import REPLY_STEPS
from ...models import Complaint, HumanTask
from ..runtime import Runtime

CLOCKS = ("first_reply", "final_reply")


def set_clocks(rt: Runtime, c: Complaint, registered_at: datetime) -> None:
    """Compute both clocks' deadlines and warnings from the registration instant."""
    severity = c.severity if c.severity in ("general", "major") else "general"
    provisional = False
    for clock in CLOCKS:
        limit = rt.policy.complaint_limit(clock, severity)
        due = limit.deadline(registered_at, rt.calendar)
        warn = limit.warning_at(registered_at, rt.calendar, limit.warn_at[0]) if limit.warn_at else None
        setattr(c, f"{clock}_due_at", due.at)
        setattr(c, f"{clock}_warn_at", warn.at if warn else None)
        provisional |= due.provisional or bool(warn and warn.provisional)
    c.clocks_provisional = provisional


def replied_at(s, instance_ids: list[int]) -> dict[int, datetime]:
    """When each complaint's customer first got the result (a REPLY_STEPS task completed), if yet."""
    if not instance_ids:
        return {}
    return dict(
        s.execute(
            select(HumanTask.instance_id, func.min(HumanTask.completed_at))
            .where(
                HumanTask.instance_id.in_(instance_ids),
                HumanTask.element_id.in_(REPLY_STEPS),
                HumanTask.state == "completed",
            )
            .group_by(HumanTask.instance_id)
        ).all()
    )


def clock_state(
    due: datetime | None,
    warn: datetime | None,
    now: datetime,
    *,
    paused_at: datetime | None = None,
    met_at: datetime | None = None,
) -> dict[str, Any]:
    """Deadline, seconds left and state (on_time, warning, breached, paused, met, none) of one clock."""
    if due is None:
        return {"due_at": None, "warn_at": None, "seconds_left": None, "state": "none"}
    if met_at is not None:
        state, reference = ("met" if met_at <= due else "breached"), met_at
    elif paused_at is not None:
        state, reference = "paused", paused_at
    else:
        reference = now
        state = "breached" if now >= due else "warning" if warn is not None and now >= warn else "on_time"
    return {
        "due_at": due.isoformat(),
        "warn_at": warn.isoformat() if warn else None,
        "seconds_left": int((due - reference).total_seconds()),
        "state": state,
    }


_RANK = {"breached": 5, "paused": 4, "warning": 3, "on_time": 2, "met": 1, "none": 0}


def complaint_sla(c: Complaint, now: datetime, replied: datetime | None) -> dict[str, Any]:
    """The complaint's clocks and its overall SLA fields (the nearest open deadline, the worst state)."""
    replied = replied or c.closed_at  # a complaint closed without a feedback step stops its clocks there
    clocks = {}
    for clock in CLOCKS:
        view = clock_state(
            getattr(c, f"{clock}_due_at"), getattr(c, f"{clock}_warn_at"), now, paused_at=c.suspended_at, met_at=replied
        )
        clocks[clock] = view | {"provisional": bool(c.clocks_provisional) and view["state"] != "met"}
    open_clocks = [v for v in clocks.values() if v["state"] not in ("met", "none")]
    nearest = min(open_clocks, key=lambda v: v["due_at"]) if open_clocks else None
    worst = max((v["state"] for v in clocks.values()), key=_RANK.get, default="none")
    return {
        "due_at": nearest["due_at"] if nearest else None,
        "seconds_left": nearest["seconds_left"] if nearest else None,
        "sla_state": worst,
        "due_provisional": bool(nearest and nearest["provisional"]),
        "suspended": c.suspended_at is not None,
        "suspended_at": c.suspended_at.isoformat() if c.suspended_at else None,
        "suspend_reason": c.suspend_reason,
        "clocks": clocks,
    }
