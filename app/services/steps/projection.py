"""Keep the query tables (human_task, timer, complaint) in step with an instance's state.

Called inside the transaction that saves the state, so queries never deserialize workflows
and never see a projection that disagrees with the state.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping, NamedTuple

from sqlalchemy.orm import Session

from ...domain import ownership as ownership_rules
from ...domain.group_aliases import GroupAssignment, group_assignment, split_names
from ...domain.metrics import SURVEY_RATINGS
from ...domain.money import yuan
from ...domain.promises import promised_deadline
from ...domain.whole_numbers import whole_number
from ...engine import EngineError, Instance, TaskView
from ...plain_sql import Plain, Sql, column_list, read_time
from ..audit.log import GENESIS

# Task data that mirrors onto the complaint row for search.
# What a step's submission updates on the complaint row (the record managers read, search and export):
# the registration's account and demand too, which were lost after 投诉登记.
_COMPLAINT_FIELDS = ("category", "severity", "special_type", "department", "satisfaction", "account", "demand")


@dataclass(frozen=True)
class NewTask:
    """A human task row the projection created."""

    id: str
    instance_id: int
    element_id: str
    name: str
    candidate_group: str | None
    due_at: datetime | None
    due_provisional: bool


@dataclass
class Changes:
    """What a save changed, for the audit trail and the caller's answer."""

    created_tasks: list[NewTask] = field(default_factory=list)
    cancelled_task_ids: list[str] = field(default_factory=list)
    fired_timers: list["TimerRow"] = field(default_factory=list)
    # The instance's ready task rows as the projection left them (READY_TASK_COLUMNS, as the database
    # hands them back), when it read the rows itself; None when a caller's Known spared the read.
    ready_rows: list[tuple] | None = None
    # The instance's audit chain head (seq, hex hash) read in the same statement, None if not read;
    # only as good as audit.log.appended_mark says (write_step passes both to its AuditLog).
    audit_head: tuple[int, str] | None = None


@dataclass
class Known:
    """What a caller read for several instances at once, in this transaction, before their steps ran.

    The timer batch reads every claimed instance's rows in one statement per table (batch_reads.py)
    instead of one per instance: a round trip each on PostgreSQL. Valid only until the instance's
    own step writes, and only while the transaction holds the instance locked.
    """

    timers: list["TimerRow"] = field(default_factory=list)  # its waiting timer rows
    incidents: list["TimerRow"] = field(default_factory=list)  # its timer rows that became incidents
    ready_ids: set[str] = field(default_factory=set)  # its ready human tasks
    has_complaint: bool = False
    # Its audit chain's head (seq, hex hash), if the caller knows it, and audit.log.appended_mark as it
    # was when the caller learnt it (a start: the chain of the row it just inserted is empty).
    audit_head: tuple[int, str] | None = None
    audit_mark: int | None = None


# Marks a deadline provisional (it depends on a year without an official calendar):
# (sla_step, armed_at, due_at) -> bool; the write path passes sla_marks.marker(rt). Without one,
# nothing is provisional.
Marker = Callable[[str | None, datetime, datetime | None], bool]


def resolve_group(
    inst: Instance, task: TaskView, groups: Mapping[str, str], assignment: GroupAssignment | None = None
) -> str | None:
    """The candidate group of a ready task: its expression, else its Camunda candidate groups or users,
    else its lane's group; names that map to none of our groups (config/group_aliases.toml) send the
    task to the fallback group the deploy check named."""
    if task.candidate_group_expression:
        try:
            value = inst.evaluate(task.id, task.candidate_group_expression)
        except EngineError:
            value = None
        if isinstance(value, str) and value:
            return value
    named = split_names(task.properties.get("candidateGroups")) + split_names(task.properties.get("candidateUsers"))
    if named or task.lane:
        assignment = assignment or group_assignment()
        return assignment.first_group(named or [task.lane or ""], groups) or assignment.fallback
    return None


