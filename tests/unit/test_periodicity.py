"""Hour × weekday counts and the seasonal-baseline alert, against hand counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.domain.periodicity import baseline, departures, hour_weekday

MONDAY = date(2026, 3, 2)


def test_hour_by_weekday():
    grid = hour_weekday([datetime(2026, 3, 2, 9, 5), datetime(2026, 3, 2, 9, 55), datetime(2026, 3, 8, 23, 0)])
    assert grid[0][9] == 2 and grid[6][23] == 1 and sum(map(sum, grid)) == 3


def test_the_baseline_is_the_same_weekday_of_the_four_weeks_before():
    counts = {
        MONDAY - timedelta(days=7): 10,
        MONDAY - timedelta(days=14): 12,
        MONDAY - timedelta(days=21): 8,
        MONDAY - timedelta(days=28): 10,
        MONDAY - timedelta(days=1): 99,
    }  # Sunday: another weekday, ignored
    mean, spread = baseline(counts, MONDAY)
    assert mean == 10.0 and round(spread, 4) == round((2**2 * 2 / 4) ** 0.5, 4)  # sqrt((0+4+4+0)/4)


def test_a_day_that_departs_from_its_baseline_raises_an_alert_and_a_normal_one_does_not():
    usual = {MONDAY - timedelta(days=7 * w): n for w, n in zip(range(1, 5), (10, 12, 8, 10))}
    surge = dict(usual) | {MONDAY: 30}  # 20 above a mean of 10 with a spread of 1.41
    normal = dict(usual) | {MONDAY: 12}
    quiet = {MONDAY: 3}  # 0 → 3: under the minimum excess
    found = departures({"network": surge, "billing": normal, "service": quiet}, MONDAY)
    assert [(d.category, d.count, d.baseline, d.direction) for d in found] == [("network", 30, 10.0, "up")]
