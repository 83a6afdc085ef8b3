"""Amounts from forms and scripts, as the complaint's columns keep them."""

from decimal import Decimal

from app.domain.money import yuan


def test_amounts_are_kept_to_the_fen():
    assert yuan("300") == Decimal("300.00") and str(yuan(300)) == "300.00"
    assert yuan(12.5) == Decimal("12.50") and yuan("0.1") == Decimal("0.10")


def test_blank_or_not_a_number_leaves_the_column_empty():
    assert yuan(None) is None and yuan("") is None and yuan("三百") is None
    assert yuan("NaN") is None and yuan(float("nan")) is None and yuan("Infinity") is None
