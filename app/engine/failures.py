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


def unknown_name(error: BaseException | None) -> bool:
    """True when the error comes from an expression reading a name the task data does not hold.

    The deploy check could only warn about such a name; the data will not grow it by trying the
    step again, so the caller stops the instance with an incident naming the element.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, NameError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
