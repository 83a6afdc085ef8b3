"""Read a day a person typed in a query string or form field, within the years the reports cover.

``date.fromisoformat`` takes 9999-12-31, and the next step of every period (the day after "to",
the midnight after it) then overflowed: a 500. One rule instead: an ISO date from FIRST_DAY to
LAST_DAY, so a period's end plus a day always exists.
"""

from __future__ import annotations

from datetime import date

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def typed_day(text: str | None) -> date | None:
    """The day written in text (YYYY-MM-DD, FIRST_DAY..LAST_DAY), else None.

    >>> typed_day("2026-03-02"), typed_day("9999-12-31"), typed_day("2026-13-45")
    (datetime.date(2026, 3, 2), None, None)
    """
    if not isinstance(text, str):
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None
