"""The team page's per-person roll-up (models/rollups.py ReportPersonDay), kept in the step's own transaction.

The page needs, per person and period, the steps completed and the *distinct* complaints worked (with their
satisfaction, repeat and reopen flags). Steps add up by day; distinct complaints do not, so each (person,
complaint, day) with completions is counted under the day of the person's previous completion on that complaint
(``prev_day``, NO_DAY when none): in a period a pair counts once, on its first day there, the one whose
``prev_day`` is before the period. A complaint's rows are a function of its completed tasks and its flags
(``contribution``); a sync takes back what it counted under before (report_person_complaint) and adds what it
counts under now, so the rebuild (reporting/rebuild.py) and the live path make the same rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, NamedTuple

from ...domain.clock import local_date
from ...models import ReportPersonDay
from ...plain_sql import Plain, Sql, insert_sql, read_time, update_sql
from .counts import _upsert_sql, stored_day

NO_DAY = date(1, 1, 1)  # no earlier completion by the person on the complaint (a key column: never NULL)
GOOD = ("satisfied", "basically_satisfied")
KEY = ("day", "user_id", "category", "department", "prev_day")


class Flags(NamedTuple):
    """What one complaint's completions are counted under."""

    category: str
    department: str
    good: bool
    answered: bool
    repeat: bool
    reopened: bool


class Done(NamedTuple):
    """A completed task as this roll-up reads it."""

    user_id: int
    completed_at: datetime
    due_at: datetime | None


def flags(category, department, satisfaction, is_repeat, reopen_count) -> Flags:
    """A complaint's flags from its row, as the team page defines them (docs/metrics.md)."""
    return Flags(
        category or "",
        department or "",
        satisfaction in GOOD,
        satisfaction is not None,
        bool(is_repeat),
        bool(reopen_count),
    )


def contribution(done: Iterable[Done], f: Flags, sign: int, into: dict[tuple, dict[str, Any]]) -> None:
    """Add one complaint's rows (sign -1 takes them back) to ``into``, keyed by KEY."""
    per: dict[tuple[int, date], list[int]] = {}
    for t in done:
        n = per.setdefault((t.user_id, local_date(t.completed_at)), [0, 0, 0])
        n[0] += 1
        n[1] += t.due_at is not None
        n[2] += t.due_at is not None and t.completed_at <= t.due_at
    previous: dict[int, date] = {}
    for (uid, day), (n, with_due, in_time) in sorted(per.items()):
        key = (day, uid, f.category, f.department, previous.get(uid, NO_DAY))
        previous[uid] = day
        row = into.get(key)
        if row is None:
            row = into[key] = dict(zip(KEY, key)) | dict.fromkeys(_COUNTERS, 0)
        for name, value in zip(
            _COUNTERS, (n, with_due, in_time, 1, f.good, f.answered, f.repeat, f.reopened), strict=True
        ):
            row[name] += sign * int(value)


_COUNTERS = ("handled", "with_deadline", "on_time", "complaints", "good", "answered", "repeats", "reopened")
_UPSERT = Sql(_upsert_sql(ReportPersonDay))
# The complaint, what its completions are counted under (NULLs: not yet) and its tasks completed by people.
_CONTEXT = Sql(
    "SELECT c.id, c.category, c.department, c.satisfaction, c.is_repeat, c.reopen_count, "
    "p.category, p.department, p.good, p.answered, p.repeat, p.reopened, "
    "t.id, t.completed_by_id, t.completed_at, t.due_at FROM complaint c "
    "LEFT JOIN report_person_complaint p ON p.complaint_id = c.id "
    "LEFT JOIN human_task t ON t.instance_id = c.instance_id AND t.state = 'completed' "
    "AND t.completed_by_id IS NOT NULL WHERE c.instance_id = :iid"
)
_INSERT = insert_sql("report_person_complaint", ("complaint_id", *Flags._fields))
_UPDATE = update_sql("report_person_complaint", Flags._fields, key="complaint_id")


def sync(db: Plain, instance_id: int, new_task_ids: Iterable[str]) -> None:
    """Move the complaint's rows from what they were counted under to its completed tasks and flags now."""
    context = db.rows(_CONTEXT, {"iid": instance_id})
    if not context:
        return  # no complaint: an appeal's instance
    row = context[0]
    now = flags(*row[1:6])
    old = None if row[6] is None else Flags(row[6], row[7], *(bool(v) for v in row[8:12]))
    done = [(r[12], Done(r[13], read_time(r[14]), read_time(r[15]))) for r in context if r[12] is not None]
    new_ids = set(new_task_ids)
    if old == now and not any(tid in new_ids for tid, _ in done):
        return
    rows: dict[tuple, dict[str, Any]] = {}
    if old is not None:
        contribution((t for tid, t in done if tid not in new_ids), old, -1, rows)
    contribution((t for _, t in done), now, +1, rows)
    write(db, rows)
    if old != now:
        db.later(_INSERT if old is None else _UPDATE, now._asdict() | {"complaint_id": row[0]})


def write(db: Plain, rows: dict[tuple, dict[str, Any]]) -> None:
    """Add the rows' counters (keys in order, so that two writers lock shared rows in the same order)."""
    changed = [
        rows[k] | {"day": stored_day(db, k[0]), "prev_day": stored_day(db, k[4])}
        for k in sorted(rows)
        if any(rows[k][c] for c in _COUNTERS)
    ]
    if len(changed) == 1:  # nobody waits for their answer: held and pipelined when the caller holds writes
        db.later(_UPSERT, changed[0])
    else:
        db.later_many(_UPSERT, changed)
