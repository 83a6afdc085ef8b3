"""Read the State Council's annual holiday notice (国务院办公厅关于部分节假日安排的通知) into overrides.

Two line forms are accepted, mixed freely; blank lines and lines starting with # are skipped.

1. The simple form, one day or an inclusive range per line, then the kind, then an optional name:
       2027-01-01 holiday 元旦
       2027-02-10..2027-02-16 holiday 春节
       2027-02-07 workday 春节调休
   The kind is `holiday` (or 放假) or `workday` (or 上班).
2. The notice's own numbered items, as published:
       一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。
       二、春节：2月6日（农历除夕、周六）至13日（周六）放假调休，共8天。2月14日（周日）上班。
   A date without a year is in the notice's year; a range end without a month takes the start's
   month; an explicit year (2026年12月31日) is kept. Each clause with dates must say 放假 or 上班;
   a weekday in brackets (周五, 星期五) must match the date, which catches a wrong year.
   Lines with no date at all (the notice's prose) are skipped, so the whole notice may be pasted
   once its signature date line is removed.

The same simple lines as CSV (``parse_notice``; an optional header ``date,kind,name``):
       date,kind,name
       2027-02-10..2027-02-16,holiday,春节
       2027-02-07,workday,春节
and as JSON: ``{"year": 2027, "days": [{"date": "2027-02-10..2027-02-16", "kind": "holiday",
"name": "春节"}, {"date": "2027-02-07", "kind": "workday", "name": "春节"}]}`` (or just the list).

Dates must lie in the notice's year or in the December before it (元旦 arrangements reach back).
Every problem raises NoticeError naming the line (CSV: the row; JSON: the entry).
Whether a notice is complete is checked separately (statutory_holidays.notice_problems).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from app.domain.calendar import DayOverride

_SIMPLE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?"
    r"\s+(\S+)(?:\s+(.+?))?\s*$"
)
_LOOKS_SIMPLE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_KINDS = {"holiday": False, "放假": False, "workday": True, "上班": True}
_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]\s*)?([^：:，,。；;\d]{1,16})[：:](.*)$")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日(?:\s*[（(]([^）)]*)[）)])?")
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CLAUSE = re.compile(r"[。；;，,]")
CSV_HEADER = "date,kind,name"
_MAX_RANGE_DAYS = 31  # the longest official break is 9 days: a longer range is a typing error


# Where in the notice a problem is: ("line", 3) of the text, ("row", 2) of a CSV, ("entry", 1) of a JSON list.
Place = tuple[str, int]


class NoticeError(ValueError):
    """A line of a holiday notice that cannot be read.

    ``code`` and ``params`` name the message a page shows (``err.<code>``; ``place`` and ``n`` say where, the
    other values what); the English sentence is for the API and the logs.
    """

    def __init__(self, message: str, code: str, place: Place | None = None, **params: object):
        super().__init__(f"{place[0]} {place[1]}: {message}" if place else message)
        self.code = code
        self.params = {**params, **({"place": place[0], "n": place[1]} if place else {})}


def parse_notice(text: str, year: int, form: str = "auto") -> list[DayOverride]:
    """Return the days a notice sets, from any documented form: text (the default), csv or json.

    ``auto`` reads JSON when the text starts with ``{`` or ``[``, CSV when its first line is the
    header ``date,kind,name``, and the text forms otherwise.
    """
    stripped = text.lstrip()
    if form == "auto":
        first = stripped.split("\n", 1)[0].strip().lower().replace(" ", "")
        form = "json" if stripped[:1] in ("{", "[") else "csv" if first == CSV_HEADER else "text"
    if form == "json":
        return _parse_lines(_json_lines(text, year), year, simple_only=True)
    if form == "csv":
        return _parse_lines(_csv_lines(text), year, simple_only=True)
    if form == "text":
        return parse_state_council_schedule(text, year)
    raise NoticeError(f"unknown form {form!r} (use text, csv or json)", "field.choose")


def parse_state_council_schedule(text: str, year: int) -> list[DayOverride]:
    """Return the days off and make-up workdays a year's holiday notice sets, sorted by day."""
    return _parse_lines(((("line", n), raw) for n, raw in enumerate(text.splitlines(), start=1)), year)


def _csv_lines(text: str) -> Iterator[tuple[Place, str]]:
    """Turn CSV rows (date or range, kind, name) into simple-form lines, named by row."""
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or (number == 1 and ",".join(cells).lower() == CSV_HEADER):
            continue
        if len(cells) not in (2, 3):
            raise NoticeError(
                f"expected date,kind,name, got {len(cells)} columns",
                "calendar.notice.columns",
                ("row", number),
                columns=len(cells),
            )
        yield ("row", number), " ".join(c for c in cells if c)


def _json_lines(text: str, year: int) -> Iterator[tuple[Place, str]]:
    """Turn JSON entries ({"date", "kind", "name"}) into simple-form lines, named by entry."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NoticeError(
            f"not JSON: {exc}", "calendar.notice.not_json", line=getattr(exc, "lineno", 0), detail=str(exc)
        ) from None
    if isinstance(data, dict):
        if data.get("year", year) != year:
            raise NoticeError(
                f"the JSON is for {data.get('year')!r}, not {year}",
                "calendar.notice.other_year",
                said=str(data.get("year")),
                year=year,
            )
        data = data.get("days")
    if not isinstance(data, list):
        raise NoticeError(
            'expected {"year": ..., "days": [{"date", "kind", "name"}, ...]} or a list of days',
            "calendar.notice.json_shape",
        )
    for number, entry in enumerate(data, start=1):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("date"), str)
            or not isinstance(entry.get("kind"), str)
            or not isinstance(entry.get("name", ""), str)
        ):
            raise NoticeError(
                'expected {"date": "YYYY-MM-DD[..YYYY-MM-DD]", "kind": "holiday|workday", "name": "..."}',
                "calendar.notice.json_entry",
                ("entry", number),
            )
        yield ("entry", number), f"{entry['date']} {entry['kind']} {entry.get('name', '')}".strip()


def _parse_lines(lines: Iterable[tuple[Place, str]], year: int, simple_only: bool = False) -> list[DayOverride]:
    """Return the days set by numbered lines of the text forms, sorted by day.

    ``simple_only`` (CSV and JSON): every line must be a simple one; nothing is skipped as prose.
    """
    found: dict[date, tuple[DayOverride, Place]] = {}
    item_name = ""
    for number, raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        simple = _SIMPLE.match(line)
        if simple:
            days = _parse_simple(simple, number)
        elif simple_only or _LOOKS_SIMPLE.match(line):
            raise NoticeError(
                f"expected 'YYYY-MM-DD[..YYYY-MM-DD] holiday|workday [name]', got {line!r}",
                "calendar.notice.simple_line",
                number,
                line=line,
            )
        elif _DATE.search(line):
            item = _ITEM.match(line)
            item_name = item.group(1).strip() if item else item_name
            days = _parse_item(item.group(2) if item else line, item_name, year, number)
        else:
            continue  # prose of the notice: it sets no day
        for override in days:
            _check_year(override.day, year, number)
            _record(found, override, number)
    return sorted((o for o, _ in found.values()), key=lambda o: o.day)


def _parse_simple(match: re.Match[str], number: Place) -> list[DayOverride]:
    """Return the overrides of one simple-form line."""
    first, last, kind, name = match.groups()
    if kind not in _KINDS:
        raise NoticeError(f"unknown kind {kind!r} (use holiday or workday)", "calendar.notice.kind", number, kind=kind)
    try:
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
    except ValueError as exc:
        raise NoticeError(str(exc), "calendar.notice.bad_date", number, detail=str(exc)) from None
    return _span(start, end, _KINDS[kind], name or "", number)


def _parse_item(body: str, name: str, year: int, number: Place) -> list[DayOverride]:
    """Return the overrides of one numbered item of the notice's own text."""
    dates: list[date] = []

    def take(match: re.Match[str]) -> str:
        dates.append(_resolve(match, dates[-1] if dates else None, year, number))
        return f"\x00{len(dates) - 1}\x00"

    # Dates become placeholders first, so that the 、 and ， inside brackets never split a clause.
    marked = _DATE.sub(take, body)
    days: list[DayOverride] = []
    for clause in _CLAUSE.split(marked):
        picked = [dates[int(i)] for i in re.findall(r"\x00(\d+)\x00", clause)]
        if not picked:
            continue
        rest, work = "放假" in clause, "上班" in clause
        if rest == work:
            raise NoticeError(
                f"cannot tell whether {_clause_text(clause, dates)!r} is 放假 or 上班",
                "calendar.notice.rest_or_work",
                number,
                clause=_clause_text(clause, dates),
            )
        if "至" in clause and len(picked) == 2:
            days += _span(picked[0], picked[1], work, name, number)
        elif "至" in clause:
            raise NoticeError(
                f"a range needs two dates in {_clause_text(clause, dates)!r}",
                "calendar.notice.range_dates",
                number,
                clause=_clause_text(clause, dates),
            )
        else:
            days += [DayOverride(d, work, name) for d in picked]
    return days


def _resolve(match: re.Match[str], previous: date | None, year: int, number: Place) -> date:
    """Return the date one Chinese date expression names, checking its weekday when given."""
    y, m, d, note = match.groups()
    if m:
        month, default_year = int(m), year
    elif previous is not None:
        month, default_year = previous.month, previous.year
    else:
        raise NoticeError(f"{match.group(0)!r} has no month", "calendar.notice.no_month", number, text=match.group(0))
    the_year = int(y) if y else default_year
    try:
        day = date(the_year, month, int(d))
    except ValueError as exc:
        raise NoticeError(
            f"{match.group(0)!r}: {exc}", "calendar.notice.no_such_day", number, text=match.group(0)
        ) from None
    said = _WEEKDAY.search(note or "")
    if said and _WEEKDAYS[said.group(1)] != day.weekday():
        raise NoticeError(
            f"{day.isoformat()} is a {day.strftime('%A')}, the notice says {said.group(0)}",
            "calendar.notice.weekday",
            number,
            day=day.isoformat(),
            weekday=day.weekday(),
            said=said.group(0),
        )
    return day


def _span(start: date, end: date, work: bool, name: str, number: Place) -> list[DayOverride]:
    """Return one override per day of an inclusive range."""
    if end < start or (end - start).days >= _MAX_RANGE_DAYS:
        raise NoticeError(
            f"range {start}..{end} is empty or longer than {_MAX_RANGE_DAYS} days",
            "calendar.notice.range_length",
            number,
            start=start.isoformat(),
            end=end.isoformat(),
            days=_MAX_RANGE_DAYS,
        )
    length = (end - start).days + 1
    return [DayOverride(start + timedelta(days=i), work, name) for i in range(length)]


def _check_year(day: date, year: int, number: Place) -> None:
    """Reject a day outside the notice's year and the December before it."""
    if day.year != year and not (day.year == year - 1 and day.month == 12):
        raise NoticeError(
            f"{day.isoformat()} is outside the {year} schedule",
            "calendar.notice.outside_year",
            number,
            day=day.isoformat(),
            year=year,
        )


def _record(found: dict[date, tuple[DayOverride, Place]], override: DayOverride, number: Place) -> None:
    """Keep an override; reject one that contradicts an earlier line."""
    earlier = found.get(override.day)
    if earlier and earlier[0].is_workday != override.is_workday:
        raise NoticeError(
            f"{override.day.isoformat()} contradicts {earlier[1][0]} {earlier[1][1]}",
            "calendar.notice.contradicts",
            number,
            day=override.day.isoformat(),
            earlier=earlier[1][1],
        )
    if not earlier:
        found[override.day] = (override, number)


def _clause_text(clause: str, dates: list[date]) -> str:
    """Return a clause with its date placeholders written back as ISO dates."""
    return re.sub(r"\x00(\d+)\x00", lambda m: dates[int(m.group(1))].isoformat(), clause)
