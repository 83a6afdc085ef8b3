"""Keep the dashboard's daily roll-ups (models/rollups.py) in the transaction of each change they count.

- registration (``complaint_registered``): the complaint's day row, its repeat gap when it is classified
  (to the phone's previous complaint of the same category; and, when it was registered before a later
  complaint of the phone and category, that one's gap);
- every saved step (``after_steps``, from the write path, steps/write.py): the human tasks completed
  in it go to their step and duration band; when the complaint's counted fields differ from what it is
  counted under (category, department, severity, satisfaction, closing, reopening) its day row moves, and
  when its day key changed (category or department) its completed tasks move with it; a new category moves
  its repeat gap and those of the complaints after it in the old and the new category;
- the complaint's ``breached_ever`` (a step finished late here, a fired breach timer in services/sla/timers.py)
  for the search, and its ``replied_at`` (the first completed reply step) for the regulator's view.

A sync reads the complaint, what it is counted under and the tasks just completed in one statement,
then writes one UPSERT when a task completed: plain SQL on the session's connection (app/plain_sql.py),
a round trip each. report_complaint remembers what each complaint is counted under, so a move takes
back exactly what was added.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from ...models import Complaint
from ...plain_sql import Plain, Sql, insert_sql, read_time, update_sql
from ...domain.metrics import NO_GAP, REPLY_STEPS, repeat_gap
from . import people_counts
from .counts import HANDLE_STEP, Counted, Deltas, Task, counted, read_day, stored_day

# The complaint, what it is counted under (NULLs: not yet) and the tasks completed among the sync's steps.
_CONTEXT = (
    "SELECT c.id, c.created_at, c.category, c.department, c.channel, c.severity, c.status, c.satisfaction, "
    "c.customer_phone, c.transfer_count, c.return_count, c.reopen_count, "
    + ", ".join(f"r.{f}" for f in Counted._fields)
    + ", "
    "t.element_id, t.name, t.created_at, t.completed_at, t.due_at FROM complaint c "
    "LEFT JOIN report_complaint r ON r.complaint_id = c.id "
    "LEFT JOIN human_task t ON t.instance_id = c.instance_id AND t.state = 'completed' AND t.id {ids} "
    "WHERE c.instance_id = :iid"
)
_CONTEXT_BY_COUNT: dict[int, Sql] = {}
_CONTEXT_PG = Sql(_CONTEXT.format(ids="= ANY(:ids)"))  # one text whatever the count: prepared once
_DONE_TASKS = Sql(
    "SELECT element_id, name, created_at, completed_at, due_at FROM human_task "
    "WHERE instance_id = :iid AND state = 'completed'"
)
_R = 12  # where report_complaint's fields start in a _CONTEXT row, and the task's after them
_T = _R + len(Counted._fields)
# The phone's complaints of a category just before and just after an instant (a repeat is of the same category).
# `category || ''` keeps both probes on the phone's index: without statistics SQLite took `category = ?` to the
# category's index and walked every earlier (or later) complaint of the category (see reporting/rebuild.py).
_NEIGHBOURS = Sql(
    "SELECT (SELECT MAX(created_at) FROM complaint WHERE customer_phone = :phone AND category || '' = :cat"
    " AND created_at < :at), (SELECT MIN(created_at) FROM complaint WHERE customer_phone = :phone"
    " AND category || '' = :cat AND created_at > :at)"
)
_AT_INSTANT = Sql(
    f"SELECT c.created_at, r.complaint_id, {', '.join('r.' + f for f in Counted._fields)} FROM complaint c "
    "JOIN report_complaint r ON r.complaint_id = c.id "
    "WHERE c.customer_phone = :phone AND c.category = :cat AND c.created_at = :at"
)
_INSERT_COUNTED = insert_sql("report_complaint", ("complaint_id", "instance_id", *Counted._fields))
_UPDATE_COUNTED = update_sql("report_complaint", Counted._fields, key="complaint_id")
_MARK_BREACHED = Sql("UPDATE complaint SET breached_ever = :yes WHERE instance_id = :iid AND breached_ever = :no")
_MARK_REPLIED = Sql("UPDATE complaint SET replied_at = :at WHERE instance_id = :iid AND replied_at IS NULL")


def complaint_registered(s, complaint: Complaint) -> None:
    """Count a complaint just inserted (its row flushed) on its registration day."""
    _recount(
        Plain.of(s),
        complaint.id,
        complaint.instance_id,
        None,
        complaint.created_at,
        complaint.customer_phone,
        (
            complaint.category,
            complaint.department,
            complaint.channel,
            complaint.severity,
            complaint.status,
            complaint.satisfaction,
        ),
        Deltas(),
    )


def after_steps(s, instance_id: int, task_ids: Iterable[str]) -> None:
    """Count the human tasks completed among a sync's steps, and the complaint as its row now stands."""
    db = Plain.of(s)  # flushes the ORM changes of the step effects first (a special desk's department)
    task_ids = list(task_ids)
    rows = _context(db, instance_id, task_ids)
    if not rows:
        return  # no complaint: an appeal's instance
    first = rows[0]
    old = _counted(first[_R:_T])
    tasks = [
        Task(r[_T], r[_T + 1], read_time(r[_T + 2]), read_time(r[_T + 3]), read_time(r[_T + 4]))
        for r in rows
        if r[_T] is not None
    ]
    if any(t.due_at is not None and t.completed_at > t.due_at for t in tasks):
        mark_breached(s, instance_id)
    replies = [t.completed_at for t in tasks if t.element_id in REPLY_STEPS]
    if replies:  # the customer got the result: the regulator's view counts the reply from here
        db.run(_MARK_REPLIED, {"iid": instance_id, "at": db.time(min(replies))})
    deltas = Deltas()
    if old is not None:  # the new tasks go under its key now; a move below carries them along
        for t in tasks:
            deltas.task(old.step_key, t, +1)
    people_counts.sync(db, instance_id, [t for t in task_ids if t])  # the team page's per-person roll-up
    passed_on = (int(first[9] or 0), int(first[10] or 0))
    _recount(
        db, first[0], instance_id, old, read_time(first[1]), first[8], tuple(first[2:8]), deltas, passed_on, first[11]
    )


