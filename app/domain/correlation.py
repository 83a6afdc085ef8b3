"""Spearman's rank correlation and banding, for satisfaction against what happened to a complaint.

Spearman rather than Pearson: the survey's answers are ordinal (不满意 < 基本满意 < 满意), and handling
times are skewed by a few very long cases; a rank correlation needs neither an interval scale nor a
straight line. Ties take the mean of their ranks, and the coefficient is Pearson's on those ranks.
Pure: no Flask, no database, no NumPy (a few thousand pairs at most).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

# Below this many answered complaints a coefficient says more about chance than about the service: "—".
MIN_SAMPLE = 10


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the mean of the ranks they span: ranks([3, 1, 3]) == [2.5, 1.0, 2.5]."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        mean_rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            out[order[k]] = mean_rank
        i = j + 1
    return out


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either side does not vary (no line can be drawn through one value)."""
    n = len(xs)
    if n != len(ys) or n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def spearman(xs: Sequence[float], ys: Sequence[float], min_sample: int = MIN_SAMPLE) -> float | None:
    """Spearman's rho to three places; None (shown "—") below ``min_sample`` pairs or when a side is constant."""
    if len(xs) < min_sample:
        return None
    rho = pearson(ranks(xs), ranks(ys))
    return None if rho is None else round(rho, 3)


def spearman_counts(table: Mapping[tuple[float, float], int], min_sample: int = MIN_SAMPLE) -> float | None:
    """Spearman's rho from how many pairs have each (x, y) value: the same figure as ``spearman`` over the pairs
    written out, without the rows. A tie group's mean rank depends only on where the group starts and how many it
    holds, so a distinct value and its count are enough. Doubled ranks are whole numbers, so the sums are exact
    integers and only the last division is in floating point."""
    n = sum(table.values())
    if n < min_sample:
        return None
    rx, ry = _doubled_ranks(table, 0), _doubled_ranks(table, 1)
    sx = sy = sxx = syy = sxy = 0
    for (x, y), k in table.items():
        a, b = rx[x], ry[y]
        sx, sy = sx + k * a, sy + k * b
        sxx, syy, sxy = sxx + k * a * a, syy + k * b * b, sxy + k * a * b
    vx, vy = n * sxx - sx * sx, n * syy - sy * sy
    if vx == 0 or vy == 0:
        return None
    return round((n * sxy - sx * sy) / math.sqrt(vx * vy), 3)


def _doubled_ranks(table: Mapping[tuple[float, float], int], side: int) -> dict[float, int]:
    """Twice the mean 1-based rank of each distinct value of one side: a group of k from position i takes 2i + k + 1."""
    counts: dict[float, int] = {}
    for pair, k in table.items():
        counts[pair[side]] = counts.get(pair[side], 0) + k
    out, i = {}, 0
    for value in sorted(counts):
        k = counts[value]
        out[value] = 2 * i + k + 1
        i += k
    return out


@dataclass(frozen=True)
class Band:
    """A band of a factor: ``low`` <= value < ``high`` (``high`` None: no upper end)."""

    key: str
    low: float
    high: float | None

    def holds(self, value: float) -> bool:
        return value >= self.low and (self.high is None or value < self.high)


def band_of(bands: Sequence[Band], value: float) -> str:
    """The key of the band holding ``value`` (bands cover 0 upwards without gaps)."""
    for band in bands:
        if band.holds(value):
            return band.key
    return bands[-1].key
