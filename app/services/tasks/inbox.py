"""The inbox query: a user's ready tasks joined with their complaints, soonest deadline first.

Built to stay fast with 100,000 open tasks: every tab is a union of small index-ordered queries
(the user's own tasks via ``ix_human_task_assignee``, each of their groups' unclaimed tasks via
``ix_human_task_inbox`` = state, candidate_group, due_at), each limited to one page and merged
here, and paging is by keyset (due_at, id) instead of OFFSET. A search by complaint number or
phone starts from the complaint's own indexes instead.
"""

from __future__ import annotations

import base64
import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, literal, or_, select, tuple_

from ...errors import Invalid
from ...models import Complaint, HumanTask, User
from ..audit.trail import record_access
from ..runtime import Runtime
from ...domain.actors import Viewer
from ..instances.ready_tasks import sla_state

TABS = ("all", "mine", "group", "overdue", "due_soon")
DUE_SOON = timedelta(hours=8)  # "due soon" for a step without a warning time: within a working day's hours
COUNT_CAP = 99  # tabs show "99+": counting further costs time and tells an agent nothing more
MAX_PAGE = 200


@dataclass(frozen=True)
class InboxQuery:
    tab: str = "all"
    q: str | None = None  # complaint number or (a prefix of) the customer's phone
    category: str | None = None
    severity: str | None = None
    step: str | None = None  # element id
    cursor: str | None = None
    limit: int = 50


# -- cursor: (phase, due_at, id); phase 0 = tasks with a deadline, 1 = without ---------------------
def encode_cursor(phase: int, key: datetime | None, task_id: str) -> str:
    raw = f"{phase}|{key.isoformat() if key else ''}|{task_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, datetime | None, str] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        phase, key, task_id = raw.split("|", 2)
        return int(phase), (datetime.fromisoformat(key) if key else None), task_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(
            "bad cursor",
            [{"field": "cursor", "message": "start again from the first page", "code": "search.bad_cursor"}],
        ) from exc


@dataclass(frozen=True)
class Scope:
    """One index-friendly part of a tab, and whether its rows are few (then never walk a deadline index)."""

    where: Any
    few: bool


def _scopes(viewer: Viewer, tab: str) -> list[Scope]:
    mine = Scope(HumanTask.assignee_id == viewer.id, True)
    groups = [
        Scope(and_(HumanTask.candidate_group == g, HumanTask.assignee_id.is_(None)), False)
        for g in sorted(viewer.groups)
    ]
    if tab == "mine":
        return [mine]
    if tab == "group":
        return groups
    return [mine, *groups]


def _due(few: bool):
    """The deadline column; for a few rows wrapped in an expression, so that the planner reads them by
    their own index (assignee, instance) and sorts them, instead of walking every open task by deadline."""
    return func.coalesce(HumanTask.due_at, HumanTask.due_at) if few else HumanTask.due_at


def _tab_filter(tab: str, now: datetime, few: bool = False):
    due = _due(few)
    if tab == "overdue":
        return due < now
    if tab == "due_soon":
        # The same rule as the amber colour (sla_state "warning"): past the warning time, not yet due,
        # clock running. A task still green must not be listed as about to breach.
        warned = or_(HumanTask.warn_at <= now, and_(HumanTask.warn_at.is_(None), due < now + DUE_SOON))
        return and_(due >= now, warned, HumanTask.sla_paused_at.is_(None))
    return None


def _matching_instances(s, q: str) -> list[int] | None:
    """Instances whose complaint number is q, or whose customer's phone starts with q (digits)."""
    q = q.strip().upper()
    if not q:
        return None
    if q.startswith("TS"):
        cond = Complaint.number == q
    else:
        digits = q.replace("-", "").replace(" ", "")
        if not digits.isdigit():
            raise Invalid(
                "bad search",
                [{"field": "q", "message": "complaint number (TS...) or phone digits", "code": "inbox.bad_search"}],
            )
        # A range on the index instead of LIKE: PostgreSQL's default collation cannot use LIKE 'x%'.
        cond = or_(
            Complaint.customer_phone == digits,
            and_(Complaint.customer_phone >= digits, Complaint.customer_phone < digits + ":"),
        )
    return list(s.scalars(select(Complaint.instance_id).where(cond).limit(500)))


def _base(query: InboxQuery, now: datetime, instance_ids: list[int] | None, few: bool):
    stmt = (
        select(
            HumanTask,
            Complaint.id,
            Complaint.number,
            Complaint.customer_name,
            Complaint.customer_phone,
            Complaint.category,
            Complaint.severity,
            Complaint.special_type,
            Complaint.status,
        )
        .outerjoin(Complaint, Complaint.instance_id == HumanTask.instance_id)
        .where(HumanTask.state == "ready")
    )
    extra = _tab_filter(query.tab, now, few)
    if extra is not None:
        stmt = stmt.where(extra)
    if instance_ids is not None:
        stmt = stmt.where(HumanTask.instance_id.in_(instance_ids or [-1]))
    for column, value in ((Complaint.category, query.category), (Complaint.severity, query.severity)):
        if value:
            # For a few tasks, keep reading from the task side: a plain equality would let the planner
            # start from every complaint of the category (20,000 of them) instead.
            stmt = stmt.where((func.coalesce(column, "") if few else column) == value)
    if query.step:
        stmt = stmt.where(HumanTask.element_id == query.step)
    return stmt