def complaint_changed(s, instance_id: int) -> None:
    """Recount a complaint whose row changed outside a sync (a transfer moving its department)."""
    after_steps(s, instance_id, [])


def mark_breached(s, instance_id: int) -> None:
    """Flag the instance's complaint as breached at least once (a late step, a fired breach timer)."""
    Plain.of(s).run(_MARK_BREACHED, {"iid": instance_id, "yes": True, "no": False})


def _context(db: Plain, instance_id: int, ids: list[str]) -> list[tuple]:
    ids = ids or [""]  # no step id: the complaint alone (no task has an empty id)
    if db.is_postgresql:
        return db.rows(_CONTEXT_PG, {"iid": instance_id, "ids": ids})
    sql = _CONTEXT_BY_COUNT.get(len(ids))
    if sql is None:
        sql = _CONTEXT_BY_COUNT[len(ids)] = Sql(
            _CONTEXT.format(ids="IN (" + ", ".join(f":t{i}" for i in range(len(ids))) + ")")
        )
    return db.rows(sql, {"iid": instance_id, **{f"t{i}": v for i, v in enumerate(ids)}})


def _counted(values) -> Counted | None:
    """A report_complaint row's fields as read back (None: not counted yet)."""
    day, category, department, channel, severity, gap, closed, first_time, satisfaction, reopened = values
    if day is None:
        return None
    return Counted(
        read_day(day),
        category,
        department,
        channel,
        severity,
        gap,
        bool(closed),
        bool(first_time),
        satisfaction,
        bool(reopened),
    )


