"""The duration bands the dashboard's p90 is counted in, and the repeat window the roll-ups can answer."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from app.domain.duration_bands import MAX_OVERSHOOT, band_of, milliseconds, nearest_rank_band, upper_seconds
from app.domain.flow_rules import FlowConfigError, FlowRules
from app.domain.reporting import MAX_REPEAT_WINDOW_DAYS, ReportingConfig


def test_a_band_holds_durations_up_to_its_bound_and_above_the_one_below():
    for seconds in (1.5, 59, 60, 1800, 3600, 5400, 86400, 14 * 86400, 2.0, 4.0):
        band = band_of(timedelta(seconds=seconds))
        assert upper_seconds(band - 1) < seconds <= upper_seconds(band) * (1 + 1e-12)
    assert band_of(timedelta(0)) == band_of(timedelta(seconds=1)) == 0 and upper_seconds(0) == 1.0
    assert band_of(timedelta(seconds=-5)) == 0  # a clock set back: counted as instant
    assert round(MAX_OVERSHOOT, 4) == 0.0905


def test_the_shown_p90_is_never_below_the_exact_nearest_rank_value_and_at_most_905_per_cent_above():
    rng = random.Random(6)
    for _ in range(200):
        durations = sorted(timedelta(seconds=rng.lognormvariate(8, 1.5)) for _ in range(rng.randint(1, 300)))
        exact = durations[math.ceil(0.9 * len(durations)) - 1].total_seconds()
        counts: dict[int, int] = {}
        for d in durations:
            counts[band_of(d)] = counts.get(band_of(d), 0) + 1
        shown = upper_seconds(nearest_rank_band(list(counts.items())))
        assert exact <= shown * (1 + 1e-12) and shown <= max(exact, 1.0) * (1 + MAX_OVERSHOOT) + 1e-9


def test_nearest_rank_band_counts_only_positive_totals():
    assert nearest_rank_band([]) is None and nearest_rank_band([(5, 0)]) is None
    assert nearest_rank_band([(9, 1), (3, 9)]) == 3  # rank ceil(0.9 * 10) = 9: the ninth is in band 3
    assert nearest_rank_band([(9, 2), (3, 9)]) == 9  # rank ceil(9.9) = 10


def test_milliseconds_add_up_exactly_in_any_order():
    parts = [timedelta(seconds=1, microseconds=400), timedelta(hours=3, microseconds=600), timedelta(0)]
    assert [milliseconds(p) for p in parts] == [1000, 10_800_001, 0]


def test_the_repeat_window_is_limited_to_what_the_roll_ups_keep(tmp_path):
    assert FlowRules.from_dict({"repeat": {"window_days": MAX_REPEAT_WINDOW_DAYS}}).repeat_window_days == 366
    with pytest.raises(FlowConfigError, match="repeat.window_days"):
        FlowRules.from_dict({"repeat": {"window_days": MAX_REPEAT_WINDOW_DAYS + 1}})


def test_the_repeat_window_is_set_in_one_place_only(tmp_path):
    path = tmp_path / "reporting.toml"
    path.write_text("repeat_window_days = 30\n", encoding="utf-8")
    with pytest.raises(ValueError, match="config/flow.toml"):
        ReportingConfig.load(path)
