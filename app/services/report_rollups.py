"""Keep the dashboard's daily roll-ups (models/rollups.py) in the transaction of each change they count.

- registration (``complaint_registered``): the complaint's day row, its repeat gap (and, when it was
  registered before a later complaint of the same phone, that one's gap);
- every projection sync (``after_steps``, from branch_effects.after_sync): the human tasks completed
  in it go to their step and duration band; when the complaint's counted fields changed (category,
  severity, department, satisfaction, closing) its day row moves, and when its day key changed
  (category or department) its completed tasks move with it;
- ``mark_breached``: the complaint's "breached ever" flag, for the search (a late step here, a fired
  breach timer in services/timers.py).

A completion costs one SELECT and one UPSERT; the complaint's fields are read only when the save
could have changed them. report_complaint remembers what each complaint is counted under, so a move
takes back exactly what was added. The definitions live in contribution functions shared with the
rebuild (services/report_rebuild.py), which must produce the same rows.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Iterable, NamedTuple

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..domain.clock import local_date
from ..domain.duration_bands import band_of, milliseconds
from ..domain.reporting import MAX_REPEAT_WINDOW_DAYS
from ..models import Complaint, HumanTask, ReportComplaint, ReportComplaintDay, ReportStepDay
from ..models.rollups import NO_GAP

HANDLE_STEP = "handle"  # first-contact resolution counts the completed tasks of this step
COUNTED_FIELDS = frozenset({"category", "severity", "department", "satisfaction"})  # submitted data the projection mirrors
SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied")
_DAY = timedelta(days=1)


class Counted(NamedTuple):
    """What the roll-ups count one complaint under (a report_complaint row)."""

    day: date
    category: str
    department: str
    channel: str
    severity: str
    repeat_gap: int
    closed: bool
    first_time: bool
    satisfaction: str

    @property
    def step_key(self) -> tuple[date, str, str]:
        return self.day, self.category, self.department


class Task(NamedTuple):
    element_id: str
    name: str
    created_at: datetime
    completed_at: datetime
    due_at: datetime | None


# -- the definitions, shared with the rebuild -------------------------------------------------------

def repeat_gap(previous: datetime | None, created_at: datetime) -> int:
    """Whole days (rounded up) since the phone's previous complaint; NO_GAP beyond a year or none.

    A complaint is a repeat for a window of W days exactly when 0 < gap <= W: created - previous <= W days.
    """
    if previous is None or previous >= created_at:
        return NO_GAP
    days = -((previous - created_at) // _DAY)  # ceiling, in exact integer arithmetic
    return days if days <= MAX_REPEAT_WINDOW_DAYS else NO_GAP


def counted(created_at: datetime, category, department, channel, severity, status, satisfaction, gap: int,
            handled: int) -> Counted:
    """A complaint's roll-up key and flags from its row, its repeat gap and its completed handle tasks."""
    closed = status == "closed"
    return Counted(local_date(created_at), category or "", department or "", channel or "", severity or "", gap,
                   closed, closed and handled <= 1, satisfaction if satisfaction in SATISFACTION else "")


def day_row(c: Counted, sign: int) -> dict[str, Any]:
    """A complaint's contribution to report_complaint_day (sign -1 takes it back)."""
    return {"day": c.day, "category": c.category, "department": c.department, "channel": c.channel,
            "severity": c.severity, "repeat_gap": c.repeat_gap, "registered": sign, "closed": sign * c.closed,
            "first_time": sign * c.first_time, "satisfied": sign * (c.satisfaction == "satisfied"),
            "basically_satisfied": sign * (c.satisfaction == "basically_satisfied"),
            "unsatisfied": sign * (c.satisfaction == "unsatisfied")}


def step_row(key: tuple[date, str, str], t: Task, sign: int) -> dict[str, Any]:
    """A completed task's contribution to report_step_day under a complaint's key."""
    duration = t.completed_at - t.created_at
    return {"day": key[0], "category": key[1], "department": key[2], "element_id": t.element_id,
            "band": band_of(duration), "name": t.name, "completed": sign,
            "with_deadline": sign * (t.due_at is not None),
            "on_time": sign * (t.due_at is not None and t.completed_at <= t.due_at),
            "duration_ms": sign * milliseconds(duration)}


