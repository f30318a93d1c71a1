"""The experiment statistics, proved by simulation: intervals cover the truth at the stated rate,
an A/A test is called different no more often than alpha, and the planned sample has its power."""

from __future__ import annotations

import math

import numpy as np
import pytest

from donations.experiments.statistics import (
    ALPHA,
    Call,
    breaches,
    compare,
    difference_interval,
    mean_interval,
    rate_interval,
    views_needed,
)

EXPERIMENTS = 1000
RNG_SEED = 20261203
# 1,000 experiments estimate a 95 % rate within about ±1.4 % (two standard errors).
TOLERANCE = 0.02


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(RNG_SEED)


@pytest.mark.parametrize(("rate", "views"), [(0.002, 20_000), (0.01, 5_000), (0.03, 1_500)])
def test_a_rate_interval_covers_the_true_rate_95_times_in_100(rng, rate, views):
    conversions = rng.binomial(views, rate, size=EXPERIMENTS)
    covered = sum(rate_interval(int(c), views).contains(rate) for c in conversions)
    assert abs(covered / EXPERIMENTS - (1 - ALPHA)) <= TOLERANCE


@pytest.mark.parametrize(("control", "variant"), [(0.01, 0.012), (0.02, 0.015), (0.005, 0.005)])
def test_a_difference_interval_covers_the_true_difference_95_times_in_100(rng, control, variant):
    views = 8_000
    a = rng.binomial(views, control, size=EXPERIMENTS)
    b = rng.binomial(views, variant, size=EXPERIMENTS)
    covered = sum(
        difference_interval((int(x), views), (int(y), views)).contains(variant - control)
        for x, y in zip(a, b, strict=True)
    )
    assert abs(covered / EXPERIMENTS - (1 - ALPHA)) <= TOLERANCE


def test_an_a_a_test_is_called_different_no_more_often_than_alpha(rng):
    rate, planned = 0.01, views_needed(0.01, 0.2)
    a = rng.binomial(planned, rate, size=EXPERIMENTS)
    b = rng.binomial(planned, rate, size=EXPERIMENTS)
    calls = [
        compare((int(x), planned), (int(y), planned), planned).call
        for x, y in zip(a, b, strict=True)
    ]
    different = sum(call in (Call.BETTER, Call.WORSE) for call in calls) / EXPERIMENTS
    assert different <= ALPHA + math.sqrt(ALPHA * (1 - ALPHA) / EXPERIMENTS) * 2


def test_the_planned_sample_finds_the_planned_lift_80_times_in_100(rng):
    rate, lift = 0.01, 0.25
    planned = views_needed(rate, lift)
    a = rng.binomial(planned, rate, size=EXPERIMENTS)
    b = rng.binomial(planned, rate * (1 + lift), size=EXPERIMENTS)
    found = sum(
        compare((int(x), planned), (int(y), planned), planned).call is Call.BETTER
        for x, y in zip(a, b, strict=True)
    )
    assert abs(found / EXPERIMENTS - 0.80) <= 0.04


def test_revenue_per_view_interval_covers_the_true_mean(rng):
    views, rate = 4_000, 0.02
    gifts = np.array([500, 1000, 2500, 6000])  # one-off $5..$25 and a $5 monthly over 12 months
    true_mean = rate * gifts.mean()
    covered = 0
    for _ in range(EXPERIMENTS):
        converted = rng.binomial(views, rate)
        values = [int(v) for v in rng.choice(gifts, size=converted)]
        covered += mean_interval(values, views).contains(true_mean)
    assert abs(covered / EXPERIMENTS - (1 - ALPHA)) <= TOLERANCE


def test_before_the_planned_sample_there_is_no_call_and_the_views_still_needed_are_said():
    result = compare((40, 3_000), (70, 3_000), planned_views=10_000)
    assert result.call is Call.NOT_YET
    assert result.views_to_go == 7_000
    assert result.in_words() == "Not yet significant: about 7,000 more views needed."
    assert result.difference.excludes_zero  # a difference that would look significant, peeked at


def test_at_the_planned_sample_a_clear_difference_is_called_either_way():
    assert compare((100, 10_000), (160, 10_000), 10_000).call is Call.BETTER
    assert compare((160, 10_000), (100, 10_000), 10_000).call is Call.WORSE
    assert compare((100, 10_000), (104, 10_000), 10_000).call is Call.NO_DIFFERENCE


def test_the_sample_size_grows_as_the_lift_shrinks_and_refuses_nonsense():
    assert views_needed(0.01, 0.1) > views_needed(0.01, 0.2) > views_needed(0.01, 0.5)
    # A textbook figure: 1 % baseline, +20 % relative, 5 % / 80 %: about 42,700 per group.
    assert 42_000 < views_needed(0.01, 0.2) < 43_500
    for bad in ((0, 0.2), (1.2, 0.2), (0.01, 0), (0.01, -0.5)):
        with pytest.raises(ValueError):
            views_needed(*bad)


def test_a_guardrail_breaches_only_when_the_excess_is_clear():
    # Dismissals per impression: 8 % against 5 % on 5,000 impressions each is clearly worse.
    assert breaches((250, 5_000), (400, 5_000), margin=0.01)
    # 5.4 % against 5 % is within the allowed margin of one point.
    assert not breaches((250, 5_000), (270, 5_000), margin=0.01)
    # Too little data says nothing.
    assert not breaches((0, 0), (3, 10), margin=0.01)


def test_empty_groups_give_wide_intervals_not_errors():
    assert rate_interval(0, 0).contains(0.5)
    assert difference_interval((0, 0), (1, 10)).contains(0.0)
    assert mean_interval([], 0).contains(0.0)
