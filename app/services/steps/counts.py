"""What one complaint and one completed task add to the dashboard's daily roll-ups, and how it is added.

The contribution functions are the figures' definitions (services/reporting/dashboard.py lists them): the services
(rollups.py) and the rebuild (rebuild.py) both count with them, so both make the same rows.
``Deltas`` sums contributions per roll-up key and adds them with one UPSERT per table. That UPSERT, and
the completion path's read, are plain SQL on the session's connection (app/plain_sql.py; the same text
on SQLite and PostgreSQL): through the ORM a statement costs about 200 µs of Python for 10 µs of SQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from ...domain.clock import local_date
from ...domain.duration_bands import band_of, milliseconds
from ...domain.metrics import first_contact_resolved
from ...models import ReportComplaintDay, ReportStepDay
from ...plain_sql import Plain, Sql

HANDLE_STEP = "handle"  # first-contact resolution counts the completed tasks of this step
SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied")


class Counted(NamedTuple):
    """What the roll-ups count one complaint under (a report_complaint row)."""

    day: date
    category: str
    department: str
    channel: str
    severity: str
    repeat_gap: int  # to the same phone's previous complaint of the same category (domain/metrics.repeat_gap)
    closed: bool
    first_time: bool
    satisfaction: str
    reopened: bool  # a repeat whatever the gap (domain/metrics.is_repeat)

    @property
    def step_key(self) -> tuple[date, str, str]:
        return self.day, self.category, self.department


class Task(NamedTuple):
    """A completed human task, as the roll-ups read it."""

    element_id: str
    name: str
    created_at: datetime
    completed_at: datetime
    due_at: datetime | None


def counted(
    created_at: datetime,
    category,
    department,
    channel,
    severity,
    status,
    satisfaction,
    gap: int,
    handled: int,
    passed_on: tuple[int, int] = (0, 0),
    reopened: int = 0,
) -> Counted:
    """A complaint's roll-up key and flags from its row, its repeat gap, its completed handle tasks, its
    transfers and returns (``passed_on``: the row's transfer_count, return_count) and its reopen_count."""
    closed = status == "closed"
    return Counted(
        local_date(created_at),
        category or "",
        department or "",
        channel or "",
        severity or "",
        gap,
        closed,
        first_contact_resolved(closed, handled, *passed_on),
        satisfaction if satisfaction in SATISFACTION else "",
        bool(reopened),
    )


def day_row(c: Counted, sign: int) -> dict[str, Any]:
    """A complaint's contribution to report_complaint_day (sign -1 takes it back)."""
    return {
        "day": c.day,
        "category": c.category,
        "department": c.department,
        "channel": c.channel,
        "severity": c.severity,
        "repeat_gap": c.repeat_gap,
        "registered": sign,
        "closed": sign * c.closed,
        "first_time": sign * c.first_time,
        "satisfied": sign * (c.satisfaction == "satisfied"),
        "basically_satisfied": sign * (c.satisfaction == "basically_satisfied"),
        "unsatisfied": sign * (c.satisfaction == "unsatisfied"),
        "reopened": sign * c.reopened,
    }


def step_row(key: tuple[date, str, str], t: Task, sign: int) -> dict[str, Any]:
    """A completed task's contribution to report_step_day under a complaint's key."""
    duration = t.completed_at - t.created_at
    return {
        "day": key[0],
        "category": key[1],
        "department": key[2],
        "element_id": t.element_id,
        "band": band_of(duration),
        "name": t.name,
        "completed": sign,
        "with_deadline": sign * (t.due_at is not None),
        "on_time": sign * (t.due_at is not None and t.completed_at <= t.due_at),
        "duration_ms": sign * milliseconds(duration),
    }


# -- statements on the driver (app/plain_sql.py) --------------------------------------------------


def stored_day(db: Plain, day: date) -> date | str:
    """A date as the Date column stores it (SQLite: ISO text; its driver's own date adapter is deprecated)."""
    return day if db.is_postgresql else day.isoformat()


def read_day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _upsert_sql(table) -> str:
    """INSERT ... ON CONFLICT (key) DO UPDATE adding the counters: the same text for both databases."""
    t = table.__table__
    cols = [c.name for c in t.columns]
    keys = [c.name for c in t.primary_key.columns]
    sets = [f"{c} = {t.name}.{c} + excluded.{c}" for c in cols if c not in keys and c != "name"]
    if "name" in cols:  # a step renamed in a later version: the greatest name, as Deltas keeps it
        sets.append(f"name = CASE WHEN excluded.name > {t.name}.name THEN excluded.name ELSE {t.name}.name END")
    return (
        f"INSERT INTO {t.name} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(sets)}"
    )


class Deltas:
    """Contributions summed per key before writing: one UPSERT per table, each key once."""

    DAY_KEY = ("day", "category", "department", "channel", "severity", "repeat_gap")
    STEP_KEY = ("day", "category", "department", "element_id", "band")
    _TABLES = ((DAY_KEY, Sql(_upsert_sql(ReportComplaintDay))), (STEP_KEY, Sql(_upsert_sql(ReportStepDay))))

    def __init__(self) -> None:
        self.days: dict[tuple, dict[str, Any]] = {}
        self.steps: dict[tuple, dict[str, Any]] = {}

    @staticmethod
    def add(rows: dict[tuple, dict[str, Any]], keys: tuple[str, ...], row: dict[str, Any]) -> None:
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

    def write(self, db: Plain) -> None:
        """Apply the sums (keys in order, so two writers lock shared rows in the same order)."""
        for (keys, sql), rows in zip(self._TABLES, (self.days, self.steps)):
            changed = [
                rows[k] | {"day": stored_day(db, k[0])}
                for k in sorted(rows)
                if any(v for n, v in rows[k].items() if n not in keys and n != "name")
            ]
            if len(changed) == 1:  # the usual case; psycopg's executemany costs 1 ms more for one row
                db.run(sql, changed[0])
            else:
                db.run_many(sql, changed)
        self.days.clear()
        self.steps.clear()
