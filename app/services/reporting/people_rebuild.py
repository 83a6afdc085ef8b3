"""Recount the team page's per-person roll-up (report_person_day, report_person_complaint) from the raw rows:
the rebuild (rebuild.py: generate-demo, `rebuild-reports`) and migration 0024's backfill.

The same contribution function as the live path (services/steps/people_counts.py), a slice of registration days
at a time; the day rows are summed across slices (a person's day holds completions of complaints registered on
many days) and written at the end: at 100,000 complaints tens of thousands of rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select

from ...domain.clock import local_date, local_midnight
from ...models import Complaint, HumanTask, ReportPersonComplaint, ReportPersonDay
from ..steps.people_counts import Done, contribution, flags

SLICE_DAYS = 7
CHUNK = 5_000


def rebuild_people(conn) -> int:
    """Empty and refill the per-person roll-up; return the number of day rows written."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE report_person_complaint, report_person_day IN EXCLUSIVE MODE")
    for table in (ReportPersonDay, ReportPersonComplaint):
        conn.execute(table.__table__.delete())
    first, last = conn.execute(select(func.min(Complaint.created_at), func.max(Complaint.created_at))).one()
    if first is None:
        return 0
    rows: dict[tuple, dict[str, Any]] = {}
    day, end = local_date(first), local_date(last)
    while day <= end:
        lo, hi = local_midnight(day), local_midnight(min(end, day + timedelta(days=SLICE_DAYS - 1)) + timedelta(days=1))
        _slice(conn, lo, hi, rows)
        day += timedelta(days=SLICE_DAYS)
    values = [r for r in rows.values() if r["complaints"] or r["handled"]]
    for i in range(0, len(values), CHUNK):
        conn.execute(insert(ReportPersonDay.__table__), values[i : i + CHUNK])
    return len(values)


def _slice(conn, lo, hi, rows: dict[tuple, dict[str, Any]]) -> None:
    c, t = Complaint, HumanTask
    complaints = conn.execute(
        select(c.id, c.instance_id, c.category, c.department, c.satisfaction, c.is_repeat, c.reopen_count).where(
            c.created_at >= lo, c.created_at < hi
        )
    ).all()
    done: dict[int, list[Done]] = {}
    for iid, uid, at, due in conn.execute(
        select(t.instance_id, t.completed_by_id, t.completed_at, t.due_at)
        .join(c, c.instance_id == t.instance_id)
        # `|| ''` as in rebuild.slice_tasks: the slice's complaints lead, their tasks probed by instance
        .where(c.created_at >= lo, c.created_at < hi, t.state.op("||")("") == "completed")
        .where(t.completed_by_id.is_not(None))
    ):
        done.setdefault(iid, []).append(Done(uid, at, due))
    snapshots = []
    for cid, iid, *fields in complaints:
        f = flags(*fields)
        contribution(done.get(iid, []), f, +1, rows)
        snapshots.append({"complaint_id": cid, **f._asdict()})
    for i in range(0, len(snapshots), CHUNK):
        conn.execute(insert(ReportPersonComplaint.__table__), snapshots[i : i + CHUNK])
