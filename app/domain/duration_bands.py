"""Duration bands: the geometric scale the daily roll-ups count step durations in, for the p90.

A band k holds durations in (2^((k-1)/8), 2^(k/8)] seconds (band 0: at most 1 second), so each
band is 9.05 % wider than the one below. Counting tasks per band and day lets the dashboard find
the band holding the nearest-rank 90th percentile of any period without reading the tasks; it
shows that band's upper bound: never below the exact figure, at most 9.05 % above it.

    >>> band_of(timedelta(hours=1)), round(upper_seconds(band_of(timedelta(hours=1))))
    (95, 3756)
"""

from __future__ import annotations

import math
from datetime import timedelta

PER_DOUBLING = 8
MAX_OVERSHOOT = 2 ** (1 / PER_DOUBLING) - 1  # 0.0905: how far above the exact p90 the shown figure may be
_MS = timedelta(milliseconds=1)


def band_of(duration: timedelta) -> int:
    """The band a duration falls in (the same on every path: maintained, rebuilt, tested)."""
    seconds = duration.total_seconds()
    if seconds <= 1:
        return 0
    return math.ceil(PER_DOUBLING * math.log2(seconds))


def upper_seconds(band: int) -> float:
    """The longest duration the band holds, in seconds."""
    return 2 ** (band / PER_DOUBLING)


def milliseconds(duration: timedelta) -> int:
    """A duration in whole milliseconds: sums of them add up exactly, in any order."""
    return max(0, round(duration / _MS))


def nearest_rank_band(counts: list[tuple[int, int]]) -> int | None:
    """The band holding the nearest-rank 90th percentile of (band, count) pairs in any order."""
    total = sum(n for _, n in counts)
    if total <= 0:
        return None
    rank, seen = (9 * total + 9) // 10, 0  # ceil(0.9 n)
    for band, n in sorted(counts):
        seen += n
        if seen >= rank:
            return band
    return None
