"""A study's comparison: its workshops side by side, and its themes across them.

Pure functions over plain rows: each workshop's `WorkshopData` (already cut to the participants who
agreed to research use), the study's themes and its settled coding (item → themes). Every score,
quartile and rank comes from the one definition in `results` and `stats`.

Which themes are robust and which region-specific (stated in `THEME_RULE`, shown with the figures):

- In a workshop, a theme's figure is the mean weighted score of the rated items (measures) coded
  with it. A theme is *ranked* in a workshop when at least `MIN_MEASURES` scored measures there carry
  it; a workshop ranks its themes only when at least `MIN_RANKED_THEMES` themes are ranked in it.
- Ranked themes are ordered by that mean, higher first; equal means share a rank (1, 2, 2, 4). Of k
  ranked themes, the *top third* are those whose rank is at most ceil(k / 3), so ties at the cut all
  belong to it.
- With at least two workshops that rank their themes: a theme is *robust* when it is ranked in at
  least two workshops and in the top third in every one of them; it is *region-specific* when it is
  in the top third in exactly one workshop and is not robust.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from backcast.analysis.data import WorkshopData
from backcast.analysis.results import Figures, competition_ranks, compute_results
from backcast.analysis.stats import Summary, summarise
from backcast.enums import ItemKind
from backcast.i18n import N_
from backcast.models import Item, StudyTheme, Workshop

TOP_MEASURES = 5  # measures shown per workshop, by rank
MIN_MEASURES = 2  # scored measures with a theme before the theme is ranked in a workshop
MIN_RANKED_THEMES = 3  # ranked themes before a workshop has a top third
TOP_SHARE = Fraction(1, 3)

THEME_RULE = N_(
    "A theme's figure in a workshop is the mean weighted score of the measures coded with it "
    "(settled codings only). A theme is ranked in a workshop when at least %(measures)d scored "
    "measures there carry it, and a workshop ranks its themes when at least %(themes)d are ranked. "
    "Ranked themes are ordered by that mean, equal means sharing a rank; the top third are those "
    "whose rank is at most k/3 rounded up, for k ranked themes. Robust: ranked in at least two "
    "workshops and in the top third in every one of them. Region-specific: in the top third in "
    "exactly one workshop and not robust."
)
THEME_RULE_PARAMS = {"measures": MIN_MEASURES, "themes": MIN_RANKED_THEMES}


def standing(item: Item) -> bool:
    """A contribution that counts for the study: visible, not withdrawn and not merged away."""
    return not item.hidden and not item.withdrawn and item.merged_into_id is None


@dataclass(frozen=True)
class MeasureLine:
    item: Item
    figures: Figures  # the whole room's (research part) figures: rank, score, dots, per criterion


@dataclass(frozen=True)
class CriterionFigures:
    """Every value given on one criterion in one workshop, over all its rated measures."""

    key: str
    summary: Summary


@dataclass(frozen=True)
class WorkshopFigures:
    workshop: Workshop
    participants: int
    by_group: dict[str | None, int]  # group key (None: no group) → participants, groups in order
    by_kind: dict[str, int]  # kind → standing contributions, in the order of `ItemKind`
    measures: int  # measures up for rating
    dots: int  # dots on them
    top: list[MeasureLine]
    criteria: list[CriterionFigures]
    ranked_themes: int  # themes ranked in this workshop
    top_cut: int | None  # a ranked theme is in the top third when its rank ≤ this; None: no ranking


@dataclass(frozen=True)
class ThemeCell:
    """One theme in one workshop."""

    items: int  # standing contributions whose settled coding has the theme
    measures: int  # of them, measures with a score
    mean_score: Fraction | None  # mean weighted score of those measures
    dots: int  # dots on the measures coded with the theme
    dot_share: Fraction | None  # of all dots in the workshop; None where none were given
    rank: int | None  # among the workshop's ranked themes; None: not ranked
    top: bool  # in the workshop's top third


@dataclass(frozen=True)
class ThemeRow:
    theme: StudyTheme
    cells: list[ThemeCell]  # one per workshop, in the study's order
    verdict: str | None  # "robust", "specific" or None

    @property
    def top_in(self) -> list[int]:
        return [index for index, cell in enumerate(self.cells) if cell.top]


@dataclass(frozen=True)
class StudyFigures:
    workshops: list[WorkshopFigures]
    themes: list[ThemeRow]
    coded_items: int  # settled items counted (standing, in a workshop of the study)
    classified: bool  # at least two workshops rank their themes, so verdicts are given

    @property
    def robust(self) -> list[ThemeRow]:
        return [row for row in self.themes if row.verdict == "robust"]

    @property
    def specific(self) -> list[ThemeRow]:
        return [row for row in self.themes if row.verdict == "specific"]


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _workshop_part(
    data: WorkshopData, themes: Sequence[StudyTheme], settled: Mapping[int, set[int]]
) -> tuple[WorkshopFigures, list[ThemeCell], int]:
    results = compute_results(data)
    group_key = {group.id: group.key for group in data.groups}
    joined = Counter(group_key.get(p.group_id) if p.group_id is not None else None for p in data.participants)
    by_group: dict[str | None, int] = {group.key: joined.get(group.key, 0) for group in data.groups}
    if joined.get(None):
        by_group[None] = joined[None]
    standing_items = [item for item in data.items if standing(item)]
    kinds = Counter(item.kind for item in standing_items)
    by_kind = {kind.value: kinds.get(kind.value, 0) for kind in ItemKind}

    scored = {r.item.id: r.overall for r in results.items}
    dots = {item_id: figures.dots or 0 for item_id, figures in scored.items()}
    total_dots = sum(dots.values())

    criteria = []
    for criterion in data.criteria:
        values = [
            row.value
            for row in data.ratings
            if row.criterion_id == criterion.id and row.item_id in data.counted_item_ids
        ]
        criteria.append(
            CriterionFigures(criterion.key, summarise(values, criterion.scale_min, criterion.scale_max))
        )

    coded = [
        (item, settled[item.id]) for item in standing_items if item.id is not None and item.id in settled
    ]
    raw: list[tuple[int, int, Fraction | None, int, Fraction | None]] = []
    for theme in themes:
        with_theme = [item for item, given in coded if theme.id in given]
        scores = [
            figures.score
            for item in with_theme
            if (figures := scored.get(item.id)) is not None and figures.score is not None
        ]
        theme_dots = sum(dots.get(item.id or 0, 0) for item in with_theme)
        share = Fraction(theme_dots, total_dots) if total_dots else None
        raw.append((len(with_theme), len(scores), _mean(scores), theme_dots, share))

    ranked = [index for index, (_, n, mean, _, _) in enumerate(raw) if n >= MIN_MEASURES and mean is not None]
    ranks: dict[int, int] = {}
    top_cut = None
    if len(ranked) >= MIN_RANKED_THEMES:
        means = [raw[index][2] for index in ranked]
        ranks = dict(zip(ranked, competition_ranks([(-(mean or 0),) for mean in means]), strict=True))
        top_cut = math.ceil(len(ranked) * TOP_SHARE)
    cells = [
        ThemeCell(
            items=items,
            measures=n,
            mean_score=mean,
            dots=theme_dots,
            dot_share=share,
            rank=ranks.get(index),
            top=top_cut is not None and index in ranks and ranks[index] <= top_cut,
        )
        for index, (items, n, mean, theme_dots, share) in enumerate(raw)
    ]
    summary = WorkshopFigures(
        workshop=data.workshop,
        participants=results.participants,
        by_group=by_group,
        by_kind=by_kind,
        measures=len(results.items),
        dots=total_dots,
        top=[MeasureLine(r.item, r.overall) for r in results.items[:TOP_MEASURES]],
        criteria=criteria,
        ranked_themes=len(ranks),
        top_cut=top_cut,
    )
    return summary, cells, len(coded)


def verdict(cells: Sequence[ThemeCell]) -> str | None:
    """ "robust", "specific" or None for a theme's cells across workshops that rank their themes."""
    ranked = [cell for cell in cells if cell.rank is not None]
    tops = sum(1 for cell in ranked if cell.top)
    if len(ranked) >= 2 and tops == len(ranked):
        return "robust"
    if tops == 1:
        return "specific"
    return None


