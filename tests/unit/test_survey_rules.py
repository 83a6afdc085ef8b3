"""The in-progress survey's rules: a deterministic sample at the configured rate, the low-score flag, the file."""

from __future__ import annotations

import pytest

from app.domain.survey_rules import SurveyConfigError, SurveyRules, in_sample, is_low


def test_the_sample_is_the_same_every_time_and_near_its_rate():
    rules = SurveyRules(rate=0.3)
    numbers = [f"TS20260302{n:06d}" for n in range(2000)]
    first = {n for n in numbers if in_sample(rules, n, "phone")}
    assert first == {n for n in numbers if in_sample(SurveyRules(rate=0.3), n, "phone")}
    assert 0.27 < len(first) / len(numbers) < 0.33
    # a higher rate only adds complaints: none asked before drops out
    assert first <= {n for n in numbers if in_sample(SurveyRules(rate=0.5), n, "phone")}
    assert not any(in_sample(SurveyRules(rate=0.0), n, "phone") for n in numbers)
    assert all(in_sample(SurveyRules(rate=1.0), n, "phone") for n in numbers)
    # per channel, and another key draws another sample
    by_channel = SurveyRules(rate=1.0, rate_by_channel={"social": 0.0})
    assert in_sample(by_channel, numbers[0], "phone") and not in_sample(by_channel, numbers[0], "social")
    other = {n for n in numbers if in_sample(SurveyRules(rate=0.3, sample_key="2027"), n, "phone")}
    assert other != first


def test_low_answers_are_unsatisfied_or_a_rating_at_the_threshold():
    rules = SurveyRules(low_rating=2)
    assert is_low(rules, "unsatisfied", {})
    assert is_low(rules, "satisfied", {"rating_result": 2})
    assert not is_low(rules, "basically_satisfied", {"rating_result": 3, "rating_attitude": 5})
    assert not is_low(SurveyRules(low_rating=1), "satisfied", {"rating_result": 2})


def test_the_file_is_checked_and_names_the_key():
    rules = SurveyRules.from_dict(
        {
            "in_progress": {"rate": 0.25, "min_age_days": 5, "rate_by_channel": {"social": 0.5}},
            "routing": {"low_rating": 1},
        }
    )
    assert (rules.rate, rules.min_age_days, rules.rate_for("social"), rules.rate_for("phone"), rules.low_rating) == (
        0.25,
        5,
        0.5,
        0.25,
        1,
    )
    for bad, key in (
        ({"in_progress": {"rate": 1.5}}, "in_progress.rate"),
        ({"in_progress": {"min_age_days": -1}}, "in_progress.min_age_days"),
        ({"in_progress": {"rate_by_channel": {"fax": 0.1}}}, "rate_by_channel.fax"),
        ({"in_progress": {"every": 3}}, "in_progress.every"),
        ({"routing": {"low_rating": 5}}, "routing.low_rating"),
        ({"sampling": {}}, "sampling"),
    ):
        with pytest.raises(SurveyConfigError, match=key):
            SurveyRules.from_dict(bad)


def test_the_shipped_file_loads():
    from pathlib import Path

    rules = SurveyRules.load(Path(__file__).resolve().parents[2] / "config" / "surveys.toml")
    assert rules.enabled and 0 < rules.rate <= 1 and rules.min_age_days >= 1
