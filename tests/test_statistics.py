"""Every statistic against Python's `statistics` and NumPy, on any ratings hypothesis can think of."""

from __future__ import annotations

import statistics
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcast.analysis.results import competition_ranks, weighted_score
from backcast.analysis.stats import quantile, summarise
from backcast.enums import Direction
from backcast.models import Criterion


@st.composite
def scale_and_values(draw: st.DrawFn) -> tuple[int, int, list[int | None]]:
    low = draw(st.integers(0, 10))
    high = draw(st.integers(low + 1, low + 12))
    values = draw(st.lists(st.one_of(st.none(), st.integers(low, high)), max_size=60))
    return low, high, values


@given(scale_and_values())
def test_summary_matches_statistics_and_numpy(case: tuple[int, int, list[int | None]]) -> None:
    low, high, values = case
    given_values = [value for value in values if value is not None]
    summary = summarise(values, low, high)

    assert (summary.n, summary.n_cant_judge) == (len(given_values), values.count(None))
    assert summary.counts == {value: given_values.count(value) for value in range(low, high + 1)}
    if not given_values:
        assert (summary.mean, summary.median, summary.sd, summary.iqr, summary.min) == (None,) * 5
        assert summary.consensus is False
        return
    q1, median, q3 = np.quantile(given_values, [0.25, 0.5, 0.75], method="linear")
    assert summary.mean == pytest.approx(statistics.fmean(given_values), rel=1e-12)
    assert summary.mean == statistics.mean(given_values)
    assert summary.median == statistics.median(given_values) == pytest.approx(median, abs=1e-12)
    assert (summary.q1, summary.q3) == pytest.approx((q1, q3), abs=1e-12)
    assert summary.iqr == pytest.approx(q3 - q1, abs=1e-12)
    assert (summary.min, summary.max) == (min(given_values), max(given_values))
    if len(given_values) < 2:
        assert summary.sd is None
    else:
        assert summary.sd == pytest.approx(statistics.stdev(given_values), rel=1e-12, abs=1e-12)
        assert summary.sd == pytest.approx(float(np.std(given_values, ddof=1)), rel=1e-9, abs=1e-12)
    assert summary.consensus == (len(given_values) >= 3 and (q3 - q1) <= (high - low) / 4)


@given(st.lists(st.integers(0, 100), min_size=2, max_size=40), st.sampled_from([0, 1, 2, 3, 4]))
def test_type_7_quartiles_are_those_of_statistics_inclusive(values: list[int], k: int) -> None:
    ordered = sorted(values)
    expected = [ordered[0], *statistics.quantiles(ordered, n=4, method="inclusive"), ordered[-1]]
    assert float(quantile(ordered, Fraction(k, 4))) == pytest.approx(expected[k], abs=1e-12)


def test_quartiles_of_a_small_example_by_hand() -> None:
    # 1 2 3 4: h = 3/4 for Q1 -> 1.75, h = 9/4 for Q3 -> 3.25 (R's default, NumPy's default).
    summary = summarise([4, 2, None, 1, 3], 1, 5)
    assert (summary.q1, summary.median, summary.q3, summary.iqr) == (1.75, 2.5, 3.25, 1.5)
    assert summary.cant_judge_share == 0.2


def test_consensus_needs_three_values_and_scales_with_the_range() -> None:
    assert summarise([4, 4], 1, 5).consensus is False  # IQR 0, but n = 2
    assert summarise([3, 4, 4, 5], 1, 5).consensus is True  # Q1 3.75, Q3 4.25: IQR 0.5
    assert summarise([2, 3, 4, 5], 1, 5).consensus is False  # IQR 1.5
    assert summarise([2, 4, 6, 8], 0, 10).consensus is False  # IQR 3 > 2.5
    assert summarise([4, 5, 6, 7], 0, 10).consensus is True  # IQR 1.5 <= 2.5
    assert summarise([1, 2, 2, 3, 3], 1, 5).consensus is True  # Q1 2, Q3 3: IQR exactly 1


def criterion(key: str, low: int = 1, high: int = 5, weight: float = 1.0, lower: bool = False) -> Criterion:
    return Criterion(
        workshop_id=1,
        key=key,
        label=key,
        scale_min=low,
        scale_max=high,
        weight=weight,
        direction=Direction.lower if lower else Direction.higher,
    )


@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(1, 10),
            st.floats(0, 100, allow_nan=False),
            st.booleans(),
            st.lists(st.integers(0, 15), min_size=0, max_size=8),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_weighted_score_is_the_weighted_mean_of_normalised_means(
    specs: list[tuple[int, int, float, bool, list[int]]],
) -> None:
    criteria, summaries, expected_sum, weight_sum = [], {}, 0.0, 0.0
    for index, (low, span, weight, lower, raw) in enumerate(specs):
        high = low + span
        values = [low + value % (span + 1) for value in raw]
        item = criterion(f"c{index}", low, high, weight, lower)
        criteria.append(item)
        summaries[item.key] = summarise(values, low, high)
        if values and weight > 0:
            share = (float(np.mean(values)) - low) / span
            expected_sum += weight * (1 - share if lower else share)
            weight_sum += weight
    score, used = weighted_score(criteria, summaries)
    if weight_sum == 0:
        assert (score, used) == (None, ())
    else:
        assert score is not None and 0 <= score <= 1
        assert float(score) == pytest.approx(expected_sum / weight_sum, rel=1e-9, abs=1e-12)


def test_lower_is_better_turns_the_scale_round() -> None:
    cost, impact = criterion("cost", lower=True), criterion("impact")
    score, used = weighted_score(
        [cost, impact], {"cost": summarise([1, 1], 1, 5), "impact": summarise([5], 1, 5)}
    )
    assert (score, used) == (1, ("cost", "impact"))


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=30))
def test_ranks_are_competition_ranks(keys: list[tuple[int, int]]) -> None:
    ranks = competition_ranks(keys)
    for key, rank in zip(keys, ranks, strict=True):
        assert rank == 1 + sum(other < key for other in keys)


def test_ties_share_a_rank_and_the_next_rank_is_skipped() -> None:
    assert competition_ranks([(1,), (2,), (2,), (3,)]) == [1, 2, 2, 4]
