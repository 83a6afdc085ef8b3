"""Recompute the dashboard's roll-ups from the raw rows: the migrations' backfill (REBUILT_AT), generate-demo's bulk
copies, and `complaintflow rebuild-reports` (a repair, should a writer ever bypass the services).

It recomputes the complaint columns kept beside them (breached_ever, replied_at), empties the three
roll-up tables and counts every complaint and completed task again with the same contribution
functions the services use (services/steps/counts.py), a slice of registration days
at a time so that memory stays bounded on millions of rows. It writes in the caller's transaction;
on PostgreSQL it first locks the roll-ups against concurrent writers, who then add their own change
on top of the rebuilt rows once it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from sqlalchemy import Select, func, insert, select

from ...domain.clock import local_date, local_midnight
from ...models import Complaint, HumanTask, ReportComplaint, ReportComplaintDay, ReportStepDay
from ...domain.metrics import REPLY_STEPS, repeat_gap
from ..steps.counts import HANDLE_STEP, Deltas, Task, counted
from .people_rebuild import rebuild_people

SLICE_DAYS = 7  # a week of registrations and their tasks in memory at a time
CHUNK = 5_000  # rows per INSERT


@dataclass
class Rebuilt:
    complaints: int = 0
    tasks: int = 0
    day_rows: int = 0
    step_rows: int = 0
    person_rows: int = 0


# The complaint columns the services keep beside the roll-ups, as the search and the regulator's view define them:
# a fired breach timer or a step finished late; the first completed reply step.
# Probes by instance_id, not IN (a list of every breached instance): PostgreSQL scanned that list per row.
_COMPLAINT_FACTS = (
    "UPDATE complaint SET breached_ever = ("
    " EXISTS (SELECT 1 FROM timer WHERE timer.instance_id = complaint.instance_id AND timer.kind = 'breach'"
    " AND timer.status = 'fired') OR EXISTS (SELECT 1 FROM human_task t WHERE t.instance_id = complaint.instance_id"
    " AND t.state = 'completed' AND t.completed_at > t.due_at)),"
    " replied_at = (SELECT MIN(t.completed_at) FROM human_task t WHERE t.instance_id = complaint.instance_id"
    f" AND t.element_id IN ({', '.join(repr(step) for step in REPLY_STEPS)}) AND t.state = 'completed')"
)


# The newest migration that changes what the roll-ups count: the rebuild writes its schema. Older migrations that
# once rebuilt (0007, 0012, 0015) leave it to this one, which every upgrade passes through; the next change of a
# definition moves it to that change's migration.
REBUILT_AT = "0019_repeats"


def rebuild_in_migration(conn, revision: str) -> None:
    """Recount the roll-ups if ``revision`` is the migration they are recounted at (REBUILT_AT)."""
    if revision == REBUILT_AT:
        rebuild(conn, people=False)  # report_person_day comes at 0024, which fills it (people_rebuild.py)


def rebuild(conn, progress: Callable[[int], None] | None = None, people: bool = True) -> Rebuilt:
    """Refill report_complaint, report_complaint_day, report_step_day, the complaints' kept columns and (people)
    the team page's per-person roll-up."""
    out = _rebuild_days(conn, progress)
    if people:
        out.person_rows = rebuild_people(conn)
    return out


def _rebuild_days(conn, progress: Callable[[int], None] | None) -> Rebuilt:
    out = Rebuilt()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE report_complaint, report_complaint_day, report_step_day IN EXCLUSIVE MODE")
        # Right after a bulk load (generate-demo, a restore) the planner has no statistics and would probe
        # each complaint's tasks through the state index too (hours at 100,000 complaints); a sample is cheap.
        conn.exec_driver_sql("ANALYZE complaint, human_task, timer")
    conn.exec_driver_sql(_COMPLAINT_FACTS)
    for table in (ReportStepDay, ReportComplaintDay, ReportComplaint):
        conn.execute(table.__table__.delete())
    first, last = conn.execute(select(func.min(Complaint.created_at), func.max(Complaint.created_at))).one()
    if first is None:
        return out
    day, end = local_date(first), local_date(last)
    while day <= end:
        _slice(conn, day, min(end, day + timedelta(days=SLICE_DAYS - 1)), out, progress)
        day += timedelta(days=SLICE_DAYS)
    return out


