"""The Runtime's working calendar, loaded from the override table and reloaded when it changes.

Every process (web workers, the scheduler) keeps its own WorkingCalendar. A change made through
the calendar service bumps the one-row counter `calendar_revision`; each process compares its
copy's revision with the database at most every CALENDAR_REFRESH_SECONDS (a cheap primary-key
read) and reloads when it moved. The process that made the change reloads at once.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from ...db import Database
from ...domain.calendar import DayOverride, WorkingCalendar
from ...models import CalendarOverride, CalendarRevision, CalendarYear


class CalendarStore:
    """Hand out the current WorkingCalendar; reload it when the database says it changed."""

    def __init__(self, db: Database, refresh_seconds: float = 2.0):
        self.db = db
        self.refresh_seconds = refresh_seconds
        self._calendar: WorkingCalendar | None = None
        self._revision = -1
        self._checked = 0.0  # monotonic time of the last check: a cache timer, not a domain clock
        self._lock = threading.Lock()

    def current(self) -> WorkingCalendar:
        """The calendar as the database holds it (at most refresh_seconds old)."""
        cal = self._calendar
        if cal is not None and time.monotonic() - self._checked < self.refresh_seconds:
            return cal
        with self._lock:
            revision = self._read_revision()
            if self._calendar is None or revision != self._revision:
                self._calendar, self._revision = self._load(), revision
            self._checked = time.monotonic()
            return self._calendar

    def invalidate(self) -> None:
        """Reload on next use (called by the process that changed the overrides)."""
        with self._lock:
            self._checked = 0.0
            self._revision = -1

    def _read_revision(self) -> int:
        try:
            with self.db.read() as s:
                return s.scalar(select(CalendarRevision.revision).where(CalendarRevision.id == 1)) or 0
        except Exception:  # noqa: BLE001 - no schema yet (before init-db): the packaged tables only
            return -2

    def _load(self) -> WorkingCalendar:
        try:
            with self.db.read() as s:
                overrides = [DayOverride(o.day, o.is_workday, o.name) for o in s.scalars(select(CalendarOverride))]
                years = list(s.scalars(select(CalendarYear.year)))
        except Exception:  # noqa: BLE001 - same as above
            return WorkingCalendar()
        return WorkingCalendar(overrides, official_years=years)
