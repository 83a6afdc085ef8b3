"""Satisfaction against handling time, step breaches, transfers/returns and reopenings, for team leaders.

One row per complaint registered in the period (and filters) that answered the closing survey, its factors
read from the complaint row (reply or closure time; 转派 and 退单, counted there by services/tasks/actions.py;
reopen count) and its tasks (finished after, or still open past, their due time). The bands and Spearman's
rho are pure rules (domain/satisfaction_factors.py).
"""

from __future__ import annotations

from collections import Counter
from itertools import compress, repeat
from operator import sub, truediv
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import func, select

from ...domain.actors import Viewer
from ...domain.clock import local_midnight
from ...domain.satisfaction_factors import analyse_counts
from ...errors import Forbidden
from ...models import Complaint, HumanTask
from ...plain_sql import Plain, Sql
from ..runtime import Runtime
from .dashboard import ReportFilter, _cached, _scope
from .satisfaction import channel_scope


_ANSWERED = (
    "SELECT instance_id, satisfaction, created_at, COALESCE(replied_at, closed_at), transfer_count + return_count,"
    " reopen_count FROM complaint WHERE created_at >= :start AND created_at < :end AND satisfaction IS NOT NULL"
)


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
    with rt.db.read() as session:
        s = session.connection()  # Core rows: the ORM's row loading cost as much as the query at a quarter
        answered = select(c.instance_id).where(
            c.created_at >= start, c.created_at < end, c.satisfaction.is_not(None), *_scope(f), *scope
        )
        # the answered complaints as the driver's tuples (plain_sql.py): a quarter's 47,000 spent as long in
        # SQLAlchemy's rows and types as in the database
        db = Plain.of(session)
        filters = {"category": f.category, "department": f.department, "channel": channel}
        complaints = db.rows(
            Sql(_ANSWERED + "".join(f" AND {k} = :{k}" for k, v in filters.items() if v)),
            {"start": db.time(start), "end": db.time(end)} | {k: v for k, v in filters.items() if v},
        )
        rows = {row[0] for row in complaints}
        # the steps finished late through ix_human_task_late (a tenth of the tasks), the open ones past due through
        # the state index (a thousand or so): the period's tasks are never read one by one
        breaches: Counter = Counter(
            dict(
                s.execute(
                    select(t.instance_id, func.count())
                    .where(t.state == "completed", t.completed_at > t.due_at, t.instance_id.in_(answered))
                    .group_by(t.instance_id)
                ).all()
            )
        )
        # every open step past due (few), kept to the answered complaints here: given the period's complaints as
        # well SQLite walked them and their tasks instead
        breaches.update(
            iid
            for (iid,) in s.execute(select(t.instance_id).where(t.state == "ready", t.due_at < now)).all()
            if iid in rows
        )
    # counted column by column with C-level maps and Counter's own loop: a Python loop over a quarter's 47,000
    # rows cost about as much as reading them
    iids, answers, created, answered_at, passed_on, reopenings = zip(*complaints) if complaints else ((),) * 6
    has_answer = [a is not None for a in answered_at]
    hours = _hours(list(compress(answered_at, has_answer)), list(compress(created, has_answer)))
    tables = {
        "handling_hours": Counter(zip(hours, compress(answers, has_answer))),
        "breaches": Counter(zip(map(breaches.__getitem__, iids), answers)),  # a Counter: 0 when none
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
