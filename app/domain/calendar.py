"""The Chinese working-day calendar behind our own interface, with overrides and provisional years.

Which days are working days:
- an override entered by the caller (a State Council notice, a correction) always wins;
- otherwise, for the years chinese_calendar ships (2004-2026), its official table;
- otherwise, for a year the caller declares official (its whole notice is in the overrides),
  Monday to Friday;
- otherwise the year has no official data yet: Monday to Friday minus the statutory holidays as
  the `holidays` package estimates them (Spring Festival, Qingming, Dragon Boat and Mid-Autumn
  from the lunar calendar and the solar terms, plus the fixed dates and the days given back for a
  holiday on a weekend; make-up working days are unknowable before the notice), and every answer
  that consulted such a day is flagged provisional. Nothing raises and nothing is guessed silently.

Meanings (all calendar days are the operator's, OPERATOR_ZONE):
- "N working days after an instant": the same local time of day on the Nth working day after
  the instant's local date; the start date itself never counts, working or not.
  3 working days after 2025-09-30 10:00 is 2025-10-11 10:00 (a make-up Saturday).
- "working time": each working date contributes its whole 24 hours (a complaint centre works in
  shifts, and the limits are stated in days, not office hours); non-working dates contribute
  nothing. This measures a suspended (挂起) complaint's remaining time and adds it back.
- "N 日" under the Civil Code (arts. 201-204): counting starts the day after the start date; a
  last day that is not a working day (weekend or holiday: a 法定休假日) moves to the next working
  day; the period ends at 24:00 local, represented as the instant the next local day begins.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar

from app.domain.clock import OPERATOR_ZONE, local_date, local_midnight, to_utc

_PACKAGED = sorted(chinese_calendar.constants.holidays)
PACKAGED_YEARS = range(_PACKAGED[0].year, _PACKAGED[-1].year + 1)

# 全国年节及纪念日放假办法 as amended by State Council Decree 795 (in force 2025-01-01): 元旦 Jan 1,
# 劳动节 May 1-2, 国庆节 Oct 1-3. The fallback when the estimate has nothing for a year (beyond the
# range its lunar tables cover): 春节, 清明, 端午 and 中秋 are then unknown.
FIXED_STATUTORY_DAYS = (
    (1, 1, "元旦"),
    (5, 1, "劳动节"),
    (5, 2, "劳动节"),
    (10, 1, "国庆节"),
    (10, 2, "国庆节"),
    (10, 3, "国庆节"),
)

# A loop that finds no working day within five years has a broken override table, not a deadline.
_MAX_SEARCH_DAYS = 5 * 366
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DayOverride:
    """One day's working status as the official schedule (or a correction) sets it."""

    day: date
    is_workday: bool
    name: str = ""


@dataclass(frozen=True)
class Deadline:
    """An instant in UTC, flagged provisional when it depends on a year without official data."""

    at: datetime
    provisional: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", to_utc(self.at))


@dataclass(frozen=True)
class DayStatus:
    """Why a day is or is not a working day, for people reading the calendar."""

    day: date
    is_workday: bool
    provisional: bool
    name: str  # the holiday (or the holiday a make-up day serves); "" for an ordinary day
    source: str  # override | official (packaged tables) | estimate (provisional year) | weekdays


Overrides = Mapping[date, DayOverride] | Iterable[DayOverride]
_PACKAGED_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def provisional_days_off(year: int) -> dict[date, str]:
    """Return the estimated days off of a year without official data, with their (Chinese) names.

    2027: 元旦 01-01; 春节 02-05 (除夕) to 02-10, the weekend days given back on 02-09 and 02-10;
    清明节 04-05; 劳动节 05-03 and 05-04 for a May Day weekend; 端午节 06-09; 中秋节 09-15; 国庆节
    10-01 to 10-05.
    """
    return dict(_estimated_days_off(year))


@functools.lru_cache(maxsize=32)
def _estimated_days_off(year: int) -> dict[date, str]:
    """The estimate of one year, computed once per process (the first one costs about half a second)."""
    import holidays  # only a process that meets a year without official data pays for the import

    try:
        estimate = holidays.China(years=year, language="zh_CN")
        days = {day: name for day, name in estimate.items() if day.year == year}
    except (NotImplementedError, ValueError, KeyError):  # a year outside its lunar tables
        days = {}
    return days or _fixed_days_off(year)


def _fixed_days_off(year: int) -> dict[date, str]:
    """Return the statutory days off on fixed dates, each weekend one given back on the next weekday."""
    days = {date(year, month, day): name for month, day, name in FIXED_STATUTORY_DAYS}
    # Art. 6 of the rules: a nationwide holiday falling on a Saturday or Sunday is given back on
    # a working day; the custom (2022, 2023 元旦) is the next weekdays after it.
    for day, name in sorted(days.items()):
        if day.weekday() >= 5:
            in_lieu = day + _DAY
            while in_lieu.weekday() >= 5 or in_lieu in days:
                in_lieu += _DAY
            days[in_lieu] = f"{name}补假"
    return days


