"""The survey's four ratings (timeliness, attitude, result, whole process; 1-5) by department, category,
channel, owning agent and month, for the period's complaints that answered the closing survey; and the
in-progress sample's answers, reported apart. Team leaders only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select

from ...domain.actors import Viewer
from ...domain.clock import local_midnight
from ...domain.metrics import CONFIRMED_SOLVED, SURVEY_RATINGS, rate
from ...errors import Forbidden, Invalid
from ...models import Complaint, ProgressSurvey, User
from ..runtime import Runtime
from .dashboard import ReportFilter, _cached, _scope, local_day

GROUPS = ("department", "category", "channel", "owner", "month")
CHANNELS = ("phone", "online", "letter", "hall", "social")  # forms/register-schema.json's channel


def channel_scope(channel: str | None) -> list:
    """The channel filter of the satisfaction reports (the dashboard's filter has none); 422 on an unknown one."""
    if not channel:
        return []
    if channel not in CHANNELS:
        raise Invalid(
            "unknown channel",
            [{"field": "channel", "message": f"one of {', '.join(CHANNELS)}", "code": "report.bad_channel"}],
        )
    return [Complaint.channel == channel]


def rating_dimensions(rt: Runtime, viewer: Viewer, f: ReportFilter, channel: str | None = None) -> dict[str, Any]:
    """Per grouping: answers and the mean of each rating (None, shown "—", when nobody rated it)."""
    if not viewer.can("report.people"):
        raise Forbidden(
            "satisfaction by agent and department is for supervisors, directors and managers",
            code="report.not_overseer",
        )
    scope = channel_scope(channel)
    return _cached(rt, ("ratings", f, channel), lambda: _dimensions(rt, f, channel, scope))


def _dimensions(rt: Runtime, f: ReportFilter, channel: str | None, scope: list) -> dict[str, Any]:
    start, end = local_midnight(f.date_from), local_midnight(f.date_to + timedelta(days=1))
    c = Complaint
    answered = (
        c.rating_timeliness.is_not(None)
        | c.rating_attitude.is_not(None)
        | c.rating_result.is_not(None)
        | c.rating_process.is_not(None)
    )
    out: dict[str, Any] = {
        "filters": f.params() | ({"channel": channel} if channel else {}),
        "dimensions": list(SURVEY_RATINGS),
    }
    with rt.db.read() as s:
        keys = {
            "department": c.department,
            "category": c.category,
            "channel": c.channel,
            "owner": c.owner_id,
            "month": func.substr(local_day(s, c.created_at), 1, 7),
        }
        # one pass over the period's rated complaints, grouped by all five keys at once and summed per grouping
        # here (five GROUP BYs read the period five times: 190 ms for a quarter at 100,000 complaints)
        sums = [x for r in SURVEY_RATINGS for x in (func.sum(getattr(c, r)), func.count(getattr(c, r)))]
        rows = s.connection().execute(
            select(*keys.values(), func.count(), *sums)
            .where(c.created_at >= start, c.created_at < end, answered, *_scope(f), *scope)
            .group_by(*keys.values())
        )
        totals: dict[str, dict[Any, list[int]]] = {group: {} for group in keys}
        for row in rows:
            for i, group in enumerate(keys):
                cell = totals[group].setdefault(row[i], [0] * (1 + 2 * len(SURVEY_RATINGS)))
                for j, v in enumerate(row[len(keys) :]):
                    cell[j] += int(v or 0)
        for group, cells in totals.items():
            out[group] = [
                {
                    "value": value,
                    "answered": n,
                    **{
                        r: (round(float(rest[2 * k]) / rest[2 * k + 1], 2) if rest[2 * k + 1] else None)
                        for k, r in enumerate(SURVEY_RATINGS)
                    },
                }
                for value, (n, *rest) in sorted(cells.items(), key=lambda kv: (-kv[1][0], str(kv[0])))
            ]
        owners = [r["value"] for r in out["owner"] if r["value"] is not None]
        names = dict(s.execute(select(User.id, User.display_name).where(User.id.in_(owners)))) if owners else {}
    for row in out["owner"]:
        row["name"] = names.get(row["value"])
    return out


def progress_figures(rt: Runtime, viewer: Viewer, f: ReportFilter, channel: str | None = None) -> dict[str, Any]:
    """The in-progress sample (surveys sent in the period), apart from the closing survey: per department and in
    all, how many were asked and answered, the share satisfied or basically satisfied, the four ratings' means,
    and how many answers were flagged low."""
    if not viewer.can("report.people"):
        raise Forbidden(
            "satisfaction by agent and department is for supervisors, directors and managers",
            code="report.not_overseer",
        )
    scope = channel_scope(channel)
    return _cached(rt, ("progress_surveys", f, channel), lambda: _progress(rt, f, scope))


def _progress(rt: Runtime, f: ReportFilter, scope: list) -> dict[str, Any]:
    start, end = local_midnight(f.date_from), local_midnight(f.date_to + timedelta(days=1))
    p, c = ProgressSurvey, Complaint
    sums = [
        func.count(),
        func.count(p.answered_at),
        func.sum(case((p.satisfaction.in_(CONFIRMED_SOLVED), 1), else_=0)),
        func.sum(case((p.low.is_(True), 1), else_=0)),
        *[func.avg(getattr(p, r)) for r in SURVEY_RATINGS],
    ]
    where = [p.sampled_at >= start, p.sampled_at < end, *_scope(f), *scope]
    with rt.db.read() as s:
        rows = s.execute(
            select(c.department, *sums).join(c, c.id == p.complaint_id).where(*where).group_by(c.department)
        ).all()
        total = s.execute(select(*sums).join(c, c.id == p.complaint_id).where(*where)).one()

    def figures(asked, answered, good, low, *means) -> dict[str, Any]:
        answered = int(answered or 0)
        return {
            "asked": int(asked or 0),
            "answered": answered,
            "satisfied": int(good or 0),
            "satisfaction_rate": rate(int(good or 0), answered),
            "low": int(low or 0),
            **{r: (round(float(m), 2) if m is not None else None) for r, m in zip(SURVEY_RATINGS, means)},
        }

    return {
        "total": figures(*total),
        "department": [
            {"value": dept, **figures(*rest)} for dept, *rest in sorted(rows, key=lambda r: (-r[1], str(r[0])))
        ],
    }