# Plain SQL (app/plain_sql.py): this runs in every completion, start and timer firing.
_GROUPS = Sql("SELECT code, name_zh, name_en FROM user_group_def")
_CANCEL_TASK = Sql("UPDATE human_task SET state = 'cancelled', completed_at = :at WHERE id = :id AND state = 'ready'")
_TASK_COLUMNS = (
    "id",
    "instance_id",
    "element_id",
    "name",
    "lane",
    "candidate_group",
    "state",
    "form",
    "priority",
    "created_at",
    "due_at",
    "warn_at",
    "due_provisional",
    "assignee_id",
)
_INSERT_TASK = Sql(
    f"INSERT INTO human_task ({column_list(_TASK_COLUMNS)}) VALUES ({column_list(':' + c for c in _TASK_COLUMNS)})"
)
# A ready task's row as every answer shows it (instances/ready_tasks.TaskRow reads it in this order).
READY_TASK_COLUMNS = (
    "id",
    "instance_id",
    "element_id",
    "name",
    "lane",
    "candidate_group",
    "assignee_id",
    "state",
    "form",
    "priority",
    "created_at",
    "due_at",
    "warn_at",
    "due_provisional",
    "sla_paused_at",
    "completed_at",
)
_TIMER_READ_COLUMNS = ("id", "task_id", "element_id", "attached_to", "kind", "sla_step", "due_at", "provisional")


def _step_reads() -> Sql:
    """What the projection reads of an instance inside the write transaction, in one statement.

    Its waiting timers, its ready tasks and its audit chain's head, each kind in its own columns (the
    others NULL) with a tag in the first: one round trip instead of three (inside SQLite's write lock,
    and across the network to PostgreSQL). PostgreSQL types a column of a UNION from its first typed
    branch, and NULL in both of the first two is text: the head's two columns are cast in the first.
    """
    timers, tasks = len(_TIMER_READ_COLUMNS), len(READY_TASK_COLUMNS)

    def nulls(n: int) -> str:
        return ", ".join(["NULL"] * n)

    return Sql(
        f"SELECT 't', {column_list(_TIMER_READ_COLUMNS)}, {nulls(tasks)}, CAST(NULL AS INTEGER), CAST(NULL AS BYTEA)"
        " FROM timer WHERE instance_id = :iid AND status = 'waiting'"
        f" UNION ALL SELECT 'h', {nulls(timers)}, {column_list(READY_TASK_COLUMNS)}, NULL, NULL"
        " FROM human_task WHERE instance_id = :iid AND state = 'ready'"
        f" UNION ALL SELECT 'a', {nulls(timers + tasks)}, seq, hash FROM audit_event"
        " WHERE instance_id = :iid AND seq = (SELECT max(seq) FROM audit_event WHERE instance_id = :iid)"
    )


_STEP_READS = _step_reads()
_TASKS_AT = 1 + len(_TIMER_READ_COLUMNS)  # where a row's task columns begin
_HEAD_AT = _TASKS_AT + len(READY_TASK_COLUMNS)  # where its audit head's begin
_OWNER = Sql("SELECT owner_id FROM complaint WHERE instance_id = :iid")
_MOVE_TIMER = Sql("UPDATE timer SET due_at = :due WHERE id = :id")
_END_TIMER = Sql("UPDATE timer SET status = :status, fired_at = :at WHERE id = :id")
_TIMER_COLUMNS = (
    "instance_id",
    "task_id",
    "element_id",
    "attached_to",
    "kind",
    "sla_step",
    "due_at",
    "status",
    "attempts",
    "details",
    "provisional",
)
_INSERT_TIMER = Sql(
    f"INSERT INTO timer ({column_list(_TIMER_COLUMNS)}) VALUES ({column_list(':' + c for c in _TIMER_COLUMNS)})"
)


class TimerRow(NamedTuple):
    """A waiting timer's row, as the projection read it."""

    id: int
    task_id: str
    element_id: str
    attached_to: str | None
    kind: str
    sla_step: str | None
    due_at: datetime
    provisional: bool


def group_lookup(s: Session | Plain) -> dict[str, str]:
    """Map lane names (group code or Chinese/English name) to group codes."""
    db = s if isinstance(s, Plain) else Plain.of(s)
    out: dict[str, str] = {}
    for code, zh, en in db.rows(_GROUPS):
        out[code] = out[zh] = out[en] = code
    return out


def _groups_once(db: Plain) -> dict[str, str]:
    """group_lookup, read once per transaction: a timer batch escalates many instances' tasks."""
    if "groups" not in db.memo:
        db.memo["groups"] = group_lookup(db)
    return db.memo["groups"]