def compare_study(
    workshops: Sequence[WorkshopData], themes: Sequence[StudyTheme], settled: Mapping[int, set[int]]
) -> StudyFigures:
    """The study's figures from its workshops' rows (in the study's order), its themes (in the
    codebook's order) and its settled coding."""
    parts = [_workshop_part(data, themes, settled) for data in workshops]
    classified = sum(1 for figures, _, _ in parts if figures.top_cut is not None) >= 2
    rows = []
    for index, theme in enumerate(themes):
        cells = [part_cells[index] for _, part_cells, _ in parts]
        rows.append(ThemeRow(theme, cells, verdict(cells) if classified else None))
    return StudyFigures(
        workshops=[figures for figures, _, _ in parts],
        themes=rows,
        coded_items=sum(count for _, _, count in parts),
        classified=classified,
    )


# --- as JSON -------------------------------------------------------------------------------------


def _number(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "n": summary.n,
        "n_cant_judge": summary.n_cant_judge,
        "mean": summary.mean,
        "median": summary.median,
        "q1": summary.q1,
        "q3": summary.q3,
        "iqr": summary.iqr,
    }


def study_document(figures: StudyFigures) -> dict[str, Any]:
    """The figures as the API returns them: numbers as floats (scores and shares on 0–1)."""
    return {
        "rule": {
            "text": THEME_RULE % THEME_RULE_PARAMS,
            "min_measures": MIN_MEASURES,
            "min_ranked_themes": MIN_RANKED_THEMES,
            "top_share": float(TOP_SHARE),
            "counted": "settled codings of visible contributions; participants who agreed to research use",
        },
        "classified": figures.classified,
        "coded_items": figures.coded_items,
        "workshops": [
            {
                "code": w.workshop.code,
                "title": w.workshop.title,
                "region": w.workshop.region,
                "sector": w.workshop.sector,
                "held_on": w.workshop.held_on.isoformat() if w.workshop.held_on else None,
                "language": w.workshop.language,
                "participants": w.participants,
                "groups": [{"key": key, "participants": count} for key, count in w.by_group.items()],
                "contributions": dict(w.by_kind),
                "measures": w.measures,
                "dots": w.dots,
                "top_measures": [
                    {
                        "item_id": line.item.id,
                        "text": line.item.text,
                        "rank": line.figures.rank,
                        "score": _number(line.figures.score),
                        "dots": line.figures.dots,
                        "raters": line.figures.raters,
                        "criteria": {
                            key: None if summary is None else _summary(summary)
                            for key, summary in line.figures.criteria.items()
                        },
                    }
                    for line in w.top
                ],
                "criteria": [{"key": c.key, **_summary(c.summary)} for c in w.criteria],
                "ranked_themes": w.ranked_themes,
                "top_cut": w.top_cut,
            }
            for w in figures.workshops
        ],
        "themes": [
            {
                "id": row.theme.id,
                "key": row.theme.key,
                "label_de": row.theme.label_de,
                "label_en": row.theme.label_en,
                "verdict": row.verdict,
                "cells": [
                    {
                        "workshop": w.workshop.code,
                        "items": cell.items,
                        "measures": cell.measures,
                        "mean_score": _number(cell.mean_score),
                        "dots": cell.dots,
                        "dot_share": _number(cell.dot_share),
                        "rank": cell.rank,
                        "top": cell.top,
                    }
                    for w, cell in zip(figures.workshops, row.cells, strict=True)
                ],
            }
            for row in figures.themes
        ],
    }
