"""The statistics of an experiment on prompts: what each variant did, with honest intervals.

A fixed-horizon test. Before it starts, an experiment states the smallest lift worth finding
(relative to the control's conversion rate) and so the views each variant needs to find it at
5 % significance with 80 % power; its result is read at that sample, not before, so looking at
the page every day does not inflate false positives. Until then the page says "not yet
significant" and how many more views it needs.

Intervals: Wilson's for each variant's rate, Newcombe's hybrid score interval for the difference
between a variant and the control, and the normal approximation for revenue per 1,000 views
(the mean of each view's revenue, zero for most). tests/experiments/test_statistics.py checks
by simulation that they cover the truth at the stated rate and that an A/A test is called
different no more often than alpha.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from scipy.stats import binomtest, norm

ALPHA = 0.05
POWER = 0.80
METHOD = (
    "Fixed-horizon two-sided test at 5 % significance and 80 % power; Wilson score intervals "
    "for rates, Newcombe's hybrid score interval for differences, normal approximation for "
    "revenue per 1,000 views."
)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def z(alpha: float = ALPHA) -> float:
    """The two-sided normal quantile: 1.96 at 5 %."""
    return float(norm.ppf(1 - alpha / 2))


def rate_interval(successes: int, trials: int, alpha: float = ALPHA) -> Interval:
    """Wilson's interval for a rate (conversions per view): right even near 0 and 1."""
    if trials == 0:
        return Interval(0.0, 1.0)
    found = binomtest(successes, trials).proportion_ci(1 - alpha, method="wilson")
    return Interval(float(found.low), float(found.high))


def difference_interval(
    control: tuple[int, int], variant: tuple[int, int], alpha: float = ALPHA
) -> Interval:
    """Newcombe's interval for the variant's rate minus the control's ((successes, trials) each)."""
    (s1, n1), (s2, n2) = control, variant
    if n1 == 0 or n2 == 0:
        return Interval(-1.0, 1.0)
    p1, p2 = s1 / n1, s2 / n2
    one, two = rate_interval(s1, n1, alpha), rate_interval(s2, n2, alpha)
    difference = p2 - p1
    return Interval(
        difference - math.hypot(p2 - two.low, one.high - p1),
        difference + math.hypot(two.high - p2, p1 - one.low),
    )


def views_needed(
    baseline_rate: float, relative_lift: float, alpha: float = ALPHA, power: float = POWER
) -> int:
    """Views each variant needs to find a relative lift of this size over the baseline rate
    (two-sided test of two proportions, equal groups)."""
    if not 0 < baseline_rate < 1 or relative_lift <= 0:
        raise ValueError("a baseline rate between 0 and 1 and a positive lift are needed")
    p1 = baseline_rate
    p2 = min(p1 * (1 + relative_lift), 0.999999)
    pooled = (p1 + p2) / 2
    z_beta = float(norm.ppf(power))
    needed = (
        z(alpha) * math.sqrt(2 * pooled * (1 - pooled))
        + z_beta * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    ) ** 2 / (p2 - p1) ** 2
    return math.ceil(needed)


def mean_interval(values: Sequence[int], views: int, alpha: float = ALPHA) -> Interval:
    """The mean revenue per view (values are the converting views' revenue; every other view
    brought 0), by the normal approximation."""
    if views == 0:
        return Interval(0.0, 0.0)
    total = float(sum(values))
    mean = total / views
    squares = float(sum(v * v for v in values))
    variance = max(squares / views - mean * mean, 0.0) * views / max(views - 1, 1)
    half = z(alpha) * math.sqrt(variance / views)
    return Interval(max(mean - half, 0.0), mean + half)


class Call(StrEnum):
    NOT_YET = "not-yet"  # the planned sample is not reached: no call either way
    BETTER = "better"
    WORSE = "worse"
    NO_DIFFERENCE = "no-difference"


@dataclass(frozen=True)
class Comparison:
    call: Call
    difference: Interval  # variant minus control, in conversion rate
    views_to_go: int  # views the variant still needs before the call

    def in_words(self) -> str:
        if self.call is Call.NOT_YET:
            return f"Not yet significant: about {self.views_to_go:,} more views needed."
        return {
            Call.BETTER: "Converts better than the control.",
            Call.WORSE: "Converts worse than the control.",
            Call.NO_DIFFERENCE: "No difference from the control at the planned sample.",
        }[self.call]


def compare(
    control: tuple[int, int], variant: tuple[int, int], planned_views: int, alpha: float = ALPHA
) -> Comparison:
    """The variant against the control ((conversions, views) each), called only once both
    have the planned views."""
    difference = difference_interval(control, variant, alpha)
    views_to_go = max(planned_views - min(control[1], variant[1]), 0)
    if views_to_go:
        return Comparison(Call.NOT_YET, difference, views_to_go)
    if not difference.excludes_zero:
        return Comparison(Call.NO_DIFFERENCE, difference, 0)
    return Comparison(Call.BETTER if difference.low > 0 else Call.WORSE, difference, 0)


def breaches(
    control: tuple[int, int], variant: tuple[int, int], margin: float, alpha: float = ALPHA
) -> bool:
    """A guardrail (dismissals, unsubscribes, cancellations, disputes per view or per pledge):
    True when the variant's rate is, with confidence, more than `margin` above the control's."""
    if control[1] == 0 or variant[1] == 0:
        return False
    # One-sided at alpha: the lower end of a (1 - 2 alpha) two-sided interval.
    return difference_interval(control, variant, 2 * alpha).low > margin
