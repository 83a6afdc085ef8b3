"""Read a whole number a person typed in a query string or form field, within the database's range.

``str.isdigit`` says yes to "²" and "٣" (``int`` refuses the first), ``int`` refuses more than
4,300 digits, and the database refuses anything past its integer columns: each was a 500. One rule
instead: ASCII digits only, at most ``MAX_INT``.
"""

from __future__ import annotations

MAX_INT = 2**31 - 1  # PostgreSQL int4, the type of every id and count column


def whole_number(text: str | None, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """The number written in text (ASCII digits, minimum..maximum), else None.

    >>> whole_number("42"), whole_number("²"), whole_number("9" * 5000), whole_number("-1")
    (42, None, None, None)
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > len(str(maximum)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None