def sync(
    s: Session,
    instance_id: int,
    inst: Instance,
    now: datetime,
    fired_task_ids: set[str] = frozenset(),
    submitted: dict[str, Any] | None = None,
    has_complaint: bool | None = None,
    provisional: Marker | None = None,
    assignment: GroupAssignment | Callable[[], GroupAssignment] | None = None,
    known: Known | None = None,
) -> Changes:
    """Bring human tasks, timers and the complaint row in line with the instance.

    The complaint's fields follow what was just submitted, not the instance's merged data:
    parallel branches (a supervise task) carry stale copies that SpiffWorkflow merges last.
    A caller that knows the instance has no complaint row (has_complaint=False) spares the
    statements that would find none; knowing it from a read before the transaction is safe, as a
    complaint is only ever made in the transaction that makes its instance. ``known`` spares the
    reads of the instance's timer rows and ready tasks (and the complaint's when it has none).
    """
    changes = Changes()
    db = Plain.of(s)
    timers = inst.waiting_timers()
    if known is not None:
        has_complaint = known.has_complaint
        changes.audit_head = known.audit_head
    else:
        known = _read(db, instance_id, changes)
    provisional_elements = _sync_timers(
        db, instance_id, timers, now, fired_task_ids, changes, provisional, known.timers
    )
    _sync_tasks(db, instance_id, inst, now, timers, provisional_elements, changes, assignment, known.ready_ids)
    if has_complaint is not False:
        _sync_complaint(db, instance_id, inst, now, submitted or {})
    return changes


def _read(db: Plain, instance_id: int, changes: Changes) -> Known:
    """The instance's waiting timers and ready tasks (and its audit head, into changes) in one statement."""
    timers, ready = [], []
    changes.audit_head = (0, GENESIS)  # no event yet, unless the statement found one
    for r in db.rows(_STEP_READS, {"iid": instance_id}):
        if r[0] == "t":
            timers.append(timer_row(r[1:_TASKS_AT]))
        elif r[0] == "h":
            ready.append(r[_TASKS_AT:_HEAD_AT])
        else:
            changes.audit_head = (r[_HEAD_AT], bytes(r[_HEAD_AT + 1]).hex())
    changes.ready_rows = ready
    return Known(timers, ready_ids={r[0] for r in ready})


def _owner_of(db: Plain, instance_id: int) -> int | None:
    got = db.first(_OWNER, {"iid": instance_id})
    return got[0] if got else None


def _sla_for(element_id: str, timers) -> dict[str, Any]:
    due = warn = None
    for t in timers:
        if t.attached_to != element_id or t.due_at is None:
            continue
        kind = t.properties.get("slaKind")
        if kind == "breach" and (due is None or t.due_at < due):
            due = t.due_at
        elif kind == "warning" and (warn is None or t.due_at < warn):
            warn = t.due_at
    return {"due_at": due, "warn_at": warn}


def _priority(data: dict[str, Any]) -> int:
    value = str(data.get("priority", "0"))
    return whole_number(value) or 0


def _names_people(task: TaskView) -> bool:
    return bool(task.properties.get("candidateGroups") or task.properties.get("candidateUsers"))


def _sync_tasks(db: Plain, instance_id, inst, now, timers, provisional_elements, changes, assignment, known) -> None:
    ready = {t.id: t for t in inst.ready_tasks()}
    gone = [tid for tid in known if tid not in ready]
    if gone:
        db.later_many(_CANCEL_TASK, [{"id": tid, "at": db.time(now)} for tid in gone])
        changes.cancelled_task_ids.extend(gone)
        if changes.ready_rows is not None:
            changes.ready_rows = [r for r in changes.ready_rows if r[0] in ready]
    new = [t for tid, t in ready.items() if tid not in known]
    if not new:
        return
    # The group table maps lane names to groups; many models have no lanes, and their tasks no read.
    named = any(t.lane or _names_people(t) for t in new)
    groups = _groups_once(db) if named else {}
    # The configured table is read (its file stat'ed) only when a new task names a lane or people.
    table = (assignment() if named else None) if callable(assignment) else assignment
    rows = []
    owner = None
    for t in new:
        sla = _sla_for(t.element_id, timers)
        task = NewTask(
            t.id,
            instance_id,
            t.element_id,
            t.name,
            resolve_group(inst, t, groups, table),
            sla["due_at"],
            t.element_id in provisional_elements,
        )
        if task.candidate_group == ownership_rules.OWNER_GROUP and owner is None:
            owner = _owner_of(db, instance_id) or 0  # 0: asked, nobody owns it yet
        changes.created_tasks.append(task)
        rows.append(
            {
                "id": t.id,
                "instance_id": instance_id,
                "element_id": t.element_id,
                "name": t.name,
                "lane": t.lane,
                "candidate_group": task.candidate_group,
                "state": "ready",
                "form": t.form,
                "priority": _priority(t.data),
                "created_at": db.time(now),
                "due_at": db.time(sla["due_at"]),
                "warn_at": db.time(sla["warn_at"]),
                "due_provisional": task.due_provisional,
                # 首问负责制: the agent-lane steps go straight to the complaint's owner.
                "assignee_id": (owner or None) if task.candidate_group == ownership_rules.OWNER_GROUP else None,
            }
        )
    db.later_many(_INSERT_TASK, rows)
    if changes.ready_rows is not None:  # as the database would hand them back: the columns it does not set are NULL
        changes.ready_rows.extend(tuple(row.get(c) for c in READY_TASK_COLUMNS) for row in rows)


