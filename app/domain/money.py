"""Amounts of money as the complaint records keep them: yuan to the fen (two decimals)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")


def yuan(value: Any) -> Decimal | None:
    """A form's amount (number or text) as yuan to the fen; None when blank or not a number.

    The forms validate amounts before this; None here keeps a column empty rather than failing a
    transaction over a value a diagram's script passed along.
    """
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
        return amount.quantize(FEN) if amount.is_finite() else None  # "NaN" parses, and would be stored
    except InvalidOperation:  # not a number, or too large to keep to the fen
        return None