def _recount(
    db: Plain,
    complaint_id: int,
    instance_id: int | None,
    old: Counted | None,
    created_at: datetime,
    phone: str,
    fields: tuple,
    deltas: Deltas,
    passed_on: tuple[int, int] = (0, 0),
    reopened: int = 0,
) -> None:
    """Move a complaint from what it is counted under (old; None: not yet) to what its row says now."""
    category, department, channel, severity, status, satisfaction = fields
    if old is not None and old.category == (category or ""):
        gap = old.repeat_gap
    else:  # counted for the first time, or classified (again): its gap is to another category's complaints now
        gap = _place(db, phone, category or "", old.category if old is not None else "", created_at, deltas)
    tasks: list[Task] | None = None
    handled = 0
    if status == "closed" and not (old is not None and old.closed):
        tasks = _tasks(db, instance_id)
        handled = sum(t.element_id == HANDLE_STEP for t in tasks)
    new = counted(
        created_at, category, department, channel, severity, status, satisfaction, gap, handled, passed_on, reopened
    )
    if old is not None and old.closed:
        new = new._replace(first_time=old.first_time)  # a closed instance completes no more tasks
    if new != old:
        if old is not None:
            deltas.complaint(old, -1)
        deltas.complaint(new, +1)
        if old is None or old.step_key != new.step_key:
            for t in tasks if tasks is not None else _tasks(db, instance_id):  # the sync's new ones among them
                if old is not None:
                    deltas.task(old.step_key, t, -1)
                deltas.task(new.step_key, t, +1)
    deltas.write(db)
    if new != old:
        _save_counted(db, complaint_id, instance_id, new, insert=old is None)


def _save_counted(db: Plain, complaint_id: int, instance_id: int | None, c: Counted, insert: bool = False) -> None:
    values = c._asdict() | {"day": stored_day(db, c.day), "complaint_id": complaint_id}
    if insert:
        db.run(_INSERT_COUNTED, values | {"instance_id": instance_id})
    else:
        db.run(_UPDATE_COUNTED, values)


def _tasks(db: Plain, instance_id: int | None) -> list[Task]:
    if instance_id is None:
        return []
    return [
        Task(e, n, read_time(c), read_time(d), read_time(due))
        for e, n, c, d, due in db.rows(_DONE_TASKS, {"iid": instance_id})
    ]


def _place(db: Plain, phone: str, category: str, left: str, at: datetime, deltas: Deltas) -> int:
    """The complaint's gap in its category now, after moving the gaps of the complaints it stops preceding (the
    next one in the category it left) and starts preceding (the next one in its new category)."""
    if left:
        _, following = db.first(_NEIGHBOURS, {"phone": phone, "cat": left, "at": db.time(at)})
        if following is not None:  # it now follows the one before it there (this complaint's row has moved on)
            previous, _ = db.first(_NEIGHBOURS, {"phone": phone, "cat": left, "at": following})
            _regap(db, phone, left, following, read_time(previous), deltas)
    if not category:
        return NO_GAP  # not classified yet: a repeat is of the same category
    previous, following = db.first(_NEIGHBOURS, {"phone": phone, "cat": category, "at": db.time(at)})
    if following is not None:  # registered before a later complaint of the phone and category: its previous now
        _regap(db, phone, category, following, at, deltas)
    return repeat_gap(read_time(previous), at)


def _regap(db: Plain, phone: str, category: str, at, previous: datetime | None, deltas: Deltas) -> None:
    """The complaints of a phone and category registered at `at` now have `previous` as their previous complaint."""
    for r in db.rows(_AT_INSTANT, {"phone": phone, "cat": category, "at": at}):
        old = _counted(r[2:])
        assert old is not None  # joined to its report_complaint row
        new = old._replace(repeat_gap=repeat_gap(previous, read_time(r[0])))
        if new != old:
            deltas.complaint(old, -1)
            deltas.complaint(new, +1)
            _save_counted(db, r[1], None, new)
