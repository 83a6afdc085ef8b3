"""What a supervisor's decision (suspend, resume, extend a deadline, change an owner) checks first.

Shared by the complaint and SLA use cases, so it belongs to neither.
"""

from __future__ import annotations

from typing import Any

from ..domain.actors import Viewer
from ..errors import Forbidden, Invalid


def require_supervisor(viewer: Viewer, what: str) -> None:
    if not viewer.can("task.supervise"):
        raise Forbidden(f"only supervisors {what}", code="supervisor.only")


def require_reason(reason: Any, field: str = "reason") -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid(
            f"a {field} is required",
            [{"field": field, "message": "required, non-empty text", "code": "field.required"}],
        )
    return reason.strip()[:2000]
