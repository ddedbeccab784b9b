"""Results shaped for the screen and the phone, from the one computation in `analysis`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session

from backcast.analysis.data import read_workshop
from backcast.analysis.results import ItemResult, Results, compute_results
from backcast.analysis.stats import Summary
from backcast.models import Criterion, Workshop


@dataclass
class Row:
    """One ranked measure: its rank, score in per cent, dots, and per-criterion summaries."""

    result: ItemResult
    score_percent: float | None
    consensus: int  # criteria on which the room agrees


@dataclass
class Point:
    """A measure in the impact × feasibility square; x and y in 0..100 (100 the better end)."""

    rank: int
    text: str
    x: float
    y: float


@dataclass
class ResultsView:
    results: Results
    rows: list[Row]
    points: list[Point]
    axes: tuple[Criterion, Criterion] | None  # (x, y) of the square, when both criteria exist


def score_percent(score: Fraction | None) -> float | None:
    """A score (0-1) as the screens show it: 0-100 with one decimal."""
    return round(float(score) * 100, 1) if score is not None else None


def _share(summary: Summary | None, criterion: Criterion) -> float | None:
    if summary is None or summary.mean is None:
        return None
    share = (summary.mean - criterion.scale_min) / (criterion.scale_max - criterion.scale_min)
    return round(100 * (1 - share if criterion.direction == "lower" else share), 1)


def results_view(session: Session, workshop: Workshop) -> ResultsView:
    results = compute_results(read_workshop(session, workshop))
    rows = [
        Row(
            result,
            score_percent(result.overall.score),
            sum(
                1 for summary in result.overall.criteria.values() if summary is not None and summary.consensus
            ),
        )
        for result in results.items
    ]
    by_key = {criterion.key: criterion for criterion in results.criteria}
    axes = (by_key["feasibility"], by_key["impact"]) if {"feasibility", "impact"} <= set(by_key) else None
    points: list[Point] = []
    if axes is not None:
        for result in results.items:
            x = _share(result.overall.criteria.get(axes[0].key), axes[0])
            y = _share(result.overall.criteria.get(axes[1].key), axes[1])
            if x is not None and y is not None and result.overall.rank is not None:
                points.append(Point(result.overall.rank, result.item.text, x, y))
    return ResultsView(results, rows, points, axes)
