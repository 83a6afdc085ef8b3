"""The seven statutory holidays (全国年节及纪念日放假办法) and whether a year's notice covers them all.

A State Council notice that lists only some holidays would silently turn the others into working
days once the year is marked official, so a notice is entered only when it is complete:
- each of the seven holidays has days off, named after it (the notice's item names: 元旦, 春节,
  清明节, 劳动节, 端午节, 中秋节, 国庆节; "国庆节、中秋节" covers both in a year they meet; English
  names are understood too), and its days include its legal main day (春节: 正月初一; 清明节: the
  solar term; 端午节: 五月初五; 中秋节: 八月十五; the fixed dates for the others);
- make-up working days (上班) are listed, and each falls on a Saturday or Sunday;
- no day off names something that is not a statutory holiday.
Dates outside the year are refused while parsing (holiday_notice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from datetime import date

from app.domain.calendar import DayOverride, provisional_days_off

# (name used in problems and pages, words that name it in a notice line)
HOLIDAYS = (
    ("元旦", ("元旦", "new year")),
    ("春节", ("春节", "spring festival", "chinese new year", "lunar new year")),
    ("清明节", ("清明", "qingming", "tomb")),
    ("劳动节", ("劳动", "labour", "labor", "may day")),
    ("端午节", ("端午", "dragon boat")),
    ("中秋节", ("中秋", "mid-autumn", "mid autumn")),
    ("国庆节", ("国庆", "national day")),
)
_FIXED_MAIN_DAYS = {"元旦": (1, 1), "劳动节": (5, 1), "国庆节": (10, 1)}
_WEEKDAY_ZH = "一二三四五六日"


@dataclass(frozen=True)
class NoticeProblem:
    """One reason a notice is incomplete; ``holiday`` names the statutory holiday when there is one."""

    message: str
    holiday: str = ""
    code: str = ""  # the message a page shows (err.<code>), with ``params``
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def holidays_named(name: str) -> list[str]:
    """Return the statutory holidays a notice line's name refers to (none, one, or two)."""
    lowered = name.lower()
    return [holiday for holiday, words in HOLIDAYS if any(w in lowered for w in words)]


def main_days(year: int) -> dict[str, date]:
    """Return each statutory holiday's legal main day in a year (lunar ones from the estimate)."""
    days = {name: date(year, month, day) for name, (month, day) in _FIXED_MAIN_DAYS.items()}
    estimate = provisional_days_off(year)
    for holiday in ("春节", "清明节", "端午节", "中秋节"):
        named = sorted(d for d, n in estimate.items() if n.startswith(holiday[:2]) and "补" not in n)
        if named:
            days[holiday] = named[0]
    return days


def notice_problems(days: list[DayOverride], year: int) -> list[NoticeProblem]:
    """Return why a parsed notice is not a complete schedule of the year (empty when it is)."""
    problems: list[NoticeProblem] = []
    off: dict[str, set[date]] = {holiday: set() for holiday, _ in HOLIDAYS}
    for d in days:
        if d.is_workday:
            continue
        named = holidays_named(d.name)
        if not named:
            problems.append(
                NoticeProblem(
                    f"{d.day.isoformat()} is a day off named {d.name!r}, which is none of the seven statutory holidays",
                    code="calendar.notice.not_statutory",
                    params={"day": d.day.isoformat(), "name": d.name},
                )
            )
        for holiday in named:
            off[holiday].add(d.day)
    mains = main_days(year)
    for holiday, _ in HOLIDAYS:
        if not off[holiday]:
            problems.append(
                NoticeProblem(
                    f"{holiday} is missing: the notice sets no day off for it",
                    holiday,
                    code="calendar.notice.holiday_missing",
                    params={"holiday": holiday},
                )
            )
        elif holiday in mains and mains[holiday] not in off[holiday]:
            main = mains[holiday]
            problems.append(
                NoticeProblem(
                    f"{holiday}'s days off do not include its main day {main.isoformat()} "
                    f"(周{_WEEKDAY_ZH[main.weekday()]})",
                    holiday,
                    code="calendar.notice.main_day",
                    params={"holiday": holiday, "day": main.isoformat()},
                )
            )
    workdays = [d for d in days if d.is_workday]
    if not workdays:
        problems.append(
            NoticeProblem(
                "no make-up working day (上班) is listed: the notice names the weekend days "
                "worked in exchange for the longer breaks",
                code="calendar.notice.no_workday",
            )
        )
    for d in workdays:
        if d.day.weekday() < 5:
            problems.append(
                NoticeProblem(
                    f"{d.day.isoformat()} is a 周{_WEEKDAY_ZH[d.day.weekday()]}: a make-up "
                    f"working day falls on a Saturday or Sunday",
                    code="calendar.notice.workday_weekday",
                    params={"day": d.day.isoformat()},
                )
            )
    return problems
