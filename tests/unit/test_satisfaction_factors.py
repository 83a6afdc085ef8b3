"""Spearman's rho and the satisfaction bands, against values worked out by hand."""

from __future__ import annotations

import math

import random
from collections import Counter

from app.domain.correlation import MIN_SAMPLE, pearson, ranks, spearman, spearman_counts
from app.domain.satisfaction_factors import Answered, analyse


def test_ties_share_the_mean_of_their_ranks():
    assert ranks([3, 1, 3]) == [2.5, 1.0, 2.5]
    assert ranks([7, 5, 6, 7, 8]) == [3.5, 1.0, 2.0, 3.5, 5.0]


def test_spearman_by_hand():
    # x ranks 1..5; y = 5, 6, 7, 8, 7 ranks 1, 2, 3.5, 5, 3.5. Deviations from 3: x -2 -1 0 1 2,
    # y -2 -1 .5 2 .5; sum of products 4 + 1 + 0 + 2 + 1 = 8; squares 10 and 9.5: rho = 8 / sqrt(95) = 0.8208
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7], min_sample=5) == 0.821
    assert math.isclose(pearson([1, 2, 3], [2, 4, 6]) or 0, 1.0)


def test_no_coefficient_below_the_sample_or_without_variation():
    xs = list(range(MIN_SAMPLE - 1))
    assert spearman(xs, xs) is None  # 9 pairs: chance, not a finding
    assert spearman(list(range(MIN_SAMPLE)), [2] * MIN_SAMPLE) is None  # everybody answered alike
    assert spearman(list(range(MIN_SAMPLE)), list(range(MIN_SAMPLE))) == 1.0


def test_bands_count_answers_and_the_satisfied_share():
    rows = [
        Answered("satisfied", {"handling_hours": 2, "breaches": 0, "transfers": 0, "reopenings": 0}),
        Answered("basically_satisfied", {"handling_hours": 30, "breaches": 1, "transfers": 0, "reopenings": 0}),
        Answered("unsatisfied", {"handling_hours": 400, "breaches": 3, "transfers": 2, "reopenings": 1}),
        Answered("unsatisfied", {"handling_hours": None, "breaches": 0, "transfers": 0, "reopenings": 2}),
        Answered("no_answer", {"handling_hours": 1, "breaches": 0, "transfers": 0, "reopenings": 0}),  # not a score
    ]
    out = {f["factor"]: f for f in analyse(rows)["factors"]}
    hours = out["handling_hours"]
    assert hours["n"] == 3 and hours["rho"] is None  # no reply time: left out of this factor only
    assert [(b["band"], b["answered"], b["satisfied"], b["rate"]) for b in hours["bands"]] == [
        ("lt24h", 1, 1, 1.0),
        ("1to3d", 1, 1, 1.0),
        ("3to7d", 0, 0, None),
        ("7to15d", 0, 0, None),
        ("ge15d", 1, 0, 0.0),
    ]
    assert [(b["band"], b["answered"], b["satisfied"]) for b in out["reopenings"]["bands"]] == [
        ("0", 2, 2),
        ("1", 1, 0),
        ("ge2", 1, 0),
    ]
    assert out["breaches"]["n"] == 4


def test_rho_from_counts_equals_rho_over_the_pairs():
    """The page computes rho from how many complaints share a (value, answer): the same figure as over the rows,
    with ties (whole hours, few bands) and without (continuous times)."""
    rng = random.Random(20)
    for _ in range(200):
        n = rng.randint(MIN_SAMPLE, 300)
        spread = rng.choice([2, 5, 40, 10_000])
        xs = [float(rng.randint(0, spread)) / rng.choice([1, 3]) for _ in range(n)]
        ys = [float(rng.choice([1, 2, 3])) for _ in range(n)]
        assert spearman_counts(Counter(zip(xs, ys))) == spearman(xs, ys)
    assert spearman_counts(Counter({(1.0, 1.0): 5, (2.0, 1.0): 5})) is None  # the answers do not vary
    assert spearman_counts(Counter({(1.0, 1.0): 4, (2.0, 3.0): 5})) is None  # below the minimum sample
