"""One injectable clock: every reading of "now" goes through a Clock.

Instants are aware datetimes in UTC. Which calendar day an instant falls on is decided in the
operator's zone, OPERATOR_ZONE (Asia/Shanghai, UTC+8 all year: China has had no daylight saving
since 1991).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

OPERATOR_ZONE = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Tell the current instant."""

    def now(self) -> datetime:
        """Return the current instant, aware, in UTC."""
        ...


class SystemClock:
    """Read the machine's clock."""

    def now(self) -> datetime:
        """Return the machine's current instant in UTC."""
        return datetime.now(timezone.utc)


class FixedClock:
    """Stand still at a chosen instant until told to move (tests, demos)."""

    def __init__(self, at: datetime) -> None:
        self._at = to_utc(at)

    def now(self) -> datetime:
        """Return the instant the clock stands at."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to an instant."""
        self._at = to_utc(at)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by a duration and return the new instant."""
        self._at = self._at + delta
        return self._at


def to_utc(at: datetime) -> datetime:
    """Return an aware instant converted to UTC; reject naive datetimes."""
    # A naive datetime has no instant: guessing its zone is how deadlines drift by 8 hours.
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {at!r}")
    return at.astimezone(timezone.utc)


def local_date(at: datetime) -> date:
    """Return the operator's calendar day on which an instant falls."""
    return to_utc(at).astimezone(OPERATOR_ZONE).date()


def local_midnight(day: date) -> datetime:
    """Return the UTC instant at which a local calendar day begins."""
    return datetime.combine(day, time(0), OPERATOR_ZONE).astimezone(timezone.utc)
