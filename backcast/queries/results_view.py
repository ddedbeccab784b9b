"""Results shaped for the screen and the phone, from the one computation in `analysis`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session

from backcast.analysis.data import read_workshop
from backcast.analysis.results import ItemResult, Results, compute_results
from backcast.analysis.stats import Summary, toward_better
from backcast.models import Criterion, Workshop


@dataclass
class Spread:
    """Where the middle half of one criterion's answers lie (Q1 to Q3), on the score's 0–100
    axis: the better end at 100, so a lower-is-better criterion is turned round."""

    criterion: Criterion
    low: float
    high: float
    q1: float
    q3: float
    position: int  # the criterion's place in the workshop's order: its line and its colour


@dataclass
class Row:
    """One ranked measure: its rank, score in per cent, dots, and per-criterion summaries."""

    result: ItemResult
    score_percent: float | None
    consensus: int  # criteria on which the room agrees
    spreads: list[Spread]


def _on_axis(value: float, criterion: Criterion) -> float:
    return round(100 * toward_better(value, criterion), 1)


def spreads_of(result: ItemResult, criteria: list[Criterion]) -> list[Spread]:
    spreads = []
    for position, criterion in enumerate(criteria):
        summary = result.overall.criteria.get(criterion.key)
        if summary is None or summary.q1 is None or summary.q3 is None:
            continue
        ends = sorted((_on_axis(summary.q1, criterion), _on_axis(summary.q3, criterion)))
        spreads.append(Spread(criterion, ends[0], ends[1], summary.q1, summary.q3, position))
    return spreads


# The square's drawing area in SVG units, and a point's radius: the screen's and the report's
# charts draw with these, so points can be kept apart here.
SQUARE_WIDTH, SQUARE_HEIGHT, POINT_RADIUS = 500, 440, 17


@dataclass
class Point:
    """A measure in the square of the first two criteria; x and y in 0..100 (100 the better end).
    `px`, `py` is where its marker is drawn: on its place, or moved aside when another marker
    already covers that place (then a thin line leads back to the true place)."""

    rank: int
    text: str
    x: float
    y: float
    px: float = 0.0
    py: float = 0.0

    @property
    def true_px(self) -> float:
        return round(self.x * SQUARE_WIDTH / 100, 1)

    @property
    def true_py(self) -> float:
        return round(SQUARE_HEIGHT - self.y * SQUARE_HEIGHT / 100, 1)

    @property
    def moved(self) -> bool:
        return (self.px, self.py) != (self.true_px, self.true_py)


def spread(points: list[Point]) -> list[Point]:
    """Places each marker on its true spot, or on the nearest free spot of a spiral around it, so
    that no marker hides another; the best-ranked keep their true spots first."""
    placed: list[tuple[float, float]] = []
    gap = 2 * POINT_RADIUS + 2
    for point in sorted(points, key=lambda p: (p.rank, p.text)):
        cx, cy = point.true_px, point.true_py
        for step in range(400):
            angle, distance = step * 2.4, gap * 0.35 * math.sqrt(step)  # a sunflower spiral
            x = min(max(cx + distance * math.cos(angle), POINT_RADIUS), SQUARE_WIDTH - POINT_RADIUS)
            y = min(max(cy + distance * math.sin(angle), POINT_RADIUS), SQUARE_HEIGHT - POINT_RADIUS)
            if step == 0:
                x, y = cx, cy  # the true spot, even at the very edge
            if all(math.hypot(x - ox, y - oy) >= gap for ox, oy in placed):
                break
        point.px, point.py = round(x, 1), round(y, 1)
        placed.append((x, y))
    return points


@dataclass
class ResultsView:
    results: Results
    rows: list[Row]
    points: list[Point]
    axes: tuple[Criterion, Criterion] | None  # (x, y): the second criterion across, the first up


def score_percent(score: Fraction | None) -> float | None:
    """A score (0-1) as the screens show it: 0-100 with one decimal."""
    return round(float(score) * 100, 1) if score is not None else None


def _share(summary: Summary | None, criterion: Criterion) -> float | None:
    if summary is None or summary.mean is None:
        return None
    return _on_axis(summary.mean, criterion)


def results_view(session: Session, workshop: Workshop) -> ResultsView:
    results = compute_results(read_workshop(session, workshop))
    rows = [
        Row(
            result,
            score_percent(result.overall.score),
            sum(
                1 for summary in result.overall.criteria.values() if summary is not None and summary.consensus
            ),
            spreads_of(result, results.criteria),
        )
        for result in results.items
    ]
    # The first criterion (impact, say) goes up and the second (feasibility) across, as the
    # facilitator ordered them on the set-up page.
    axes = (results.criteria[1], results.criteria[0]) if len(results.criteria) >= 2 else None
    points: list[Point] = []
    if axes is not None:
        for result in results.items:
            x = _share(result.overall.criteria.get(axes[0].key), axes[0])
            y = _share(result.overall.criteria.get(axes[1].key), axes[1])
            if x is not None and y is not None and result.overall.rank is not None:
                points.append(Point(result.overall.rank, result.item.text, x, y))
    return ResultsView(results, rows, spread(points), axes)
