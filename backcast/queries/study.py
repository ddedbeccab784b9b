"""A study's comparison read for its members: each workshop's rows (the research part: only
participants who agreed to research use), its themes and its settled coding, handed to
`analysis.study`."""

from __future__ import annotations

from dataclasses import dataclass

from backcast.analysis.data import read_workshop, research_part
from backcast.analysis.study import StudyFigures, ThemeCell, compare_study
from backcast.db import Database
from backcast.models import Facilitator
from backcast.queries.results_view import score_percent
from backcast.services import coding, studies
from backcast.services.studies import StudyView


@dataclass(frozen=True)
class StudyResults:
    view: StudyView
    figures: StudyFigures

    @property
    def heat_map(self) -> HeatMap:
        return heat_map(self.figures)


def study_results(db: Database, facilitator: Facilitator, study_id: object) -> StudyResults:
    """The comparison of a study's workshops; refused (`NotAllowed`) to anyone not a member."""
    view = studies.study_view(db, facilitator, study_id)
    assert view.study.id is not None
    settled = coding.settled_themes(db, view.study.id)
    with db.read() as session:
        rows = [research_part(read_workshop(session, workshop)) for workshop in view.workshops]
    return StudyResults(view, compare_study(rows, view.themes, settled))


# The heat map's geometry in SVG units: a label column, then one column per workshop.
LABEL_WIDTH, COLUMN_WIDTH, HEAD_HEIGHT, ROW_HEIGHT = 190, 150, 56, 56
# Cells shade from pale (score 0) to deep blue (score 100).
PALE, DEEP = (0xF1, 0xF5, 0xFB), (0x15, 0x3E, 0x75)
EMPTY_FILL = "#f2f2f2"


@dataclass(frozen=True)
class HeatCell:
    row: int
    column: int
    x: float
    y: float
    fill: str
    ink: str
    cell: ThemeCell
    percent: float | None  # the mean weighted score on 0–100, one decimal


@dataclass(frozen=True)
class HeatMap:
    width: int
    height: int
    column_x: list[float]  # each workshop column's centre
    row_y: list[float]  # each theme row's top
    cells: list[HeatCell]


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def shade(percent: float | None) -> tuple[str, str]:
    """The fill of a cell and the colour of its numbers: white or near-black, whichever contrasts
    more with the fill (WCAG's contrast ratio)."""
    if percent is None:
        return EMPTY_FILL, "#1a1a1a"
    t = min(max(percent / 100, 0.0), 1.0)
    rgb = tuple(round(a + (b - a) * t) for a, b in zip(PALE, DEEP, strict=True))
    light = _luminance(rgb)
    on_white = 1.05 / (light + 0.05)
    on_dark = (light + 0.05) / (_luminance((0x1A, 0x1A, 0x1A)) + 0.05)
    return "#{:02x}{:02x}{:02x}".format(*rgb), "#ffffff" if on_white > on_dark else "#1a1a1a"


def heat_map(figures: StudyFigures) -> HeatMap:
    columns = len(figures.workshops)
    cells = []
    for row_index, row in enumerate(figures.themes):
        for column, cell in enumerate(row.cells):
            percent = score_percent(cell.mean_score)
            fill, ink = shade(percent)
            cells.append(
                HeatCell(
                    row_index,
                    column,
                    LABEL_WIDTH + column * COLUMN_WIDTH,
                    HEAD_HEIGHT + row_index * ROW_HEIGHT,
                    fill,
                    ink,
                    cell,
                    percent,
                )
            )
    return HeatMap(
        width=LABEL_WIDTH + columns * COLUMN_WIDTH,
        height=HEAD_HEIGHT + len(figures.themes) * ROW_HEIGHT,
        column_x=[LABEL_WIDTH + (column + 0.5) * COLUMN_WIDTH for column in range(columns)],
        row_y=[HEAD_HEIGHT + index * ROW_HEIGHT for index in range(len(figures.themes))],
        cells=cells,
    )
