"""Satisfaction against what happened to the complaint (seed 000, 9.1.2(4)): handling time, step breaches,
transfers and returns, reopenings. Per factor, the satisfaction rate in each band of the factor and Spearman's
rho between the factor and the answer (不满意 1 < 基本满意 2 < 满意 3), over complaints that answered.
docs/metrics.md gives the formulas. Pure: the service hands in one row per answered complaint.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .correlation import MIN_SAMPLE, Band, band_of, spearman_counts
from .metrics import CONFIRMED_SOLVED, rate

# The closing survey's answer as an ordinal score: ranks only matter to Spearman.
SATISFACTION_SCORE = {"unsatisfied": 1, "basically_satisfied": 2, "satisfied": 3}

FACTORS: Mapping[str, tuple[Band, ...]] = {
    # hours from registration to the first reply (else to closure): the 24 h, 3-day, week and 15-day marks
    "handling_hours": (
        Band("lt24h", 0, 24),
        Band("1to3d", 24, 72),
        Band("3to7d", 72, 168),
        Band("7to15d", 168, 360),
        Band("ge15d", 360, None),
    ),
    # steps finished after their own due time, or still open past it
    "breaches": (Band("0", 0, 1), Band("1", 1, 2), Band("ge2", 2, None)),
    # 转派 and 退单 on any of the complaint's tasks (the audit trail's task.transferred and task.returned)
    "transfers": (Band("0", 0, 1), Band("1", 1, 2), Band("ge2", 2, None)),
    # handled again after an unsatisfied return visit
    "reopenings": (Band("0", 0, 1), Band("1", 1, 2), Band("ge2", 2, None)),
}


@dataclass(frozen=True)
class Answered:
    """One complaint that answered the closing survey, with its factors (a factor it lacks is left out)."""

    satisfaction: str
    factors: Mapping[str, float | None]


def analyse(rows: Iterable[Answered], min_sample: int = MIN_SAMPLE) -> dict[str, Any]:
    """Per factor: the bands (answered, satisfied or basically satisfied, their rate), n and rho (None below
    ``min_sample`` or when nothing varies)."""
    tables: dict[str, Counter] = {factor: Counter() for factor in FACTORS}
    for r in rows:
        for factor, table in tables.items():
            if (v := r.factors.get(factor)) is not None:
                table[(float(v), r.satisfaction)] += 1
    return analyse_counts(tables, min_sample)


def analyse_counts(
    tables: Mapping[str, Mapping[tuple[float, str], int]], min_sample: int = MIN_SAMPLE
) -> dict[str, Any]:
    """``analyse`` from how many answered complaints have each (value of the factor, answer), per factor: the
    same figures without a row per complaint (answers other than the three scored ones are left out)."""
    out: dict[str, Any] = {"min_sample": min_sample, "factors": []}
    for factor, bands in FACTORS.items():
        table = {(v, a): k for (v, a), k in tables.get(factor, {}).items() if a in SATISFACTION_SCORE and k}
        counts = {b.key: [0, 0] for b in bands}
        scored: Counter = Counter()
        for (value, answer), k in table.items():
            cell = counts[band_of(bands, value)]
            cell[0] += k
            cell[1] += k if answer in CONFIRMED_SOLVED else 0
            scored[(value, SATISFACTION_SCORE[answer])] += k
        out["factors"].append(
            {
                "factor": factor,
                "n": sum(table.values()),
                "rho": spearman_counts(scored, min_sample),
                "bands": [
                    {"band": key, "answered": n, "satisfied": good, "rate": rate(good, n)}
                    for key, (n, good) in counts.items()
                ],
            }
        )
    return out
