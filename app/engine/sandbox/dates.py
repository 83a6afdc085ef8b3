"""Dates and durations a diagram may compute with: datetime, date, timedelta, ISO 8601 text.

The values are Python's own date types, read through a whitelist of methods and attributes
(app/engine/sandbox/methods.py); nothing reaches a class, a module or a time zone database.
"now" is the engine's injectable clock, so a computed timer is the same in tests and in use.
"""

from __future__ import annotations

import contextvars
import logging
import re
from typing import Callable
from datetime import date, datetime, timedelta, timezone

from .limits import Budget, SandboxViolation

_MAX_TEXT = 100  # an ISO date, date-time or duration is never longer
_DURATION = re.compile(
    r"P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?"
)
printed = logging.getLogger("complaintflow.diagram.print")
# Where print() also sends its line while the engine runs an instance (Instance keeps them for the
# instance's own log, written by the write path); None outside a run (deploy checks, instructions).
PRINT_SINK: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar("print_sink", default=None)


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} takes text, not {type(value).__name__}")
    if len(value) > _MAX_TEXT:
        raise ValueError(f"{what}: '{value[:20]}...' is too long for an ISO 8601 value")
    return value.strip()


def now(budget: Budget) -> datetime:
    """The engine clock's instant, in UTC (an aware datetime)."""
    from ..clock import _ClockedDatetime  # the seam's clock: tests run on fixed instants

    return _ClockedDatetime.now(timezone.utc)


def today(budget: Budget) -> date:
    return now(budget).date()


def parse_datetime(budget: Budget, value) -> datetime:
    text = _text(value, "datetime.fromisoformat()")
    return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)


def parse_date(budget: Budget, value) -> date:
    return date.fromisoformat(_text(value, "date.fromisoformat()"))


def parse_duration(budget: Budget, value) -> timedelta:
    """An ISO 8601 duration without years or months ("PT1H", "P3DT12H", "P2W") as a timedelta."""
    text = _text(value, "parse_duration()").upper()
    found = _DURATION.fullmatch(text)
    if not found or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(
            f"'{value}' is not an ISO 8601 duration such as PT1H or P3DT12H "
            "(years and months have no fixed length: use days)"
        )
    weeks, days, hours, minutes, seconds = (float(g.replace(",", ".")) if g else 0.0 for g in found.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def parse_iso(budget: Budget, value):
    """ISO 8601 text as a value: a duration ("PT1H") as a timedelta, a date as a date, else a datetime."""
    text = _text(value, "parse_iso()")
    if text[:1].upper() == "P":
        return parse_duration(budget, text)
    if len(text) == 10:
        return parse_date(budget, text)
    return parse_datetime(budget, text)


def make_datetime(budget: Budget, *args, **kwargs) -> datetime:
    _numbers(args, kwargs, "datetime()")
    return datetime(*args, **kwargs)


def make_date(budget: Budget, *args, **kwargs) -> date:
    _numbers(args, kwargs, "date()")
    return date(*args, **kwargs)


def make_timedelta(budget: Budget, *args, **kwargs) -> timedelta:
    _numbers(args, kwargs, "timedelta()")
    return timedelta(*args, **kwargs)


def _numbers(args, kwargs, what: str) -> None:
    # tzinfo objects and other classes stay out: only numbers build a date
    if "tzinfo" in kwargs or "fold" in kwargs:
        raise SandboxViolation(f"{what} takes no time zone: parse ISO text with its offset instead")
    for value in (*args, *kwargs.values()):
        if type(value) not in (int, float):
            raise SandboxViolation(f"{what} takes numbers only")


def print_to_log(budget: Budget, *values, sep=" ", end="") -> None:
    """print() writes one line to the application log (logger complaintflow.diagram.print) and the instance's log."""
    from .operations import stringify

    text = str(sep).join(stringify(budget, value) for value in values)[:2000]
    printed.info("%s", text)
    sink = PRINT_SINK.get()
    if sink is not None:
        sink(text)
    return None


# What each date type lets a diagram read (attributes) and call (methods); all are O(1) but strftime.
ATTRIBUTES = {
    datetime: frozenset("year month day hour minute second microsecond".split()),
    date: frozenset("year month day".split()),
    timedelta: frozenset("days seconds microseconds".split()),
}
ATTRIBUTE_NAMES = frozenset(name for names in ATTRIBUTES.values() for name in names)


def read_attribute(value, name: str):
    """value.name for a whitelisted attribute of a date type; refused for anything else."""
    allowed = ATTRIBUTES.get(type(value))
    if allowed is None or name not in allowed:
        raise SandboxViolation(f"attribute .{name} of a {type(value).__name__} is not allowed")
    return getattr(value, name)
