"""Satisfaction against handling time, step breaches, transfers/returns and reopenings, for team leaders.

One row per complaint registered in the period (and filters) that answered the closing survey, its factors
read from the complaint row (reply or closure time; 转派 and 退单, counted there by services/tasks/actions.py;
reopen count) and its tasks (finished after, or still open past, their due time). The bands and Spearman's
rho are pure rules (domain/satisfaction_factors.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from ...domain.actors import Viewer
from ...domain.clock import local_midnight
from ...domain.satisfaction_factors import Answered, analyse
from ...errors import Forbidden
from ...models import Complaint, HumanTask
from ..runtime import Runtime
from .dashboard import ReportFilter, _cached, _scope
from .satisfaction import channel_scope


def satisfaction_factors(rt: Runtime, viewer: Viewer, f: ReportFilter, channel: str | None = None) -> dict[str, Any]:
    """Per factor: satisfaction by band, n and Spearman's rho ("—" below the minimum sample)."""
    if not viewer.can("report.people"):
        raise Forbidden(
            "the satisfaction analysis is for supervisors, directors and managers", code="report.not_overseer"
        )
    scope = channel_scope(channel)
    return _cached(rt, ("satisfaction_factors", f, channel), lambda: _factors(rt, f, channel, scope))


def _factors(rt: Runtime, f: ReportFilter, channel: str | None, scope: list) -> dict[str, Any]:
    start, end = local_midnight(f.date_from), local_midnight(f.date_to + timedelta(days=1))
    now = rt.clock.now()
    c, t = Complaint, HumanTask
    with rt.db.read() as s:
        answered = select(c.instance_id).where(
            c.created_at >= start, c.created_at < end, c.satisfaction.is_not(None), *_scope(f), *scope
        )
        complaints = s.execute(
            select(
                c.instance_id,
                c.satisfaction,
                c.created_at,
                c.replied_at,
                c.closed_at,
                c.transfer_count + c.return_count,
                c.reopen_count,
            ).where(c.instance_id.in_(answered))
        ).all()
        late = or_(
            and_(t.state == "completed", t.completed_at > t.due_at),
            and_(t.state == "ready", t.due_at < now),
        )
        breaches = dict(
            s.execute(
                select(t.instance_id, func.count())
                .where(t.instance_id.in_(answered), t.due_at.is_not(None), late)
                .group_by(t.instance_id)
            ).all()
        )
    rows = []
    for iid, satisfaction, created_at, replied_at, closed_at, passed_on, reopen_count in complaints:
        answered_at = replied_at or closed_at
        rows.append(
            Answered(
                satisfaction,
                {
                    "handling_hours": (answered_at - created_at).total_seconds() / 3600 if answered_at else None,
                    "breaches": breaches.get(iid, 0),
                    "transfers": passed_on or 0,
                    "reopenings": reopen_count or 0,
                },
            )
        )
    return {"filters": f.params() | ({"channel": channel} if channel else {})} | analyse(rows)