class Deltas:
    """Contributions summed per key before writing: one UPSERT per table, each key once."""

    DAY_KEY = ("day", "category", "department", "channel", "severity", "repeat_gap")
    STEP_KEY = ("day", "category", "department", "element_id", "band")

    def __init__(self) -> None:
        self.days: dict[tuple, dict[str, Any]] = {}
        self.steps: dict[tuple, dict[str, Any]] = {}

    def add(self, rows: dict[tuple, dict[str, Any]], keys: tuple[str, ...], row: dict[str, Any]) -> None:
        key = tuple(row[k] for k in keys)
        have = rows.get(key)
        if have is None:
            rows[key] = dict(row)
            return
        for name, value in row.items():
            if name == "name":
                have[name] = max(have[name], value)
            elif name not in keys:
                have[name] += value

    def complaint(self, c: Counted, sign: int) -> None:
        self.add(self.days, self.DAY_KEY, day_row(c, sign))

    def task(self, key: tuple[date, str, str], t: Task, sign: int) -> None:
        self.add(self.steps, self.STEP_KEY, step_row(key, t, sign))

    def write(self, s) -> None:
        """Apply the sums (keys in order, so two writers lock shared rows in the same order)."""
        dialect = s.bind.dialect.name
        for rows, table, keys in ((self.days, ReportComplaintDay, self.DAY_KEY), (self.steps, ReportStepDay, self.STEP_KEY)):
            changed = [rows[k] for k in sorted(rows) if any(v for n, v in rows[k].items() if n not in keys and n != "name")]
            if changed:
                s.execute(upsert(dialect, table), changed)
        self.days.clear()
        self.steps.clear()


_UPSERTS: dict[tuple[str, str], Any] = {}


def upsert(dialect: str, table) -> Any:
    """INSERT ... ON CONFLICT (key) DO UPDATE adding the counters; built once per dialect and table."""
    got = _UPSERTS.get((dialect, table.__tablename__))
    if got is None:
        t = table.__table__
        ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(t)
        keys = [c.name for c in t.primary_key.columns]
        sums = {c.name: c + ins.excluded[c.name] for c in t.columns if c.name not in keys and c.name != "name"}
        if "name" in t.columns:  # a step renamed in a later version: the greatest name, as the rebuild keeps
            sums["name"] = case((ins.excluded["name"] > t.c.name, ins.excluded["name"]), else_=t.c.name)
        got = _UPSERTS[(dialect, table.__tablename__)] = ins.on_conflict_do_update(index_elements=keys, set_=sums)
    return got


# -- statements of the hot path, built once --------------------------------------------------------

_TASK_COLUMNS = (HumanTask.element_id, HumanTask.name, HumanTask.created_at, HumanTask.completed_at, HumanTask.due_at)
_NEW_TASKS = (
    select(*_TASK_COLUMNS, Complaint.id.label("complaint_id"), ReportComplaint.day, ReportComplaint.category,
           ReportComplaint.department)
    .join(Complaint, Complaint.instance_id == HumanTask.instance_id)
    .outerjoin(ReportComplaint, ReportComplaint.complaint_id == Complaint.id)
    .where(HumanTask.id.in_(bindparam("ids", expanding=True)), HumanTask.state == "completed")
)
_COMPLAINT = (
    select(Complaint.id, Complaint.instance_id, Complaint.created_at, Complaint.category, Complaint.department,
           Complaint.channel, Complaint.severity, Complaint.status, Complaint.satisfaction, Complaint.customer_phone,
           *(getattr(ReportComplaint, f) for f in Counted._fields))
    .outerjoin(ReportComplaint, ReportComplaint.complaint_id == Complaint.id)
    .where(Complaint.instance_id == bindparam("instance_id"))
)
_DONE_TASKS = select(*_TASK_COLUMNS).where(HumanTask.instance_id == bindparam("instance_id"),
                                           HumanTask.state == "completed")
_HANDLED = select(func.count()).where(HumanTask.instance_id == bindparam("instance_id"),
                                      HumanTask.element_id == HANDLE_STEP, HumanTask.state == "completed")
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
    ids = list(task_ids)
    rows = s.execute(_NEW_TASKS, {"ids": ids}).all() if ids else []
    if rows:
        if any(r.due_at is not None and r.completed_at > r.due_at for r in rows):
            mark_breached(s, instance_id)
        if rows[0].day is not None:  # counted already: add the tasks under its key (a move below carries them)
            key = (rows[0].day, rows[0].category, rows[0].department)
            for r in rows:
                deltas.task(key, Task(*r[:5]), +1)
    missing = bool(rows) and rows[0].day is None
    if missing or completed or desk_changed or not COUNTED_FIELDS.isdisjoint(submitted):
        got = s.execute(_COMPLAINT, {"instance_id": instance_id}).first()
        if got is not None:
            old = Counted(*got[10:]) if got.day is not None else None
            _recount(s, got.id, instance_id, old, got.created_at, got.customer_phone, tuple(got[3:9]), deltas)
            return
    deltas.write(s)


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
