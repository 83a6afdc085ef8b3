"""Tell a run-time refusal by the sandbox (a limit passed) from other engine failures."""
from __future__ import annotations

from .sandbox import SandboxViolation


def refused_by_sandbox(error: BaseException) -> bool:
    """True when the error, or any error it was raised from, is a SandboxViolation.

    Retrying such a step with other data cannot help (a loop or a value too large for the
    limits), so the caller stops the instance instead of leaving the task open.
    """
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, SandboxViolation):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
