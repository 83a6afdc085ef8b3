"""Extension properties of any element of a bundle (events and script tasks too, not only user tasks)."""

from __future__ import annotations

from typing import Any

from .parsing import ProcessBundle


def element_properties(bundle: ProcessBundle, element_id: str) -> dict[str, str]:
    """The ``spiffworkflow:property`` values of an element, in the main process or a called one.

    Example: ``element_properties(bundle, "send_reply")`` -> ``{"notifyTemplate": "reply_survey"}``
    """
    for spec in (bundle.spec, *bundle.subprocess_specs.values()):
        task_spec: Any = spec.task_specs.get(element_id) if spec is not None else None
        if task_spec is not None:
            return dict(((getattr(task_spec, "extensions", None) or {}).get("properties") or {}))
    return {}