class WorkingCalendar:
    """Answer working-day questions on the Chinese statutory calendar plus caller overrides."""

    def __init__(self, overrides: Overrides = (), official_years: Iterable[int] = ()) -> None:
        self._overrides = _index(overrides)
        self._official = frozenset(PACKAGED_YEARS) | frozenset(official_years)
        self._fallback: dict[int, dict[date, str]] = {}

    def is_official_year(self, year: int) -> bool:
        """Tell whether a year's complete official schedule is known."""
        return year in self._official

    def years_needing_schedule(self, today: date) -> list[int]:
        """Return this year and the next when their official schedule is still missing."""
        if isinstance(today, datetime):
            today = local_date(today)
        return [y for y in (today.year, today.year + 1) if not self.is_official_year(y)]

    def is_workday(self, day: date) -> bool:
        """Tell whether a local calendar day is a working day."""
        if isinstance(day, datetime):
            day = local_date(day)
        return self._status(day)[0]

    def add_working_days(self, start: datetime, n: int) -> Deadline:
        """Return the same local time of day on the Nth working day after the start's date."""
        if n < 0:
            raise ValueError(f"working days must be >= 0, got {n}")
        local = to_utc(start).astimezone(OPERATOR_ZONE)
        day, provisional, found = local.date(), False, 0
        for _ in range(_MAX_SEARCH_DAYS + 2 * n):
            if found == n:
                at = datetime.combine(day, local.time(), OPERATOR_ZONE)
                return Deadline(at, provisional)
            day += _DAY
            workday, unknown = self._status(day)
            provisional |= unknown
            found += workday
        raise ValueError(f"no {n} working days found after {start.isoformat()}")

    def add_working_time(self, start: datetime, duration: timedelta) -> Deadline:
        """Return the earliest instant by which a duration of working time has passed."""
        if duration < timedelta(0):
            raise ValueError(f"working time must be >= 0, got {duration}")
        cursor = to_utc(start)
        if not duration:
            return Deadline(cursor)
        day, remaining, provisional = local_date(cursor), duration, False
        for _ in range(_MAX_SEARCH_DAYS + duration.days):
            workday, unknown = self._status(day)
            provisional |= unknown
            day_end = local_midnight(day + _DAY)
            if workday:
                if remaining <= day_end - cursor:
                    return Deadline(cursor + remaining, provisional)
                remaining -= day_end - cursor
            day, cursor = day + _DAY, day_end
        raise ValueError(f"no working time found after {start.isoformat()}")

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return the working time in [a, b); zero when b is not after a."""
        a, b = to_utc(a), to_utc(b)
        total, day = timedelta(0), local_date(a)
        while a < b:
            day_end = local_midnight(day + _DAY)
            if self._status(day)[0]:
                total += min(b, day_end) - a
            day, a = day + _DAY, day_end
        return total

    def civil_code_period_end(self, start: datetime, days: int) -> Deadline:
        """Return the end (24:00 local) of an N-day period under Civil Code arts. 201-204."""
        if days < 1:
            raise ValueError(f"a period needs at least 1 day, got {days}")
        last = local_date(start) + timedelta(days=days)  # art. 201: the start day is not counted
        workday, provisional = self._status(last)
        for _ in range(_MAX_SEARCH_DAYS):
            if workday:  # art. 203: a last day that is a rest day moves to the day after the rest
                return Deadline(local_midnight(last + _DAY), provisional)
            last += _DAY
            workday, unknown = self._status(last)
            provisional |= unknown
        raise ValueError(f"no working day found after {last.isoformat()}")

    def describe(self, day: date) -> DayStatus:
        """Tell whether a local calendar day is a working day, why, and whether that is provisional."""
        workday, provisional = self._status(day)
        override = self._overrides.get(day)
        if override is not None:
            return DayStatus(day, workday, provisional, override.name, "override")
        if day.year in PACKAGED_YEARS:
            name = chinese_calendar.get_holiday_detail(day)[1] or ""
            return DayStatus(day, workday, False, _PACKAGED_NAMES.get(name, name), "official")
        if provisional:
            return DayStatus(day, workday, True, self._fallback[day.year].get(day, ""), "estimate")
        return DayStatus(day, workday, False, "", "weekdays")

    def _status(self, day: date) -> tuple[bool, bool]:
        """Return (is working day, is provisional) for a local calendar day."""
        override = self._overrides.get(day)
        official = day.year in self._official
        if override is not None:
            return override.is_workday, not official
        if day.year in PACKAGED_YEARS:
            return chinese_calendar.is_workday(day), False
        if official:
            return day.weekday() < 5, False
        if day.year not in self._fallback:
            self._fallback[day.year] = provisional_days_off(day.year)
        return day.weekday() < 5 and day not in self._fallback[day.year], True


def _index(overrides: Overrides) -> dict[date, DayOverride]:
    """Return overrides keyed by day; reject two that disagree about one day."""
    items = overrides.items() if isinstance(overrides, Mapping) else ((o.day, o) for o in overrides)
    index: dict[date, DayOverride] = {}
    for day, override in items:
        if day != override.day:
            raise ValueError(f"override keyed {day} is for {override.day}")
        known = index.get(day)
        if known is not None and known.is_workday != override.is_workday:
            raise ValueError(f"two overrides disagree about {day}: {known} and {override}")
        index[day] = override
    return index
