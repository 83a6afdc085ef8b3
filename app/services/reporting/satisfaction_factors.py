"""Satisfaction against handling time, step breaches, transfers/returns and reopenings, for team leaders.

One row per complaint registered in the period (and filters) that answered the closing survey, its factors
read from the complaint row (reply or closure time; 转派 and 退单, counted there by services/tasks/actions.py;
reopen count) and its tasks (finished after, or still open past, their due time). The bands and Spearman's
rho are pure rules (domain/satisfaction_factors.py).
"""

from __future__ import annotations

from collections import Counter
from itertools import compress, repeat
from operator import add, sub, truediv
from datetime import datetime, timedelta
from typing import Any, Iterable

from ...domain.actors import Viewer
from ...domain.clock import local_midnight
from ...domain.satisfaction_factors import analyse_counts
from ...errors import Forbidden
from ...plain_sql import Plain, Sql
from ..runtime import Runtime
from .dashboard import ReportFilter, _cached
from .satisfaction import channel_scope


# the answered complaints from ix_complaint_answered alone (migration 0025), each with its steps finished late
# counted through ix_human_task_late in the same statement: 25,000 (complaint, count) rows read back and matched in
# Python cost more than the counting
_ANSWERED = (
    "SELECT instance_id, satisfaction, {times}, transfer_count + return_count,"
    " reopen_count, (SELECT count(*) FROM human_task t WHERE t.instance_id = complaint.instance_id"
    " AND t.state = 'completed' AND t.completed_at > t.due_at)"
    " FROM complaint WHERE created_at >= :start AND created_at < :end AND satisfaction IS NOT NULL"
)
# registration and reply (or closure) as SQLite's text, turned into hours in Python; PostgreSQL gives the seconds
# between them instead (exact, as float8: the same double as Python's timedelta.total_seconds()): psycopg making
# 94,000 datetimes for a quarter cost as much as the query
_TIMES = {
    "sqlite": "created_at, COALESCE(replied_at, closed_at)",
    "postgresql": "NULL, CAST(EXTRACT(EPOCH FROM COALESCE(replied_at, closed_at) - created_at) AS float8)",
}
# every open step past due (a thousand or so, through ix_human_task_state_due), kept to the answered ones in Python:
# given the period's complaints as well SQLite walked them and their tasks instead
_OPEN_LATE = "SELECT instance_id FROM human_task WHERE state = 'ready' AND due_at < :now"


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
    with rt.db.read() as session:
        # the answered complaints as the driver's tuples (plain_sql.py): a quarter's 47,000 spent as long in
        # SQLAlchemy's rows and types as in the database
        db = Plain.of(session)
        filters = {"category": f.category, "department": f.department, "channel": channel}
        complaints = db.rows(
            Sql(
                _ANSWERED.format(times=_TIMES[db.dialect])
                + "".join(f" AND {k} = :{k}" for k, v in filters.items() if v)
            ),
            {"start": db.time(start), "end": db.time(end)} | {k: v for k, v in filters.items() if v},
        )
        open_late = Counter(iid for (iid,) in db.rows(Sql(_OPEN_LATE), {"now": db.time(now)}))
    # counted column by column with C-level maps and Counter's own loop: a Python loop over a quarter's 47,000
    # rows cost about as much as reading them
    iids, answers, created, answered_at, passed_on, reopenings, late = zip(*complaints) if complaints else ((),) * 7
    breaches = list(map(add, late, map(open_late.__getitem__, iids))) if open_late else late  # a Counter: 0 if none
    has_answer = [a is not None for a in answered_at]
    if db.dialect == "postgresql":  # the seconds already
        hours: Iterable[float] = map(truediv, compress(answered_at, has_answer), repeat(3600))
    else:
        hours = _hours(list(compress(answered_at, has_answer)), list(compress(created, has_answer)))
    tables = {
        "handling_hours": Counter(zip(hours, compress(answers, has_answer))),
        "breaches": Counter(zip(breaches, answers)),
        "transfers": _none_as_zero(Counter(zip(passed_on, answers))),
        "reopenings": _none_as_zero(Counter(zip(reopenings, answers))),
    }
    return {"filters": f.params() | ({"channel": channel} if channel else {})} | analyse_counts(tables)


def _hours(later: list, earlier: list) -> Iterable[float]:
    """The hours between pairs of instants read raw: SQLite hands back text (naive UTC), PostgreSQL datetimes."""
    if later and isinstance(later[0], str):
        later, earlier = list(map(datetime.fromisoformat, later)), list(map(datetime.fromisoformat, earlier))
    return map(truediv, map(timedelta.total_seconds, map(sub, later, earlier)), repeat(3600))


def _none_as_zero(table: Counter) -> Counter:
    """A count left NULL on the row is none (the rows before the column's migration)."""
    out: Counter = Counter()
    for (value, answer), k in table.items():
        out[(value or 0, answer)] += k
    return out
