"""Keep the dashboard's daily roll-ups (models/rollups.py) in the transaction of each change they count.

- registration (``complaint_registered``): the complaint's day row, its repeat gap (and, when it was
  registered before a later complaint of the same phone, that one's gap);
- every projection sync (``after_steps``, from branch_effects.after_sync): the human tasks completed
  in it go to their step and duration band; when the complaint's counted fields changed (category,
  severity, department, satisfaction, closing) its day row moves, and when its day key changed
  (category or department) its completed tasks move with it;
- ``mark_breached``: the complaint's "breached ever" flag, for the search (a late step here, a fired
  breach timer in services/timers.py); and its ``replied_at`` (the first completed reply step), for the
  regulator's view.

A completion costs one SELECT and one UPSERT in plain SQL (app/plain_sql.py); the complaint's fields
are read only when the save could have changed them. report_complaint remembers what each complaint is
counted under, so a move takes back exactly what was added.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import bindparam, func, insert, select, update

from ..models import Complaint, HumanTask, ReportComplaint
from .complaint_clocks import REPLY_STEPS
from ..plain_sql import Plain, Sql, read_time
from .report_counts import HANDLE_STEP, Counted, Deltas, Task, counted, read_day, repeat_gap

COUNTED_FIELDS = frozenset({"category", "severity", "department", "satisfaction"})  # submitted data the projection mirrors

# The completion path's read: the tasks just completed, with the key their complaint is counted under.
_NEW_TASKS = ("SELECT t.element_id, t.name, t.created_at, t.completed_at, t.due_at, r.day, r.category, r.department "
              "FROM human_task t JOIN complaint c ON c.instance_id = t.instance_id "
              "LEFT JOIN report_complaint r ON r.complaint_id = c.id "
              "WHERE t.state = 'completed' AND t.id IN ({ids})")
_NEW_TASKS_BY_COUNT: dict[int, Sql] = {}
_TASK_COLUMNS = (HumanTask.element_id, HumanTask.name, HumanTask.created_at, HumanTask.completed_at, HumanTask.due_at)
_COMPLAINT = (
    select(Complaint.id, Complaint.instance_id, Complaint.created_at, Complaint.category, Complaint.department,
           Complaint.channel, Complaint.severity, Complaint.status, Complaint.satisfaction, Complaint.customer_phone,
           *(getattr(ReportComplaint, f) for f in Counted._fields))
    .outerjoin(ReportComplaint, ReportComplaint.complaint_id == Complaint.id)
    .where(Complaint.instance_id == bindparam("instance_id"))
)
_DONE_TASKS = select(*_TASK_COLUMNS).where(HumanTask.instance_id == bindparam("instance_id"),
                                           HumanTask.state == "completed")
_NEIGHBOURS = select(
    select(func.max(Complaint.created_at)).where(Complaint.customer_phone == bindparam("phone"),
                                                 Complaint.created_at < bindparam("at")).scalar_subquery(),
    select(func.min(Complaint.created_at)).where(Complaint.customer_phone == bindparam("phone"),
                                                 Complaint.created_at > bindparam("at")).scalar_subquery())
_AT_INSTANT = (select(Complaint.created_at, *(getattr(ReportComplaint, f) for f in Counted._fields),
                      ReportComplaint.complaint_id)
               .join(ReportComplaint, ReportComplaint.complaint_id == Complaint.id)
               .where(Complaint.customer_phone == bindparam("phone"), Complaint.created_at == bindparam("at")))
_INSERT_COUNTED = insert(ReportComplaint.__table__)
_UPDATE_COUNTED = (update(ReportComplaint).where(ReportComplaint.complaint_id == bindparam("cid"))
                   .values({f: bindparam(f"new_{f}") for f in Counted._fields})
                   .execution_options(synchronize_session=False))
_MARK_REPLIED = (update(Complaint).where(Complaint.instance_id == bindparam("iid"), Complaint.replied_at.is_(None))
                 .values(replied_at=bindparam("at")).execution_options(synchronize_session=False))
_MARK_BREACHED = (update(Complaint).where(Complaint.instance_id == bindparam("iid"),
                                          Complaint.breached_ever.is_(False))
                  .values(breached_ever=True).execution_options(synchronize_session=False))


# -- the changes -----------------------------------------------------------------------------------

def complaint_registered(s, complaint: Complaint) -> None:
    """Count a complaint just inserted (its row flushed) on its registration day."""
    _recount(s, complaint.id, complaint.instance_id, None, complaint.created_at, complaint.customer_phone,
             (complaint.category, complaint.department, complaint.channel, complaint.severity, complaint.status,
              complaint.satisfaction), Deltas())


def after_steps(s, instance_id: int, task_ids: Iterable[str], submitted: dict[str, Any], completed: bool,
                desk_changed: bool = False) -> None:
    """Count the human tasks completed among a sync's steps, and the complaint's fields if they may have changed."""
    deltas = Deltas()
    rows = _new_tasks(s, list(task_ids))
    if any(t.due_at is not None and t.completed_at > t.due_at for t, _ in rows):
        mark_breached(s, instance_id)
    replies = [t.completed_at for t, _ in rows if t.element_id in REPLY_STEPS]
    if replies:  # the customer got the result: the regulator's view counts the reply from here
        s.execute(_MARK_REPLIED, {"iid": instance_id, "at": min(replies)})
    missing = bool(rows) and rows[0][1] is None
    if not missing:  # counted already: the tasks go under its key (a move below carries them along)
        for t, key in rows:
            deltas.task(key, t, +1)
    if missing or completed or desk_changed or not COUNTED_FIELDS.isdisjoint(submitted):
        got = s.execute(_COMPLAINT, {"instance_id": instance_id}).first()  # ORM: flushes the effects' changes first
        if got is not None:
            old = Counted(*got[10:]) if got.day is not None else None
            _recount(s, got.id, instance_id, old, got.created_at, got.customer_phone, tuple(got[3:9]), deltas)
            return
    deltas.write(s)


def _new_tasks(s, ids: list[str]) -> list[tuple[Task, tuple | None]]:
    """The completed human tasks among ids, each with its complaint's roll-up key (None: not counted yet)."""
    if not ids:
        return []
    sql = _NEW_TASKS_BY_COUNT.get(len(ids))
    if sql is None:
        sql = _NEW_TASKS_BY_COUNT[len(ids)] = Sql(_NEW_TASKS.format(ids=", ".join(f":t{i}" for i in range(len(ids)))))
    out = []
    for element_id, name, created, done, due, day, category, department in Plain.of(s).rows(
            sql, {f"t{i}": v for i, v in enumerate(ids)}):
        task = Task(element_id, name, read_time(created), read_time(done), read_time(due))
        out.append((task, (read_day(day), category, department) if day is not None else None))
    return out


