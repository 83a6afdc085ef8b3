"""What the intake screen shows beside the fields while the agent types: suggestions, similar complaints, a repeat."""

from __future__ import annotations

from typing import Any

from ...errors import Forbidden, Invalid
from ..audit.trail import record_access
from ..runtime import Runtime
from ...domain.actors import Viewer
from . import similar, suggestions


def analyse(
    rt: Runtime, viewer: Viewer, text: Any, phone: Any = None, exclude_id: Any = None, via: str = "api"
) -> dict[str, Any]:
    """Suggestions for the text, the most similar recent complaints, and the customer's complaint it repeats.

    Looking for the customer's earlier complaint by their phone is a reading of personal data: logged."""
    if not viewer.can("text.intake"):
        raise Forbidden("only agents, dispatchers and overseers see suggestions", code="suggestion.not_allowed")
    if not isinstance(text, str):
        raise Invalid("text is required", [{"field": "text", "message": "a string", "code": "field.text"}])
    if phone is not None and not isinstance(phone, str):
        raise Invalid("phone must be a string", [{"field": "phone", "message": "a string", "code": "field.text"}])
    try:
        exclude = int(exclude_id) if exclude_id not in (None, "") else None
    except (TypeError, ValueError):
        raise Invalid(
            "complaint_id must be a number",
            [{"field": "complaint_id", "message": "a number", "code": "field.bad_number"}],
        ) from None
    phone = (phone or "").strip() or None
    repeat = similar.repeat_check(rt, text, phone, exclude_id=exclude)
    if repeat is not None:
        record_access(rt, viewer, "customer.looked_up", via, complaint_id=repeat["id"], detail={"phone": phone})
    return {
        "suggestions": suggestions.suggest(rt, text),
        "similar": similar.similar(rt, text, exclude={exclude} if exclude else None),
        "similar_pending": similar.warming(rt),  # the index is still being built: none can be shown yet
        "repeat": repeat,
    }


def read_registration(rt: Runtime, text: str, phone: str | None) -> dict[str, Any]:
    """What registration answers about the text (before the complaint exists, so it is not its own match)."""
    return {
        "suggestions": suggestions.suggest(rt, text),
        "similar": similar.similar(rt, text),
        "similar_pending": similar.warming(rt),
        "repeat": similar.repeat_check(rt, text, phone),
    }


CLASSIFY_FIELDS = {
    "category": {"network", "billing", "product", "service", "aftersales"},
    "severity": {"general", "major"},
    "special_type": {"none", "outage", "privacy", "fraud", "special_needs"},
}


def classify_prefill(accepted: dict[str, str] | None) -> dict[str, str]:
    """The accepted suggestions the classify step's form may be pre-filled with (unknown values dropped)."""
    return {k: v for k, v in (accepted or {}).items() if v in CLASSIFY_FIELDS.get(k, ())}