def timer_row(r: tuple) -> "TimerRow":
    """A timer row as read in _TIMER_READ_COLUMNS' order (SQLite hands back times as text)."""
    return TimerRow(r[0], r[1], r[2], r[3], r[4], r[5], read_time(r[6]), bool(r[7]))


def _sync_timers(db: Plain, instance_id, timers, now, fired_task_ids, changes, marker, known) -> set[str]:
    """Write the timer rows; return the elements whose breach deadline is provisional."""
    waiting = {t.task_id: t for t in timers if t.due_at is not None}
    rows = {row.task_id: row for row in known}
    provisional_elements = {r.attached_to for r in rows.values() if r.provisional and r.kind == "breach"}
    for task_id, row in rows.items():
        if task_id in waiting:
            if row.due_at != waiting[task_id].due_at:  # moved (suspend/extend)
                db.later(_MOVE_TIMER, {"id": row.id, "due": db.time(waiting[task_id].due_at)})
            continue
        fired = task_id in fired_task_ids
        db.later(
            _END_TIMER,
            {"id": row.id, "status": "fired" if fired else "cancelled", "at": db.time(now) if fired else None},
        )
        if fired:
            changes.fired_timers.append(row)
    new = []
    for task_id, t in waiting.items():
        if task_id in rows:
            continue
        step = t.properties.get("slaStep")
        provisional = bool(marker(step, now, t.due_at)) if marker else False
        kind = t.properties.get("slaKind", "timer")
        if provisional and kind == "breach" and t.attached_to:
            provisional_elements.add(t.attached_to)
        new.append(
            {
                "instance_id": instance_id,
                "task_id": task_id,
                "element_id": t.element_id,
                "attached_to": t.attached_to,
                "kind": kind,
                "sla_step": step,
                "due_at": db.time(t.due_at),
                "status": "waiting",
                "attempts": 0,
                "details": db.json({"armed_at": now.isoformat()}),
                "provisional": provisional,
            }
        )
    db.later_many(_INSERT_TIMER, new)
    return provisional_elements


def _sync_complaint(db: Plain, instance_id, inst, now, data) -> None:
    values: dict[str, Any] = {
        name: data[name] for name in _COMPLAINT_FIELDS if isinstance(data.get(name), str) and data[name]
    }
    for name in SURVEY_RATINGS:  # whole numbers 1-5 the form checked; bool is an int too, so excluded
        if isinstance(data.get(name), int) and not isinstance(data[name], bool):
            values[name] = data[name]
    promised = promised_deadline(data)
    if promised is not None:  # a new promise replaces an earlier one, to be judged afresh
        values["promised_at"], values["promise_kept"] = db.time(promised), None
    amount = yuan(data.get("amount")) if data.get("amount") not in (None, "") else None
    if amount is not None:  # SQLite's driver takes no Decimal; its NUMERIC column stores the number
        values["amount"] = amount if db.is_postgresql else float(amount)
    values["current_step"] = ", ".join(sorted({t.name for t in inst.ready_tasks()})) or None
    values["updated_at"] = db.time(now)
    if inst.completed:
        values["status"] = "closed"
        values["closed_at"] = db.time(now)
    # One statement whether or not the instance has a complaint: no row, nothing updated.
    db.later(_complaint_update(tuple(values)), {**values, "iid": instance_id})


@functools.lru_cache(maxsize=256)
def _complaint_update(columns: tuple[str, ...]) -> Sql:
    """UPDATE complaint SET these columns (from _COMPLAINT_FIELDS and the fixed ones): one Sql per set."""
    return Sql(f"UPDATE complaint SET {', '.join(f'{c} = :{c}' for c in columns)} WHERE instance_id = :iid")
