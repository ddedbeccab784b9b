"""A study's comparison: the figures of a small study worked out by hand, the theme rule's ties
and minimums, and the same figures recomputed with pandas from the raw rows."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from backcast.analysis.data import load_workshop
from backcast.analysis.study import ThemeCell, study_document, verdict
from backcast.db import Database
from backcast.queries.study import study_results
from backcast.services import coding, studies
from backcast.services.errors import NotAllowed
from tests import factories
from tests.study_scenario import larger_study, small_study


def test_a_small_study_s_figures_are_the_ones_worked_out_by_hand(db: Database) -> None:
    """Runs on SQLite and PostgreSQL."""
    s = small_study(db)
    figures = study_results(db, s.researcher, s.study.id).figures
    bremen, oldenburg = figures.workshops
    assert [w.workshop.title for w in figures.workshops] == ["Bremen", "Oldenburg"]

    assert (bremen.participants, bremen.by_group) == (2, {"sme": 1, "research": 1})
    assert bremen.by_kind == {"vision": 0, "milestone": 1, "need": 0, "measure": 7}  # hidden one left out
    assert (bremen.measures, bremen.dots) == (7, 3)
    # The top measures: 5, 5 (score 3/4, the one with dots first), then 4 (5/8).
    assert [(line.item.id, line.figures.rank, line.figures.score) for line in bremen.top[:3]] == [
        (s.measures["bremen"][1].id, 1, Fraction(3, 4)),
        (s.measures["bremen"][0].id, 2, Fraction(3, 4)),
        (s.measures["bremen"][6].id, 3, Fraction(5, 8)),
    ]
    assert len(bremen.top) == 5
    # Impact, every value over the rated measures: 1 2 3 3 4 5 5. Q1 at h = 1.5 is 2.5, Q3 at 4.5 is 4.5.
    impact = bremen.criteria[0].summary
    assert (impact.n, impact.exact_mean, impact.q1, impact.q3, impact.iqr) == (
        7,
        Fraction(23, 7),
        2.5,
        4.5,
        2.0,
    )
    assert (bremen.criteria[1].summary.n, bremen.criteria[1].summary.iqr) == (7, 0.0)

    energy, mobility, education, housing = figures.themes
    b, o = 0, 1
    # Bremen: energy 3/4 (n 2, 2 of 3 dots; the hidden measure is left out), mobility (3/4 + 1/4)/2,
    # education (1/2 + 1/2)/2, housing one measure only (not ranked) plus the milestone.
    assert (energy.cells[b].items, energy.cells[b].measures, energy.cells[b].mean_score) == (
        2,
        2,
        Fraction(3, 4),
    )
    assert (energy.cells[b].dots, energy.cells[b].dot_share) == (2, Fraction(2, 3))
    assert mobility.cells[b].mean_score == Fraction(1, 2) and mobility.cells[b].dot_share == Fraction(2, 3)
    assert education.cells[b].mean_score == Fraction(1, 2) and education.cells[b].dot_share == Fraction(1, 3)
    assert (housing.cells[b].items, housing.cells[b].measures, housing.cells[b].rank) == (2, 1, None)
    # Three ranked themes: the top third is rank ≤ 1; mobility and education tie at rank 2.
    assert [row.cells[b].rank for row in figures.themes] == [1, 2, 2, None]
    assert [row.cells[b].top for row in figures.themes] == [True, False, False, False]
    assert bremen.top_cut == 1 and bremen.ranked_themes == 3
    # Oldenburg: energy 5/8, mobility 3/8, housing (6/8 + 4/8)/2 = 5/8 ties energy at rank 1,
    # education has one measure only. No dots were given: no shares.
    assert [row.cells[o].mean_score for row in figures.themes] == [
        Fraction(5, 8),
        Fraction(3, 8),
        Fraction(1, 4),
        Fraction(5, 8),
    ]
    assert [row.cells[o].rank for row in figures.themes] == [1, 3, None, 1]
    assert [row.cells[o].top for row in figures.themes] == [True, False, False, True]
    assert oldenburg.dots == 0 and energy.cells[o].dot_share is None

    assert figures.classified
    assert [row.verdict for row in figures.themes] == ["robust", None, None, "specific"]
    assert figures.coded_items == 6 + 1 + 7  # Bremen's six measures and milestone, Oldenburg's seven

    document = study_document(figures)
    assert document["themes"][0]["cells"][0] == {
        "workshop": s.bremen.code,
        "items": 2,
        "measures": 2,
        "mean_score": 0.75,
        "dots": 2,
        "dot_share": pytest.approx(2 / 3),
        "rank": 1,
        "top": True,
    }
    assert "top third" in document["rule"]["text"] and document["rule"]["min_measures"] == 2


def test_the_theme_rule_at_its_edges() -> None:
    def cell(rank: int | None, top: bool) -> ThemeCell:
        return ThemeCell(
            items=2, measures=2, mean_score=Fraction(1, 2), dots=0, dot_share=None, rank=rank, top=top
        )

    # Top in the only workshop that ranks it: region-specific, not robust (robust needs two).
    assert verdict([cell(1, True), cell(None, False)]) == "specific"
    assert verdict([cell(1, True), cell(1, True), cell(None, False)]) == "robust"
    assert verdict([cell(1, True), cell(1, True), cell(4, False)]) is None
    assert verdict([cell(1, True), cell(4, False), cell(4, False)]) == "specific"
    assert verdict([cell(None, False), cell(None, False)]) is None


def test_a_study_with_one_ranking_workshop_names_no_robust_or_specific_theme(db: Database) -> None:
    s = small_study(db)
    studies.detach_workshop(db, s.owner, s.oldenburg.code)
    figures = study_results(db, s.owner, s.study.id).figures
    assert not figures.classified
    assert [row.verdict for row in figures.themes] == [None] * 4


def test_only_members_read_the_comparison(db: Database) -> None:
    s = small_study(db)
    stranger = factories.facilitator(db)
    with pytest.raises(NotAllowed):
        study_results(db, stranger, s.study.id)
    with pytest.raises(NotAllowed):
        study_results(db, s.owner, 999999)


def test_the_figures_recomputed_with_pandas_from_the_raw_rows_match(db: Database) -> None:
    s = larger_study(db)
    document = study_document(study_results(db, s.researcher, s.study.id).figures)
    settled = coding.settled_themes(db, s.study.id)
    workshops = studies.study_view(db, s.owner, s.study.id).workshops
    assert [w["code"] for w in document["workshops"]] == [w.code for w in workshops]

    for index, workshop in enumerate(workshops):
        data = load_workshop(db, workshop)
        criteria = pd.DataFrame(
            [(c.id, c.key, c.scale_min, c.scale_max, c.weight, c.direction) for c in data.criteria],
            columns=["criterion_id", "key", "low", "high", "weight", "direction"],
        )
        shown = pd.DataFrame(
            [(i.id, i.kind, i.hidden or i.withdrawn or i.merged_into_id is not None) for i in data.items],
            columns=["item_id", "kind", "gone"],
        )
        counted = set(shown.loc[(shown["kind"] == "measure") & ~shown["gone"], "item_id"])
        given = pd.DataFrame(
            data.ratings, columns=["participant", "item_id", "criterion_id", "value", "a", "b"]
        )
        given = given[given["item_id"].isin(counted)].merge(criteria, on="criterion_id")
        dots = pd.DataFrame(data.dots, columns=["participant", "item_id", "count", "at"])
        dots = dots[dots["item_id"].isin(counted)]
        mine = document["workshops"][index]

        values = given.dropna(subset=["value"])
        for line in mine["criteria"]:
            column = values.loc[values["key"] == line["key"], "value"].astype(float)
            assert line["n"] == len(column)
            assert line["mean"] == pytest.approx(column.mean(), abs=1e-9)
            assert line["iqr"] == pytest.approx(column.quantile(0.75) - column.quantile(0.25), abs=1e-9)

        means = values.groupby(["item_id", "key"])["value"].mean().unstack()
        score = pd.Series(0.0, index=means.index)
        weights = pd.Series(0.0, index=means.index)
        for _, spec in criteria.iterrows():
            share = (means[spec["key"]] - spec["low"]) / (spec["high"] - spec["low"])
            share = 1 - share if spec["direction"] == "lower" else share
            score = score.add((spec["weight"] * share).fillna(0), fill_value=0)
            weights = weights.add(share.notna() * spec["weight"], fill_value=0)
        score = score / weights
        for line in mine["top_measures"]:
            assert line["score"] == pytest.approx(score[line["item_id"]], abs=1e-9)
        best = sorted(score.values, reverse=True)[: len(mine["top_measures"])]
        assert [line["score"] for line in mine["top_measures"]] == pytest.approx(best, abs=1e-9)

        coded = pd.DataFrame(
            [(item, theme) for item, themes in settled.items() for theme in themes],
            columns=["item_id", "theme"],
        )
        standing = set(shown.loc[~shown["gone"], "item_id"])
        coded = coded[coded["item_id"].isin(standing)]
        dot_total = dots["count"].sum()
        for row in document["themes"]:
            cell = row["cells"][index]
            with_theme = set(coded.loc[coded["theme"] == row["id"], "item_id"])
            scored = score[score.index.isin(with_theme)]
            assert cell["items"] == len(with_theme)
            assert cell["measures"] == len(scored)
            if len(scored):
                assert cell["mean_score"] == pytest.approx(scored.mean(), abs=1e-9)
            else:
                assert cell["mean_score"] is None
            theme_dots = dots.loc[dots["item_id"].isin(with_theme), "count"].sum()
            assert cell["dots"] == theme_dots
            if dot_total:
                assert cell["dot_share"] == pytest.approx(theme_dots / dot_total, abs=1e-9)
        # The ranks and the top third, from the means recomputed above.
        ranked = {
            row["id"]: row["cells"][index]["mean_score"]
            for row in document["themes"]
            if row["cells"][index]["measures"] >= 2
        }
        if len(ranked) >= 3:
            cut = -(-len(ranked) // 3)
            for row in document["themes"]:
                if row["id"] in ranked:
                    rank = 1 + sum(other > ranked[row["id"]] + 1e-12 for other in ranked.values())
                    assert row["cells"][index]["rank"] == rank
                    assert row["cells"][index]["top"] == (rank <= cut)
