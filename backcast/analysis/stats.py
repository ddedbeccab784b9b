"""Descriptive statistics of one criterion's ratings of one item.

Ratings are whole numbers, so sums and sums of squares are exact integers: the mean and the
variance are computed from them without rounding, and only the last step becomes a float.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol, TypeVar

from backcast.enums import Direction

# Hyndman & Fan (1996) definition 7: linear interpolation between the order statistics at
# h = (n - 1) p. It is the default of R, NumPy and pandas, and Excel's QUARTILE.INC, so a
# researcher recomputing our quartiles with any of them gets the same numbers.
QUANTILE_METHOD = "Hyndman-Fan type 7 (linear interpolation; R type 7, NumPy/pandas 'linear')"

# On a 1-5 scale an IQR of at most 1 is consensus; other scales are scaled by their range.
CONSENSUS_IQR_SHARE = Fraction(1, 4)
CONSENSUS_MIN_N = 3


def quantile(ordered: Sequence[int], p: Fraction) -> Fraction:
    """The p-quantile of sorted values by definition 7, exactly."""
    if not ordered:
        raise ValueError("quantile of no values")
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


class RatedScale(Protocol):
    """What reading a criterion's values needs (`CriterionSpec` or `Criterion`): its key, scale
    and which end is better. The rounds' figures need no more."""

    @property
    def key(self) -> str: ...
    @property
    def scale_min(self) -> int: ...
    @property
    def scale_max(self) -> int: ...
    @property
    def direction(self) -> str: ...


class Scale(RatedScale, Protocol):
    """A criterion's scale with its weight in the score, as set up or as stored."""

    @property
    def weight(self) -> float: ...


Number = TypeVar("Number", Fraction, float)


def toward_better(value: Number, criterion: Scale) -> Number:
    """Where `value` lies on the criterion's scale: 0 at the worse end, 1 at the better one, so a
    lower-is-better criterion (cost) is turned round. The one computation behind the score, the
    results' axes and the demo's simulated opinions."""
    share = (value - criterion.scale_min) / (criterion.scale_max - criterion.scale_min)
    return 1 - share if criterion.direction == Direction.lower else share


def consensus_threshold(scale_min: int, scale_max: int) -> Fraction:
    return (scale_max - scale_min) * CONSENSUS_IQR_SHARE


@dataclass(frozen=True)
class Summary:
    """What the ratings of one item on one criterion say. Figures are None where undefined."""

    n: int  # values given
    n_cant_judge: int
    mean: float | None
    median: float | None
    sd: float | None  # sample SD (n - 1); None when n < 2
    q1: float | None
    q3: float | None
    iqr: float | None
    min: int | None
    max: int | None
    counts: dict[int, int]  # every value of the scale, in order, with how often it was given
    consensus: bool
    # Exact mean, for the weighted score and ties in the ranking.
    exact_mean: Fraction | None

    @property
    def responses(self) -> int:
        return self.n + self.n_cant_judge

    @property
    def cant_judge_share(self) -> float | None:
        return self.n_cant_judge / self.responses if self.responses else None


def summarise(values: Iterable[int | None], scale_min: int, scale_max: int) -> Summary:
    """Statistics of ratings on a scale; `None` is "can't judge", counted apart and not in n."""
    given: list[int] = []
    cant_judge = 0
    for value in values:
        if value is None:
            cant_judge += 1
        else:
            given.append(value)
    given.sort()
    counts = dict.fromkeys(range(scale_min, scale_max + 1), 0)
    for value in given:
        counts[value] += 1
    n = len(given)
    if n == 0:
        return Summary(0, cant_judge, None, None, None, None, None, None, None, None, counts, False, None)

    total = sum(given)
    exact_mean = Fraction(total, n)
    sd = None
    if n >= 2:
        # n * sum(x^2) - (sum x)^2 is n^2 times the population variance, an exact integer.
        spread = n * sum(value * value for value in given) - total * total
        sd = math.sqrt(Fraction(spread, n * (n - 1)))
    q1, median, q3 = (quantile(given, Fraction(k, 4)) for k in (1, 2, 3))
    iqr = q3 - q1
    return Summary(
        n=n,
        n_cant_judge=cant_judge,
        mean=float(exact_mean),
        median=float(median),
        sd=sd,
        q1=float(q1),
        q3=float(q3),
        iqr=float(iqr),
        min=given[0],
        max=given[-1],
        counts=counts,
        consensus=n >= CONSENSUS_MIN_N and iqr <= consensus_threshold(scale_min, scale_max),
        exact_mean=exact_mean,
    )
