"""What the classify and dispatch steps chose, against what the text suggested at registration.

A branch effect of those steps, written in the step's transaction: a difference is an override,
which the next training run counts more (text_intelligence/training_data.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Complaint, TextSuggestion

STEP_FIELDS = {"classify": ("category", "severity", "special_type"), "dispatch": ("department",)}


def record_decision(s: Session, complaint: Complaint, element: str, data: dict[str, Any], now) -> None:
    """Compare what the classify or dispatch step chose with the suggestion; mark an override."""
    names = STEP_FIELDS.get(element)
    if not names:
        return
    row = s.scalars(
        select(TextSuggestion)
        .where(TextSuggestion.complaint_id == complaint.id)
        .order_by(TextSuggestion.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return
    decided = dict(row.decided or {})
    for name in names:
        if data.get(name):
            decided[name] = data[name]
    row.decided = decided
    row.decided_at = now
    row.overridden = any(row.suggested.get(k, {}).get("value") not in (None, v) for k, v in decided.items())
