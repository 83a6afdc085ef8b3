"""When a process's timer tick runs: at the earliest due instant, and never later than a poll away.

A fixed one-second tick makes a timer up to a second late before its firing even starts. Instead
each run fires what is due and plans the next run at the earliest due instant the database holds
(``timers.next_due``, one indexed read), capped at SCHEDULER_POLL_SECONDS so that a timer another
process arms with a nearer due time is noticed within a poll. Every SCHEDULER_TICK_SECONDS a run
sweeps whatever is claimable (rows whose back-off ended included), as the fixed tick did.

The guarantees stay where they were, in ``fire_due_timers``'s claim: waking early or twice, in one
process or in several, only means a claim that finds nothing.
"""

from __future__ import annotations

import threading
from datetime import datetime

from ..services.runtime import Runtime
from ..services.sla import timers

# The claim takes rows due strictly before now: wake just after the due instant, not at it.
PAST_DUE_SECONDS = 0.002
# Rows still due right after a firing are held by another process (PostgreSQL) or not claimable yet:
# look again soon, without spinning on them.
HELD_RETRY_SECONDS = 0.05


def seconds_to_wait(now: datetime, due: datetime | None, poll: float, just_fired: bool) -> float:
    """How long to sleep before the next run, given the earliest due instant now known."""
    if due is None:
        return poll
    left = (due - now).total_seconds()
    if left < 0:
        return HELD_RETRY_SECONDS if just_fired else 0.0
    return min(poll, left + PAST_DUE_SECONDS)


class TimerWake:
    """One process's timer runs: fire what is due, say when to run again."""

    def __init__(self, rt: Runtime, poll: float, sweep: float):
        self.rt = rt
        self.poll = poll
        self.sweep = sweep
        self._last_sweep: datetime | None = None
        self._running = threading.Lock()

    def run(self) -> float:
        """Fire every due timer (every claimable one when a sweep is due); return seconds until the next run."""
        if not self._running.acquire(blocking=False):
            return self.poll  # a run is in progress in this process; it plans its own successor
        try:
            now = self.rt.clock.now()
            due = timers.next_due(self.rt)
            sweep = self._last_sweep is None or (now - self._last_sweep).total_seconds() >= self.sweep
            fired = False
            if sweep or (due is not None and due < now):
                timers.fire_due_timers(self.rt)
                self._last_sweep, fired = now, True
                due, now = timers.next_due(self.rt), self.rt.clock.now()
            return seconds_to_wait(now, due, self.poll, fired)
        finally:
            self._running.release()
