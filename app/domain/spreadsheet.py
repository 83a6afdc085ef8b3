"""Cells a spreadsheet must not run: text starting like a formula is written as plain text."""

from __future__ import annotations

from typing import Any

# Excel, LibreOffice and Sheets start a formula on these; tab and carriage return hide one (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """'=cmd|' /C calc'!A0 becomes "'=cmd|..." (shown as typed, never evaluated); other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
