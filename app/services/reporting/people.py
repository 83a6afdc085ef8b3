"""Per-agent and per-department figures for team leaders (supervisors, directors, managers: ``report.people``).

Per person, over the steps they completed in the period (local days, by completion): handled steps, on time
(by each step's own deadline; "—" when none had one), and over the distinct complaints they worked: how many
the customer rated satisfied or basically satisfied, flagged as a repeat, reopened. Per department, the same
over the complaints it handled, registered in the period. Formulas: docs/metrics.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select

from ...domain.actors import Viewer
from ...domain.clock import local_midnight
from ...domain.metrics import rate
from ...errors import Forbidden
from ...models import Complaint, ReportPersonDay, ReportStepDay, User
from ..runtime import Runtime
from .dashboard import ReportFilter, _cached, _rolled, _scope

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
            "agents": _agents(s, f),
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


def _agents(s, f: ReportFilter) -> list[dict[str, Any]]:
    # From the per-person roll-up (models/rollups.py ReportPersonDay, kept by services/steps/people_counts.py):
    # the steps add up by day; a (person, complaint) pair counts once, on its first day in the period, the one
    # whose previous working day is before it. Grouping the quarter's 444,000 completions into 191,000 pairs
    # and joining each to its complaint took 1.2-2.3 s at 100,000 complaints (docs/performance.md).
    p = ReportPersonDay
    first = p.prev_day < f.date_from

    def once(column):
        return func.sum(case((first, column), else_=0))

    rows = s.execute(
        select(
            p.user_id,
            func.sum(p.handled),
            func.sum(p.with_deadline),
            func.sum(p.on_time),
            once(p.complaints),
            once(p.good),
            once(p.answered),
            once(p.repeats),
            once(p.reopened),
        )
        .where(p.day >= f.date_from, p.day <= f.date_to, *_scope(f, p))
        .group_by(p.user_id)
        .having(func.sum(p.handled) > 0)
    ).all()
    users = [r[0] for r in rows]
    names = dict(s.execute(select(User.id, User.display_name).where(User.id.in_(users))).all()) if users else {}
    out = []
    for uid, n, with_due, in_time, complaints, good, answered, repeats, reopened in rows:
        with_due, in_time = int(with_due or 0), int(in_time or 0)
        out.append(
            {
                "user_id": uid,
                "name": names.get(uid, str(uid)),
                "handled": int(n),
                "with_deadline": with_due,
                "on_time": in_time,
                "on_time_rate": rate(in_time, with_due),
                **_complaint_figures(complaints, good, answered, repeats, reopened),
            }
        )
    return sorted(out, key=lambda r: (-r["handled"], r["name"]))


def _departments(s, f: ReportFilter, start, end) -> list[dict[str, Any]]:
    c = Complaint
    registered = [c.created_at >= start, c.created_at < end, c.department.is_not(None), *_scope(f)]
    rows = s.execute(
        select(c.department, func.sum(case((c.status == "closed", 1), else_=0)), *_complaint_sums(c))
        .where(*registered)
        .group_by(c.department)
    ).all()
    # The steps of the complaints registered in the period, by department, from the dashboard's roll-up
    # (report_step_day: keyed by the complaint's registration day, category and department, '' for none yet):
    # joining the quarter's complaints to their 444,000 completed tasks took 270 ms at 100,000 complaints.
    d = ReportStepDay
    steps = {
        dept: (int(w or 0), int(o or 0))
        for dept, w, o in s.execute(
            select(d.department, func.sum(d.with_deadline), func.sum(d.on_time))
            .where(*_rolled(d, f, d.completed), d.department != "")
            .group_by(d.department)
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
