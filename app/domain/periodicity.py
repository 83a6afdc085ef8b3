"""Periodicity of complaint volume (seed 000, 9.1.2(3)): hour of day × weekday, and a day's volume in a category
against its seasonal baseline (the same weekday of the weeks before), with an alert when it departs from it.

Pure: the caller passes local registration times and daily counts.

>>> hour_weekday([datetime(2026, 3, 2, 9, 30)])[0][9]  # a Monday at 09:30
1
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

BASELINE_WEEKS = 4  # the same weekday of the four weeks before: the weekly cycle, without the day itself
ALERT_SIGMAS = 3.0  # departs when further than this many standard deviations from the baseline mean
ALERT_MIN_EXCESS = 5  # ...and by at least this many complaints (a quiet category's 0 → 2 is not an alert)


def hour_weekday(local_times: Iterable[datetime]) -> list[list[int]]:
    """Counts by weekday (0 = Monday) and local hour (0-23)."""
    grid = [[0] * 24 for _ in range(7)]
    for at in local_times:
        grid[at.weekday()][at.hour] += 1
    return grid


@dataclass(frozen=True)
class Departure:
    category: str
    day: date
    count: int
    baseline: float  # mean of the same weekday over BASELINE_WEEKS weeks
    spread: float  # their standard deviation (population)
    direction: str  # "up" | "down"


def baseline(counts: Mapping[date, int], day: date, weeks: int = BASELINE_WEEKS) -> tuple[float, float]:
    """Mean and standard deviation of the same weekday over the ``weeks`` weeks before ``day`` (missing days: 0)."""
    values = [counts.get(day - timedelta(days=7 * w), 0) for w in range(1, weeks + 1)]
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def departures(by_category: Mapping[str, Mapping[date, int]], day: date) -> list[Departure]:
    """The categories whose volume on ``day`` departs from their seasonal baseline, furthest first."""
    out = []
    for category, counts in by_category.items():
        mean, spread = baseline(counts, day)
        count = counts.get(day, 0)
        excess = count - mean
        # a flat baseline (spread 0) still alerts on a large enough jump: the minimum excess decides
        if abs(excess) >= ALERT_MIN_EXCESS and abs(excess) > ALERT_SIGMAS * spread:
            out.append(
                Departure(category, day, count, round(mean, 2), round(spread, 2), "up" if excess > 0 else "down")
            )
    return sorted(out, key=lambda d: -abs(d.count - d.baseline))