def slice_complaints(lo: datetime, hi: datetime) -> Select:
    """The complaints registered in [lo, hi) with their previous complaint of the same phone and category.

    Both reads of a slice are written so that every plan probes through the slice's own rows, statistics or
    not: a bulk load (generate-demo, a restore) is rebuilt before anything analysed it, and SQLite then took
    an equality on a low-cardinality column for the better index and read far more than the slice.
    """
    earlier = Complaint.__table__.alias("earlier")
    previous = (
        select(func.max(earlier.c.created_at))
        .where(
            earlier.c.customer_phone == Complaint.customer_phone,
            # A repeat is of the same category (domain/metrics.is_repeat). `|| ''` keeps the probe on the phone's
            # index: given `category = ?` SQLite walked the category's index over every earlier complaint of the
            # category for each complaint, O(n^2).
            earlier.c.category.op("||")("") == Complaint.category,
            earlier.c.created_at < Complaint.created_at,
        )
        .correlate(Complaint)
        .scalar_subquery()
    )
    return select(
        Complaint.id,
        Complaint.instance_id,
        Complaint.created_at,
        Complaint.category,
        Complaint.department,
        Complaint.channel,
        Complaint.severity,
        Complaint.status,
        Complaint.satisfaction,
        previous,
        Complaint.transfer_count,
        Complaint.return_count,
        Complaint.reopen_count,
    ).where(Complaint.created_at >= lo, Complaint.created_at < hi)


def slice_tasks(lo: datetime, hi: datetime) -> Select:
    """The completed tasks of the complaints registered in [lo, hi)."""
    return (
        select(
            HumanTask.instance_id,
            HumanTask.element_id,
            HumanTask.name,
            HumanTask.created_at,
            HumanTask.completed_at,
            HumanTask.due_at,
        )
        .join(Complaint, Complaint.instance_id == HumanTask.instance_id)
        # `|| ''` so that the slice's complaints lead and their tasks are probed by instance: given `state = ?`
        # SQLite read every completed task of the database through the state index for each slice and probed
        # its complaint (a million tasks per slice at 100,000 complaints).
        .where(Complaint.created_at >= lo, Complaint.created_at < hi, HumanTask.state.op("||")("") == "completed")
    )


def _slice(conn, first: date, last: date, out: Rebuilt, progress) -> None:
    """Count the complaints registered on these local days and their completed tasks (read once each)."""
    lo, hi = local_midnight(first), local_midnight(last + timedelta(days=1))
    complaints = conn.execute(slice_complaints(lo, hi)).all()
    tasks: dict[int, list[Task]] = {}
    for iid, *task in conn.execute(slice_tasks(lo, hi)):
        tasks.setdefault(iid, []).append(Task(*task))
    deltas, snapshots = Deltas(), []
    for cid, iid, created, category, department, channel, severity, status, satisfaction, prev, *more in complaints:
        done = tasks.get(iid, [])
        c = counted(
            created,
            category,
            department,
            channel,
            severity,
            status,
            satisfaction,
            repeat_gap(prev, created),
            sum(t.element_id == HANDLE_STEP for t in done),
            (int(more[0] or 0), int(more[1] or 0)),
            int(more[2] or 0),
        )
        deltas.complaint(c, +1)
        snapshots.append({"complaint_id": cid, "instance_id": iid, **c._asdict()})
        for t in done:
            deltas.task(c.step_key, t, +1)
        out.tasks += len(done)
    for table, values in (
        (ReportComplaint, snapshots),
        (ReportComplaintDay, list(deltas.days.values())),
        (ReportStepDay, list(deltas.steps.values())),
    ):
        for i in range(0, len(values), CHUNK):
            conn.execute(insert(table.__table__), values[i : i + CHUNK])
    out.complaints += len(complaints)
    out.day_rows += len(deltas.days)
    out.step_rows += len(deltas.steps)
    if progress is not None:
        progress(len(complaints))
