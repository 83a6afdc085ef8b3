"""Normalise complaint text before it is turned into features.

Agents type in every width and case; customers dictate numbers. Full-width letters and digits become
half-width, letters lower case, and runs of digits one placeholder per length class, so that
"13812345678" and "13987654321" read alike (a phone number), while "5元" and "50元" stay close but apart.
"""

from __future__ import annotations

import re

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def _digit_token(match: re.Match) -> str:
    n = len(match.group())
    if n >= 11:
        return "＃"  # a phone or account number: the value never tells the matter
    if n >= 5:
        return "＄"  # an order number, a date written together
    return "0" * n  # an amount or count: its order of magnitude is enough


def normalize(text: str) -> str:
    """Return the text in one width and case, digits folded, blanks collapsed."""
    text = (text or "").translate(_WIDTH).lower()
    text = _DIGITS.sub(_digit_token, text)
    return _SPACE.sub(" ", text).strip()
