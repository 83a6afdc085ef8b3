"""Topics for managers: the period's complaints grouped by their words, with sizes and trend.

Clustering a month of complaints takes seconds, so each process keeps the answer for a period for
``CACHE_SECONDS``; the figures are about what people complain of, not counts to the unit.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ...domain.clock import local_date, local_midnight
from ...domain.typed_days import typed_day
from ...errors import Forbidden, Invalid
from ...models import Complaint
from ..runtime import Runtime
from ...domain.actors import Viewer
from .settings import text_settings

CACHE_SECONDS = 600
MAX_TEXTS = 20_000  # the newest of a longer period: enough to find its topics
_lock = threading.Lock()


def _day(value: Any, name: str) -> date:
    day = typed_day(str(value))
    if day is None:
        raise Invalid(
            f"{name} is not a date",
            [{"field": name, "message": "YYYY-MM-DD, from 2000 to 2099", "code": "report.bad_date"}],
        )
    return day


def period_topics(rt: Runtime, viewer: Viewer, start: Any = None, end: Any = None) -> dict[str, Any]:
    """Topics of complaints registered from start to end (inclusive; default the last 30 days), largest first."""
    if not viewer.can("text.topics.read"):
        raise Forbidden(
            "only managers, supervisors, directors and process owners read topics", code="topics.not_reader"
        )
    today = local_date(rt.clock.now())
    end_day = _day(end, "to") if end else today
    start_day = _day(start, "from") if start else end_day - timedelta(days=29)
    if start_day > end_day:
        raise Invalid(
            "from is after to", [{"field": "from", "message": "on or before to", "code": "report.from_after_to"}]
        )
    key = (start_day, end_day)
    cache = vars(rt).setdefault("_text_topics", {})
    hit = cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    with _lock:
        answer = _compute(rt, start_day, end_day)
        cache[key] = (time.monotonic(), answer)
    return answer


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return local_midnight(first), local_midnight(last + timedelta(days=1))


def _compute(rt: Runtime, start_day: date, end_day: date) -> dict[str, Any]:
    cfg = text_settings(rt)
    span = (end_day - start_day).days + 1
    lo, hi = _bounds(start_day, end_day)
    plo, phi = _bounds(start_day - timedelta(days=span), start_day - timedelta(days=1))
    with rt.db.read() as s:
        rows = s.execute(
            select(Complaint.id, Complaint.matter)
            .where(Complaint.created_at >= lo, Complaint.created_at < hi)
            .order_by(Complaint.id.desc())
            .limit(MAX_TEXTS)
        ).all()
        before = [
            m
            for (m,) in s.execute(
                select(Complaint.matter)
                .where(Complaint.created_at >= plo, Complaint.created_at < phi)
                .order_by(Complaint.id.desc())
                .limit(MAX_TEXTS)
            )
        ]
    out = {"from": start_day.isoformat(), "to": end_day.isoformat(), "complaints": len(rows), "topics": []}
    if len(rows) < cfg.topic_min_complaints:
        return out
    from ...domain.text_intelligence.topics import topics  # the text libraries: on first use

    found = topics([r[0] for r in rows], [r[1] or "" for r in rows], before, clusters=cfg.topic_clusters)
    out["topics"] = [
        {
            "terms": list(t.terms),
            "size": t.size,
            "previous": t.previous,
            "trend": None if t.trend is None else round(t.trend, 3),
            "example_ids": list(t.example_ids),
        }
        for t in found
    ]
    return out
