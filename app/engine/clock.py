"""Route SpiffWorkflow's reading of "now" through our injectable clock.

SpiffWorkflow's timer events call ``datetime.now(timezone.utc)`` inside
``SpiffWorkflow.bpmn.specs.event_definitions.timer``. Timers must fire against the
application's clock (tests use fixed instants, never the real date), so the seam
replaces that module's ``datetime`` with a subclass whose ``now()`` asks the clock
set for the current context. Contexts make it safe across threads.
"""

from __future__ import annotations

import contextlib
import contextvars
from datetime import datetime, timezone
from typing import Callable, Iterator

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

NowFn = Callable[[], datetime]

_now_fn: contextvars.ContextVar[NowFn | None] = contextvars.ContextVar("engine_now", default=None)


class _ClockedDatetime(datetime):
    """A datetime whose now() reads the clock bound to the current context."""

    @classmethod
    def now(cls, tz=None):  # noqa: D102 - same contract as datetime.now
        fn = _now_fn.get()
        if fn is None:
            return datetime.now(tz)
        at = fn()
        return at.astimezone(tz) if tz is not None else at.astimezone().replace(tzinfo=None)


def install() -> None:
    """Patch the timer module once; idempotent."""
    if _timer_module.datetime is not _ClockedDatetime:
        _timer_module.datetime = _ClockedDatetime


@contextlib.contextmanager
def using(now: NowFn | None) -> Iterator[None]:
    """Make SpiffWorkflow's timers read ``now()`` within the block."""
    token = _now_fn.set(now)
    try:
        yield
    finally:
        _now_fn.reset(token)


def utc(at: datetime) -> datetime:
    """Return an aware UTC datetime (naive values are taken as UTC)."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
