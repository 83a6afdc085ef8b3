"""The managers' instance search: filters over complaints and their instances, sorted, keyset-paged.

Every filter is a condition on the complaint row (indexed in migration 0003; "breached ever" is a
flag on it, migration 0007) or an EXISTS on a small indexed table (human_task), so a page costs an
index walk of about one page of rows whatever the table's size. Paging is by keyset on (sort value,
id), never OFFSET; the total is counted up to COUNT_CAP and shown as "more than" beyond it.
Exports walk the same query unpaged.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, Iterator, Mapping

from sqlalchemy import and_, exists, func, literal_column, or_, select, tuple_

from ...domain.whole_numbers import whole_number
from ...domain.clock import local_midnight
from ...domain.typed_days import typed_day
from ...domain.personal_data import mask_name, mask_phone
from ...errors import Forbidden, Invalid
from ...models import Complaint, HumanTask, ProcessInstance, ProcessVersion, User
from ..sla.complaint_clocks import REPLY_STEPS, complaint_sla, replied_at
from ..runtime import Runtime
from ...domain.actors import Viewer
from ..audit.trail import record_access

SORTS = ("created_at", "closed_at", "number")
SLA_FILTERS = ("breached", "paused", "breached_ever", "on_time")
STATUSES = ("open", "closed")
COUNT_CAP = 1_000  # beyond it the page says "more than 1,000": counting further costs a scan
MAX_PAGE = 200
MAX_INT = 2**31 - 1  # the database's integer columns


@dataclass(frozen=True)
class InstanceQuery:
    """The search page's and the API's filters; every field optional."""

    number: str | None = None  # whole number or its prefix (TS20260302...)
    phone: str | None = None  # whole number or its prefix
    status: str | None = None  # open | closed
    category: str | None = None
    channel: str | None = None
    severity: str | None = None
    department: str | None = None
    assignee: str | None = None  # username or user id: held or worked a task of the instance
    sla: str | None = None  # breached (now) | paused | breached_ever | on_time
    version: int | None = None  # process version number
    created_from: date | None = None  # local days, inclusive
    created_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    sort: str = "created_at"
    order: str = "desc"
    limit: int = 50
    after: str | None = None  # cursor from the previous page

    @classmethod
    def parse(cls, args: Mapping[str, Any]) -> "InstanceQuery":
        """Build from query-string-like values; a bad value raises Invalid naming the field."""
        out: dict[str, Any] = {}
        errors = []
        for f in fields(cls):
            raw = args.get(f.name)
            if raw in (None, ""):
                continue
            raw = str(raw).strip()
            try:
                if f.name in ("created_from", "created_to", "closed_from", "closed_to"):
                    out[f.name] = typed_day(raw)
                    if out[f.name] is None:
                        raise ValueError
                elif f.name in ("version", "limit"):
                    out[f.name] = int(raw)
                    if not 1 <= out[f.name] <= MAX_INT:
                        raise ValueError
                else:
                    out[f.name] = raw
            except ValueError:
                errors.append(
                    {"field": f.name, "message": "a date YYYY-MM-DD", "code": "field.bad_date"}
                    if "_" in f.name and f.name != "after"
                    else {"field": f.name, "message": "a whole number, at least 1", "code": "field.bad_number"}
                )
        for name, allowed in (("sort", SORTS), ("order", ("asc", "desc")), ("sla", SLA_FILTERS), ("status", STATUSES)):
            if name in out and out[name] not in allowed:
                errors.append({"field": name, "message": "one of " + ", ".join(allowed), "code": "field.choose"})
        if errors:
            raise Invalid("bad search", errors)
        q = cls(**out)
        if q.after:
            decode_cursor(q.after)  # fail early, naming the field
        return q

    def params(self) -> dict[str, str]:
        """The non-default filters as strings (for links, saved searches and exports)."""
        out = {}
        for k, v in asdict(self).items():
            if v is None or k in ("after", "limit") or (k, v) in (("sort", "created_at"), ("order", "desc")):
                continue
            out[k] = v.isoformat() if isinstance(v, date) else str(v)
        return out


def require_auditor(viewer: Viewer) -> None:
    if not viewer.can("report.read"):
        raise Forbidden("only managers, supervisors and directors search every instance", code="search.not_allowed")


def encode_cursor(value: Any, row_id: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, row_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        value, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        return value, int(row_id)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise Invalid(
            "bad cursor",
            [{"field": "after", "message": "start again from the first page", "code": "search.bad_cursor"}],
        ) from exc


def _prefix(column, value: str):
    """Whole value or prefix, as an index range (LIKE cannot use the index on SQLite)."""
    value = value.strip()
    return and_(column >= value, column < value + "\uffff")


def _overdue_task(now: datetime):
    return exists().where(
        HumanTask.instance_id == Complaint.instance_id,
        HumanTask.state == "ready",
        HumanTask.due_at < now,
        HumanTask.sla_paused_at.is_(None),
    )


def _replied():
    return exists().where(
        HumanTask.instance_id == Complaint.instance_id,
        HumanTask.element_id.in_(REPLY_STEPS),
        HumanTask.state == "completed",
    )


def breached_now(now: datetime):
    """Open, not suspended, and a ready step past due or a complaint-wide clock past due unanswered."""
    clock_over = and_(or_(Complaint.first_reply_due_at < now, Complaint.final_reply_due_at < now), ~_replied())
    return and_(Complaint.status == "open", Complaint.suspended_at.is_(None), or_(_overdue_task(now), clock_over))


def breached_ever():
    """A step's breach timer fired, or a step was completed after its deadline.

    The complaint's own flag, set in the transaction of the breach (services/steps/rollups.py for a late
    step, services/sla/timers.py for a fired breach timer): no EXISTS over tasks and timers per candidate row.
    """
    return Complaint.breached_ever.is_(True)


def _user_id(s, assignee: str) -> int:
    if assignee.strip().isdigit():  # any digits: a user id, never a username
        number = whole_number(assignee)
        return number if number is not None else -1
    uid = s.scalar(select(User.id).where(User.username == assignee))
    return uid if uid is not None else -1


def conditions(s, q: InstanceQuery, now: datetime) -> list:
    """The WHERE clauses of a query (without the cursor)."""
    c: list = []
    if q.number:
        c.append(_prefix(Complaint.number, q.number.upper()))
    if q.phone:
        c.append(_prefix(Complaint.customer_phone, q.phone.replace("-", "").replace(" ", "")))
    for column, value in (
        (Complaint.status, q.status),
        (Complaint.category, q.category),
        (Complaint.channel, q.channel),
        (Complaint.severity, q.severity),
        (Complaint.department, q.department),
    ):
        if value:
            c.append(column == value)
    if q.assignee:  # EXISTS per candidate row: the complaint's own indexes keep driving the page
        c.append(
            exists().where(
                HumanTask.instance_id == Complaint.instance_id, HumanTask.assignee_id == _user_id(s, q.assignee)
            )
        )
    if q.sla == "breached":
        c.append(breached_now(now))
    elif q.sla == "paused":
        c.append(Complaint.suspended_at.is_not(None))
    elif q.sla == "breached_ever":
        c.append(breached_ever())
    elif q.sla == "on_time":
        c.append(and_(Complaint.suspended_at.is_(None), ~breached_now(now), ~breached_ever()))
    if q.version:
        versions = list(s.scalars(select(ProcessVersion.id).where(ProcessVersion.version == q.version))) or [-1]
        c.append(
            exists().where(
                ProcessInstance.id == Complaint.instance_id, ProcessInstance.process_version_id.in_(versions)
            )
        )
    if q.created_from:
        c.append(Complaint.created_at >= local_midnight(q.created_from))
    if q.created_to:
        c.append(Complaint.created_at < local_midnight(q.created_to + timedelta(days=1)))
    if q.closed_from:
        c.append(Complaint.closed_at >= local_midnight(q.closed_from))
    if q.closed_to:
        c.append(Complaint.closed_at < local_midnight(q.closed_to + timedelta(days=1)))
    if q.sort == "closed_at":
        c.append(Complaint.closed_at.is_not(None))  # sorting by closing time lists closed complaints
    return c


def _sort_column(q: InstanceQuery):
    return {"created_at": Complaint.created_at, "closed_at": Complaint.closed_at, "number": Complaint.number}[q.sort]


def ordered(s, q: InstanceQuery, now: datetime, few: bool = False):
    """The SELECT of complaints matching q, in its order, from its cursor on (no limit).

    few: the matches are known to be few (counted under COUNT_CAP). SQLite then sorts them after
    finding them through the filter's own index, instead of walking the whole sort index for a
    page of a rare filter (paused, one customer...): `+column` hides the sort index from it.
    """
    col = _sort_column(q)
    stmt = select(Complaint).where(*conditions(s, q, now))
    desc = q.order == "desc"
    if q.after:
        value, row_id = decode_cursor(q.after)
        if q.sort != "number":
            value = datetime.fromisoformat(value)
        key = tuple_(col, Complaint.id)
        stmt = stmt.where(key < tuple_(value, row_id) if desc else key > tuple_(value, row_id))
    key = literal_column(f"+complaint.{col.name}") if few and s.bind.dialect.name == "sqlite" else col
    return stmt.order_by(key.desc() if desc else key.asc(), Complaint.id.desc() if desc else Complaint.id.asc())


def _versions(s, instance_ids: list[int]) -> dict[int, int]:
    if not instance_ids:
        return {}
    return dict(
        s.execute(
            select(ProcessInstance.id, ProcessVersion.version)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
            .where(ProcessInstance.id.in_(instance_ids))
        ).all()
    )


def _overdue_now(s, instance_ids: list[int], now: datetime) -> set[int]:
    if not instance_ids:
        return set()
    return set(
        s.scalars(
            select(HumanTask.instance_id).where(
                HumanTask.instance_id.in_(instance_ids),
                HumanTask.state == "ready",
                HumanTask.due_at < now,
                HumanTask.sla_paused_at.is_(None),
            )
        )
    )


def row_view(
    c: Complaint, now: datetime, replied: datetime | None, version: int | None, overdue: bool
) -> dict[str, Any]:
    """One result row: the complaint's searchable fields, its SLA state; the name and phone masked (auditors
    search complaints they do not work; the complaint page reveals with a logged reason)."""
    sla = complaint_sla(c, now, replied)
    state = "breached" if overdue and c.suspended_at is None and c.status == "open" else sla["sla_state"]
    return {
        "id": c.id,
        "number": c.number,
        "process_instance_id": c.instance_id,
        "customer_name": mask_name(c.customer_name),
        "customer_phone_masked": mask_phone(c.customer_phone),
        "channel": c.channel,
        "category": c.category,
        "severity": c.severity,
        "department": c.department,
        "status": c.status,
        "current_step": c.current_step,
        "satisfaction": c.satisfaction,
        "created_at": c.created_at.isoformat(),
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
        "process_version": version,
        "sla_state": state,
        "suspended": c.suspended_at is not None,
        # the record's registration and handling fields, and who owns it (首问负责制)
        "account_masked": mask_phone(c.account) if c.account else None,
        "demand": c.demand,
        "amount": str(c.amount) if c.amount is not None else None,
        "owner_id": c.owner_id,
        "responsibility": c.responsibility,
        "compensation_type": c.compensation_type,
        "compensation_amount": str(c.compensation_amount) if c.compensation_amount is not None else None,
        "promised_at": c.promised_at.isoformat() if c.promised_at else None,
        "promise_kept": c.promise_kept,
    }


def search_instances(rt: Runtime, viewer: Viewer, q: InstanceQuery, via: str = "api") -> dict[str, Any]:
    """One page of matching complaints with their instances, the capped total and the next cursor.

    A search by a customer's phone is a reading of personal data: it goes to the access log."""
    require_auditor(viewer)
    if q.phone:
        record_access(rt, viewer, "search.by_phone", via, detail={"filters": q.params()})
    now = rt.clock.now()
    with rt.db.read() as s:
        counted = s.scalar(
            select(func.count()).select_from(
                select(Complaint.id).where(*conditions(s, q, now)).limit(COUNT_CAP + 1).subquery()
            )
        )
        page = _page(s, q, now, max(1, min(q.limit, MAX_PAGE)), few=counted <= COUNT_CAP)
    return {"total": min(counted, COUNT_CAP), "total_capped": counted > COUNT_CAP, **page}


def _page(s, q: InstanceQuery, now: datetime, limit: int, few: bool = False) -> dict[str, Any]:
    rows = list(s.scalars(ordered(s, q, now, few).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [c.instance_id for c in rows if c.instance_id is not None]
    replied, versions, overdue = replied_at(s, ids), _versions(s, ids), _overdue_now(s, ids, now)
    items = [
        row_view(c, now, replied.get(c.instance_id), versions.get(c.instance_id), c.instance_id in overdue)
        for c in rows
    ]
    last = rows[-1] if rows else None
    return {
        "items": items,
        "next": encode_cursor(getattr(last, q.sort), last.id) if more and last is not None else None,
    }


def iter_rows(rt: Runtime, viewer: Viewer, q: InstanceQuery) -> Iterator[dict[str, Any]]:
    """Every matching row in order (for exports), read page by page by keyset, never all at once."""
    require_auditor(viewer)
    now = rt.clock.now()
    cursor = None
    while True:
        with rt.db.read() as s:  # one short read per page: an export never holds a snapshot for long
            page = _page(s, InstanceQuery(**{**asdict(q), "after": cursor}), now, MAX_PAGE)
        yield from page["items"]
        cursor = page["next"]
        if cursor is None:
            return