def _page_of(s, stmt, scope: Scope, phase: int, after: tuple[datetime | None, str] | None, n: int, few: bool):
    stmt = stmt.where(scope.where)
    due = _due(few)
    if phase == 0:
        stmt = stmt.where(due.is_not(None))
        if after is not None:
            # The plain >= lets the index range start at the cursor; the row comparison breaks ties.
            at = literal(after[0], HumanTask.due_at.type)
            stmt = stmt.where(due >= at, tuple_(due, HumanTask.id) > tuple_(at, literal(after[1])))
        stmt = stmt.order_by(due, HumanTask.id)
    else:
        stmt = stmt.where(due.is_(None))
        if after is not None:
            at = literal(after[0], HumanTask.created_at.type)
            stmt = stmt.where(tuple_(HumanTask.created_at, HumanTask.id) > tuple_(at, literal(after[1])))
        stmt = stmt.order_by(HumanTask.created_at, HumanTask.id)
    return list(s.execute(stmt.limit(n)))


def _key(phase: int, row) -> tuple:
    t = row[0]
    return (t.due_at if phase == 0 else t.created_at, t.id)


def list_inbox(rt: Runtime, viewer: Viewer, query: InboxQuery, via: str = "web") -> dict[str, Any]:
    """One page of the viewer's inbox, the counts per tab, and the cursor of the next page.

    Only the viewer's own and their groups' tasks: they work these complaints. A search by number or
    phone is a reading of personal data: it goes to the access log."""
    if query.tab not in TABS:
        raise Invalid(
            "unknown tab", [{"field": "tab", "message": f"one of {', '.join(TABS)}", "code": "inbox.unknown_tab"}]
        )
    limit = max(1, min(query.limit, MAX_PAGE))
    now = rt.clock.now()
    cursor = decode_cursor(query.cursor)
    with rt.db.read() as s:
        instance_ids = _matching_instances(s, query.q) if query.q else None
        scopes = _scopes(viewer, query.tab)
        searched = instance_ids is not None  # a search names few instances: read them by instance
        rows: list = []
        phase = cursor[0] if cursor else 0
        after = (cursor[1], cursor[2]) if cursor else None
        while phase <= 1 and len(rows) <= limit:
            want = limit + 1 - len(rows)
            parts = []
            for scope in scopes:
                few = scope.few or searched
                parts.append(_page_of(s, _base(query, now, instance_ids, few), scope, phase, after, want, few))
            # A task can sit in two parts (mine and, if claimed, never in a group part): dedupe by id.
            merged, seen = [], set()
            for row in heapq.merge(*parts, key=lambda r, p=phase: _key(p, r)):
                if row[0].id not in seen:
                    seen.add(row[0].id)
                    merged.append((phase, row))
            rows.extend(merged[:want])
            phase, after = phase + 1, None
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            last_phase, last = rows[-1]
            key = _key(last_phase, last)
            next_cursor = encode_cursor(last_phase, key[0], key[1])
        holders = {r[0].assignee_id for _, r in rows if r[0].assignee_id}
        names = dict(s.execute(select(User.id, User.display_name).where(User.id.in_(holders))).all()) if holders else {}
        counts = _counts(s, viewer, now) if not query.cursor else None
    items = [_row_view(r, now, names) for _, r in rows]
    if query.q:
        record_access(
            rt,
            viewer,
            "inbox.searched",
            via,
            detail={"q": query.q.strip(), "shown": sorted({i["complaint_id"] for i in items if i["complaint_id"]})},
        )
    return {"items": items, "next_cursor": next_cursor, "counts": counts, "now": now.isoformat()}


def _counts(s, viewer: Viewer, now: datetime) -> dict[str, int]:
    """How many tasks each tab holds, each capped at COUNT_CAP (counting 100,000 rows is not free)."""
    out = {}
    for tab in ("mine", "group", "overdue", "due_soon"):
        total = 0
        for scope in _scopes(viewer, tab):
            stmt = select(literal(1)).select_from(HumanTask).where(HumanTask.state == "ready", scope.where)
            extra = _tab_filter(tab, now, scope.few)
            if extra is not None:
                stmt = stmt.where(extra)
            total += s.scalar(select(func.count()).select_from(stmt.limit(COUNT_CAP + 1).subquery()))
        out[tab] = min(total, COUNT_CAP + 1)
    out["all"] = min(out["mine"] + out["group"], COUNT_CAP + 1)
    return out


def _row_view(row, now: datetime, names: dict[int, str]) -> dict[str, Any]:
    t = row[0]
    paused_at = getattr(t, "sla_paused_at", None)  # set while the complaint is suspended
    paused = paused_at is not None
    reference = paused_at if paused else now  # a suspended complaint's time left stands still
    return {
        "id": t.id,
        "instance_id": t.instance_id,
        "element_id": t.element_id,
        "step": t.name,
        "candidate_group": t.candidate_group,
        "assignee_id": t.assignee_id,
        "assignee_name": names.get(t.assignee_id),
        "priority": t.priority,
        "created_at": t.created_at.isoformat(),
        "due_at": t.due_at.isoformat() if t.due_at else None,
        "warn_at": t.warn_at.isoformat() if t.warn_at else None,
        "seconds_left": int((t.due_at - reference).total_seconds()) if t.due_at else None,
        "sla_state": sla_state(t.due_at, t.warn_at, now, paused),
        "provisional": bool(t.due_provisional),
        "complaint_id": row[1],
        "number": row[2],
        "customer_name": row[3],
        "customer_phone": row[4],
        "category": row[5],
        "severity": row[6],
        "special_type": row[7],
        "complaint_status": row[8],
    }
