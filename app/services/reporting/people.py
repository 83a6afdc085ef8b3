"""Per-agent and per-department figures for team leaders (supervisors, directors, managers: ``report.people``).

Per person, over the steps they completed in the period (local days, by completion): handled steps, on time
(by each step's own deadline; "—" when none had one), and over the distinct complaints they worked: how many
the customer rated satisfied or basically satisfied, flagged as a repeat, reopened. Per department, the same
over the complaints it handled, registered in the period. Formulas: docs/metrics.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, func, select

from ...domain.actors import Viewer
from ...domain.clock import local_midnight
from ...domain.metrics import rate
from ...errors import Forbidden
from ...models import Complaint, HumanTask, User
from ..runtime import Runtime
from .dashboard import ReportFilter, _cached, _scope

GOOD = ("satisfied", "basically_satisfied")


def team_figures(rt: Runtime, viewer: Viewer, f: ReportFilter) -> dict[str, Any]:
    """Figures by person and by department for the period and filters."""
    if not viewer.can("report.people"):
        raise Forbidden("per-person figures are for supervisors, directors and managers", code="report.not_overseer")
    return _cached(rt, ("people", f), lambda: _figures(rt, f))  # kept like the dashboard: a minute per filter


def _figures(rt: Runtime, f: ReportFilter) -> dict[str, Any]:
    start, end = local_midnight(f.date_from), local_midnight(f.date_to + timedelta(days=1))
    with rt.db.read() as s:
        return {
            "filters": f.params(),
            "agents": _agents(s, f, start, end),
            "departments": _departments(s, f, start, end),
        }


def _complaint_sums(c) -> list:
    return [
        func.count(),
        func.sum(case((c.satisfaction.in_(GOOD), 1), else_=0)),
        func.sum(case((c.satisfaction.is_not(None), 1), else_=0)),
        func.sum(case((c.is_repeat.is_(True), 1), else_=0)),
        func.sum(case((c.reopen_count > 0, 1), else_=0)),
    ]


def _complaint_figures(n, good, answered, repeats, reopened) -> dict[str, Any]:
    n, good, answered, repeats, reopened = (int(v or 0) for v in (n, good, answered, repeats, reopened))
    return {
        "complaints": n,
        "satisfaction_answered": answered,
        "satisfied": good,
        "satisfaction_rate": rate(good, answered),
        "repeats": repeats,
        "repeat_rate": rate(repeats, n),
        "reopened": reopened,
        "reopen_rate": rate(reopened, n),
    }


def _agents(s, f: ReportFilter, start, end) -> list[dict[str, Any]]:
    t = HumanTask
    done = [t.state == "completed", t.completed_at >= start, t.completed_at < end, t.completed_by_id.is_not(None)]
    on_time = case((and_(t.due_at.is_not(None), t.completed_at <= t.due_at), 1), else_=0)
    # One pass over the period's completions, read from ix_human_task_done alone (migration 0023): per person and
    # complaint worked, the steps, those with a deadline and those on time; then per person, those sums and the
    # complaints' figures. Two queries each read the period's tasks (a quarter: 444,000) and joined them by row.
    pairs = (
        select(
            t.completed_by_id.label("uid"),
            t.instance_id.label("iid"),
            func.count().label("n"),
            func.sum(case((t.due_at.is_not(None), 1), else_=0)).label("with_due"),
            func.sum(on_time).label("in_time"),
        )
        .where(*done)
        .group_by(t.completed_by_id, t.instance_id)
        .subquery()
    )
    per = {
        uid: rest
        for uid, *rest in s.connection().execute(
            select(
                pairs.c.uid,
                func.sum(pairs.c.n),
                func.sum(pairs.c.with_due),
                func.sum(pairs.c.in_time),
                *_complaint_sums(Complaint),
            )
            .join(Complaint, Complaint.instance_id == pairs.c.iid)
            .where(*_scope(f))
            .group_by(pairs.c.uid)
        )
    }
    steps = {uid: (int(n), int(d or 0), int(o or 0)) for uid, (n, d, o, *_) in per.items()}
    per = {uid: tuple(rest[3:]) for uid, rest in per.items()}
    names = dict(s.execute(select(User.id, User.display_name).where(User.id.in_(list(steps)))).all()) if steps else {}
    out = []
    for uid, (n, with_due, in_time) in steps.items():
        out.append(
            {
                "user_id": uid,
                "name": names.get(uid, str(uid)),
                "handled": n,
                "with_deadline": with_due,
                "on_time": in_time,
                "on_time_rate": rate(in_time, with_due),
                **_complaint_figures(*per.get(uid, (0, 0, 0, 0, 0))),
            }
        )
    return sorted(out, key=lambda r: (-r["handled"], r["name"]))


def _departments(s, f: ReportFilter, start, end) -> list[dict[str, Any]]:
    c, t = Complaint, HumanTask
    registered = [c.created_at >= start, c.created_at < end, c.department.is_not(None), *_scope(f)]
    rows = s.execute(
        select(c.department, func.sum(case((c.status == "closed", 1), else_=0)), *_complaint_sums(c))
        .where(*registered)
        .group_by(c.department)
    ).all()
    on_time = case((and_(t.due_at.is_not(None), t.completed_at <= t.due_at), 1), else_=0)
    steps = {
        dept: (int(d or 0), int(o or 0))
        for dept, d, o in s.execute(
            select(c.department, func.sum(case((t.due_at.is_not(None), 1), else_=0)), func.sum(on_time))
            .join(c, c.instance_id == t.instance_id)
            .where(*registered, t.state == "completed")
            .group_by(c.department)
        ).all()
    }
    out = []
    for dept, closed, *sums in rows:
        with_due, in_time = steps.get(dept, (0, 0))
        figures = _complaint_figures(*sums)
        out.append(
            {
                "department": dept,
                "closed": int(closed or 0),
                "with_deadline": with_due,
                "on_time": in_time,
                "on_time_rate": rate(in_time, with_due),
                **figures,
            }
        )
    return sorted(out, key=lambda r: (-r["complaints"], r["department"]))