def mark_breached(s, instance_id: int) -> None:
    """Flag the instance's complaint as breached at least once (a late step, a fired breach timer)."""
    s.execute(_MARK_BREACHED, {"iid": instance_id})


def _recount(s, complaint_id: int, instance_id: int | None, old: Counted | None, created_at: datetime, phone: str,
             fields: tuple, deltas: Deltas) -> None:
    """Move a complaint from what it is counted under (old; None: not yet) to what its row says now."""
    category, department, channel, severity, status, satisfaction = fields
    if old is not None:
        gap = old.repeat_gap
    else:
        previous, following = s.execute(_NEIGHBOURS, {"phone": phone, "at": created_at}).one()
        gap = repeat_gap(previous, created_at)
        if following is not None:  # registered before a later complaint of the same phone: it is that one's previous
            _regap(s, phone, following, created_at, deltas)
    tasks: list[Task] | None = None
    handled = 0
    if status == "closed" and not (old is not None and old.closed):
        tasks = _tasks(s, instance_id)
        handled = sum(t.element_id == HANDLE_STEP for t in tasks)
    new = counted(created_at, category, department, channel, severity, status, satisfaction, gap, handled)
    if old is not None and old.closed:
        new = new._replace(first_time=old.first_time)  # a closed instance completes no more tasks
    if new == old:
        deltas.write(s)
        return
    if old is not None:
        deltas.complaint(old, -1)
    deltas.complaint(new, +1)
    if old is None or old.step_key != new.step_key:
        for t in tasks if tasks is not None else _tasks(s, instance_id):
            if old is not None:
                deltas.task(old.step_key, t, -1)
            deltas.task(new.step_key, t, +1)
    deltas.write(s)
    values = new._asdict()
    if old is None:
        s.execute(_INSERT_COUNTED, {"complaint_id": complaint_id, "instance_id": instance_id, **values})
    else:
        s.execute(_UPDATE_COUNTED, {"cid": complaint_id, **{f"new_{k}": v for k, v in values.items()}})


def _tasks(s, instance_id: int | None) -> list[Task]:
    if instance_id is None:
        return []
    return [Task(*r) for r in s.execute(_DONE_TASKS, {"instance_id": instance_id})]


def _regap(s, phone: str, at: datetime, previous: datetime, deltas: Deltas) -> None:
    """The complaints of a phone registered at `at` now have `previous` as their previous complaint."""
    for r in s.execute(_AT_INSTANT, {"phone": phone, "at": at}).all():
        old = Counted(*r[1:10])
        new = old._replace(repeat_gap=repeat_gap(previous, r.created_at))
        if new != old:
            deltas.complaint(old, -1)
            deltas.complaint(new, +1)
            s.execute(_UPDATE_COUNTED, {"cid": r.complaint_id, **{f"new_{k}": v for k, v in new._asdict().items()}})
