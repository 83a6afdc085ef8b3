"""Suggestions at intake and the agents' decisions on them.

``suggest`` scores a text with the current model: category, special type, severity and department, each
with its confidence and the runners-up. Nothing is applied: the agent accepts (one key) or chooses
otherwise. Registration stores what was suggested beside the complaint (``record_suggestion``); when the
classify and dispatch steps complete, the write path compares what the agent chose with it
(steps/suggestion_decisions.py) and a difference is an override, which the next training run counts more
(training_data.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import TextSuggestion
from ..runtime import Runtime
from . import model_registry
from .training_data import FIELDS, _department

MAX_TEXT = 2000


def suggest(rt: Runtime, text: str) -> dict[str, Any]:
    """The model's suggestion for each field, best first, with confidences (0..1)."""
    text = (text or "")[:MAX_TEXT]
    if len(text.strip()) < 2:
        return {"model_version": None, "fields": {}}
    version, model = model_registry.current(rt)
    if model is None:
        return {"model_version": None, "fields": {}}
    predicted = model.predict(text, top=3)
    fields: dict[str, Any] = {}
    for name in FIELDS:
        ranked = predicted.get(name)
        if ranked:
            fields[name] = {
                "value": ranked[0][0],
                "confidence": round(ranked[0][1], 3),
                "alternatives": [{"value": v, "confidence": round(p, 3)} for v, p in ranked[1:]],
            }
    if "department" not in fields and "category" in fields:
        # no decided dispatches to learn from yet: the routing table applied to the suggested category
        dept = _department(fields["category"]["value"], fields.get("special_type", {}).get("value"))
        if dept:
            fields["department"] = {
                "value": dept,
                "confidence": fields["category"]["confidence"],
                "alternatives": [],
                "by_rule": True,
            }
    return {"model_version": version, "fields": fields}


def record_suggestion(
    s: Session,
    complaint_id: int,
    text: str,
    suggestion: dict[str, Any],
    accepted: dict[str, str] | None,
    viewer_id: int | None,
    now,
) -> None:
    """Keep what was suggested at registration (and what the agent accepted there) beside the complaint."""
    if not suggestion.get("fields"):
        return
    shown = {k: {"value": v["value"], "confidence": v["confidence"]} for k, v in suggestion["fields"].items()}
    accepted = {k: v for k, v in (accepted or {}).items() if k in FIELDS and v}
    s.add(
        TextSuggestion(
            complaint_id=complaint_id,
            model_version=suggestion.get("model_version"),
            text=text[:MAX_TEXT],
            suggested=shown,
            decided=accepted,
            overridden=any(shown.get(k, {}).get("value") != v for k, v in accepted.items()),
            decided_by_id=viewer_id if accepted else None,
            created_at=now,
            decided_at=now if accepted else None,
        )
    )


def suggestion_of(rt: Runtime, complaint_id: int) -> dict[str, Any] | None:
    """What was suggested for a complaint and what the agents chose."""
    with rt.db.read() as s:
        row = s.scalars(
            select(TextSuggestion)
            .where(TextSuggestion.complaint_id == complaint_id)
            .order_by(TextSuggestion.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return {
            "model_version": row.model_version,
            "suggested": row.suggested,
            "decided": row.decided,
            "overridden": row.overridden,
        }
