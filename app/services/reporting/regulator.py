"""The regulator's view: complaints per million subscribers by regulator category, replies within the limit, per quarter."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from ...domain.actors import Viewer
from ...domain.clock import local_midnight
from ...domain.reporting import quarter_bounds, quarter_of
from ...errors import Invalid
from ...models import Complaint
from ..runtime import Runtime
from .dashboard import _cached, _pg, _rate, reporting_config
from .search import require_auditor


def regulator_view(rt: Runtime, viewer: Viewer, first: str, last: str) -> dict[str, Any]:
    """Per quarter: complaints per million subscribers by regulator category; replies within the limit (cached like the dashboard)."""
    require_auditor(viewer)
    return _cached(rt, ("regulator", first, last), lambda: _regulator(rt, first, last))


def _regulator(rt: Runtime, first: str, last: str) -> dict[str, Any]:
    cfg = reporting_config(rt)
    start, _ = quarter_bounds(first)
    _, end = quarter_bounds(last)
    if start >= end:
        raise Invalid(
            "bad quarters",
            [
                {
                    "field": "from",
                    "message": "the first quarter must not be after the last",
                    "code": "report.bad_quarters",
                }
            ],
        )
    now = rt.clock.now()
    quarters: dict[str, dict[str, Any]] = {}
    q, d = [], start
    while d < end:
        q.append(quarter_of(d))
        d = quarter_bounds(q[-1])[1]
    for name in q:
        quarters[name] = {
            "quarter": name,
            "subscribers": cfg.subscribers(name),
            "total": 0,
            "in_time": 0,
            "late": 0,
            "counts": {c.code: 0 for c in cfg.regulator_categories} | {"other": 0},
        }
    # replied_at: the first completed reply step, kept on the row (services/steps/rollups.py)
    answer = func.coalesce(Complaint.replied_at, Complaint.closed_at)
    due = Complaint.final_reply_due_at
    counts = (
        func.count(),
        func.sum(case((and_(due.is_not(None), answer.is_not(None), answer <= due), 1), else_=0)),
        func.sum(case((and_(due.is_not(None), or_(answer > due, and_(answer.is_(None), due < now))), 1), else_=0)),
    )
    with rt.db.read() as session:
        s = session.connection()
        # SQLite walked ix_complaint_category_created (a skip-scan to save the GROUP BY's sort), reading each row;
        # `category || ''` keeps it on the covering index. PostgreSQL chooses well by itself.
        by_category = Complaint.category if _pg(session) else Complaint.category.concat("")
        for name, entry in quarters.items():
            # a quarter's local days as an instant range, read through ix_complaint_reply_times alone (migration
            # 0023): grouping a year by each row's local month spent most of 400 ms on the date conversion
            lo, hi = quarter_bounds(name)
            rows = s.execute(
                select(by_category, *counts)
                .where(Complaint.created_at >= local_midnight(lo), Complaint.created_at < local_midnight(hi))
                .group_by(by_category)
            ).all()
            for category, n, in_time, late in rows:
                entry["total"] += n
                entry["in_time"] += int(in_time or 0)
                entry["late"] += int(late or 0)
                entry["counts"][cfg.regulator_category(category)] += n
    columns = regulator_columns(cfg, [entry["counts"] for entry in quarters.values()])
    out = []
    for entry in quarters.values():
        millions = entry["subscribers"] / 1_000_000
        counts = entry.pop("counts")
        entry["per_million"] = round(entry["total"] / millions, 2)
        # every quarter carries the same columns in the same order, so a table row lines up with its header
        entry["by_category"] = [
            {**col, "count": counts[col["code"]], "per_million": round(counts[col["code"]] / millions, 2)}
            for col in columns
        ]
        entry["reply_share"] = _rate(entry["in_time"], entry["in_time"] + entry["late"])
        out.append(entry)
    return {"reply_limit_days": cfg.reply_limit_days, "categories": columns, "quarters": out}


def regulator_columns(cfg, counts_per_quarter: list[dict[str, int]]) -> list[dict[str, str]]:
    """The category columns of the whole range: every configured one, then "other" when any quarter has one."""
    columns = [{"code": c.code, "zh": c.zh, "en": c.en} for c in cfg.regulator_categories]
    if any(counts.get("other") for counts in counts_per_quarter):
        columns.append({"code": "other", "zh": "其他", "en": "Other"})
    return columns


def recent_quarters(today: date, n: int = 4) -> tuple[str, str]:
    """The first and last of the n quarters ending with today's."""
    last = quarter_of(today)
    start, _ = quarter_bounds(last)
    for _ in range(n - 1):
        start = date(start.year - (start.month == 1), 10 if start.month == 1 else start.month - 3, 1)
    return quarter_of(start), last
