"""Promised dates on the complaint row: set when a step promises one, judged kept or missed when the
customer gets the result (domain/promises.py; the diagram's promise timers raise the 督办)."""

from __future__ import annotations

from datetime import datetime

from ...plain_sql import Plain, Sql
from .complaint_clocks import REPLY_STEPS

_JUDGE = Sql(
    "UPDATE complaint SET promise_kept = CASE WHEN promised_at >= :at THEN TRUE ELSE FALSE END "
    "WHERE instance_id = :iid AND promised_at IS NOT NULL AND promise_kept IS NULL"
)


def note_answer(db: Plain, instance_id: int, element_id: str, at: datetime) -> None:
    """A reply step done: the promise, if any and not yet judged, was kept if the answer came in time."""
    if element_id in REPLY_STEPS:
        db.run(_JUDGE, {"iid": instance_id, "at": db.time(at)})
