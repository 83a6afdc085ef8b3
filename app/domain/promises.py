"""A date promised to the customer (seed 004, 3.2: a complex complaint gets an explanation and a
promised date, which is then kept) as a clock: kept when the customer has the result by the end of
that day (24:00, China time); a warning on the morning of the day.

Without a promise the clock is the legal reply limit (the Civil Code 15 日 after registration):
what the centre has committed to whether or not anyone named a date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .clock import local_midnight

WARN_BEFORE = timedelta(hours=15)  # 09:00 on the promised day
PROMISE_STEP = "promise"  # the slaStep of a promise's timers in the diagrams


def promised_day(value: object) -> date | None:
    """The promised date from a form's value ("2026-11-05"), or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def promise_deadline(day: date) -> datetime:
    """The end of the promised day: midnight after it, China time (as UTC)."""
    return local_midnight(day + timedelta(days=1))


def promise_warning(day: date) -> datetime:
    return promise_deadline(day) - WARN_BEFORE


def promised_deadline(data: dict) -> datetime | None:
    """The deadline a step's submission promises (its promised_date's end of day), if it names one."""
    day = promised_day(data.get("promised_date"))
    return promise_deadline(day) if day is not None else None


def kept(deadline: datetime | None, answered_at: datetime) -> bool | None:
    """Whether an answer at answered_at kept a promise due at deadline (None: nothing was promised)."""
    return None if deadline is None else answered_at <= deadline
