"""A version's own time limit for a step (slaLimit "2 hours") laid over the SLA policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.sla import SlaPolicy
from app.domain.sla_override import limit_text, parse_limit

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text, expected",
    [("2 hours", (2, "hours")), ("1.5 hours", (1.5, "hours")), ("3 working_days", (3, "working_days"))],
)
def test_a_limit_is_an_amount_and_a_unit(text, expected):
    assert parse_limit(text) == expected


@pytest.mark.parametrize(
    "text, says",
    [
        ("two hours", "positive number"),
        ("0 hours", "positive number"),
        ("1.5 working_days", "whole number"),
        ("2 fortnights", "unknown unit"),
        ("2", "an amount and a unit"),
    ],
)
def test_a_bad_limit_says_what_is_wrong(text, says):
    with pytest.raises(ValueError, match=says):
        parse_limit(text)


def test_the_override_replaces_the_general_limit_and_keeps_a_severitys_own():
    policy = SlaPolicy.load(ROOT / "config" / "sla.toml")
    mine = policy.with_limits({"classify": "2 hours", "handle": "12 hours"})
    assert limit_text(mine.limit("classify")) == "2 hours"
    assert limit_text(mine.limit("classify", "major")) == "30 minutes"  # the policy's own 重大 entry
    assert limit_text(mine.limit("handle")) == "12 hours"
    # handle's 重大 table sets an amount of its own (1 working day): it keeps it
    assert limit_text(mine.limit("handle", "major")) == "1 working_days"
    assert mine.limit("classify").warn_at == policy.limit("classify").warn_at
    assert limit_text(policy.limit("classify")) == "1 hours"  # the policy itself is unchanged
    assert policy.with_limits({}) is policy
