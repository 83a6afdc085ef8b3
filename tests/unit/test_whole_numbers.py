"""Numbers typed by people: ASCII digits within the database's integer range, else None."""

from __future__ import annotations

import pytest

from app.domain.whole_numbers import MAX_INT, whole_number


@pytest.mark.parametrize("text, expected", [("0", 0), ("42", 42), (" 7 ", 7), (str(MAX_INT), MAX_INT)])
def test_plain_digits_are_read(text, expected):
    assert whole_number(text) == expected


@pytest.mark.parametrize(
    "text", ["", "²", "٣", "-1", "+1", "1e3", "1_000", "0x10", str(MAX_INT + 1), "9" * 20, "9" * 5000, None]
)
def test_anything_else_is_none(text):
    assert whole_number(text) is None


def test_bounds_are_inclusive():
    assert whole_number("2000", 2000, 2100) == 2000 and whole_number("2101", 2000, 2100) is None
