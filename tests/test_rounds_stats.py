"""Convergence and stability across rating rounds: each figure a researcher reads off the rounds
(n, median, IQR and consensus per round; median shift, IQR change, changed answers and consensus
change between rounds; Kendall's W with its χ² test; Spearman's rho and Kendall's tau-b of the
medians) agrees with SciPy, with its definition and with hand-computed and published cases."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from backcast.analysis.rounds import (
    RESULTS_ROUNDS_COLUMNS,
    Answer,
    ConsensusRule,
    average_ranks,
    chi2_sf,
    concordance,
    kendall_w,
    rank_correlation,
    results_rounds_rows,
    round_figures,
)
from backcast.analysis.stats import summarise
from backcast.export.schema import RESULTS_ROUNDS, TABLES
from backcast.i18n import translate

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Scale:
    key: str
    scale_min: int = 1
    scale_max: int = 5
    direction: str = "higher"


IMPACT, COST = Scale("impact"), Scale("cost", direction="lower")


def w_by_definition(matrix: np.ndarray) -> float:
    """Kendall's W from its definition with the tie correction (Siegel & Castellan 1988, 9.16):
    rows are raters, columns items."""
    m, n = matrix.shape
    ranks = np.apply_along_axis(scipy_stats.rankdata, 1, matrix)
    sums = ranks.sum(axis=0)
    s = ((sums - m * (n + 1) / 2) ** 2).sum()
    ties = sum(sum(t**3 - t for t in np.unique(row, return_counts=True)[1]) for row in matrix)
    return float(12 * s / (m**2 * (n**3 - n) - m * ties))


# Kendall's W -----------------------------------------------------------------------------------


def test_w_of_a_published_example_without_ties() -> None:
    # Four raters rank the strawberries of eight farms (influentialpoints.com, "Kendall coefficient
    # of concordance", worked example I): rank sums 31 12 12 15 22 5 22 25, SS 500,
    # W = 500 / (504 · 16 / 12) = 0.744, χ² = k (N − 1) W = 20.83.
    rankings = [
        [8, 4, 2, 3, 5, 1, 6, 7],
        [7, 3, 1, 4, 5, 2, 6, 8],
        [8, 2, 5, 6, 7, 1, 4, 3],
        [8, 3, 4, 2, 5, 1, 6, 7],
    ]
    found = kendall_w(rankings)

    assert found.w == pytest.approx(500 / 672, rel=1e-12)
    assert round(found.w, 3) == 0.744
    assert round(found.chi2, 2) == 20.83
    assert found.df == 7
    assert found.p_value == pytest.approx(scipy_stats.chi2.sf(4 * 7 * 500 / 672, 7), rel=1e-10)
    assert found.ties == 0


def test_w_with_ties_by_hand_and_the_correction_matters() -> None:
    # A ranks 1 2 3 4; B ranks 2 1 3 4; C gives 1 1 3 3, ranks 1.5 1.5 3.5 3.5 (two pairs tied,
    # T = 2 · (2³ − 2) = 12). Rank sums 4.5 4.5 9.5 11.5 around the mean 7.5: S = 9 + 9 + 4 + 16
    # = 38. W = 12 · 38 / (3² · (4³ − 4) − 3 · 12) = 456 / 504 = 19/21 (uncorrected: 456 / 540).
    found = kendall_w([[1, 2, 3, 4], [2, 1, 3, 4], [1, 1, 3, 3]])

    assert found.ties == 12
    assert found.w == pytest.approx(19 / 21, rel=1e-15)
    assert found.w != pytest.approx(456 / 540)
    assert found.chi2 == pytest.approx(57 / 7, rel=1e-15)  # m (n − 1) W = 3 · 3 · 19/21
    assert found.df == 3
    assert found.p_value == pytest.approx(scipy_stats.chi2.sf(57 / 7, 3), rel=1e-10)


@pytest.mark.parametrize("seed", range(12))
def test_w_matches_its_definition_and_friedmans_test_on_ratings_with_ties(seed: int) -> None:
    generator = np.random.default_rng(seed)
    m, n = int(generator.integers(2, 12)), int(generator.integers(3, 15))
    matrix = generator.integers(1, 6, size=(m, n))  # a 1-5 scale: ties on every row
    found = kendall_w(matrix.tolist())
    # Friedman's χ² with its tie correction is m (n − 1) W; SciPy takes one sample per item.
    friedman = scipy_stats.friedmanchisquare(*matrix.T)

    assert found.w == pytest.approx(w_by_definition(matrix), rel=1e-12)
    assert found.chi2 == pytest.approx(friedman.statistic, rel=1e-12)
    assert found.p_value == pytest.approx(friedman.pvalue, rel=1e-9)
    assert found.df == n - 1


@pytest.mark.parametrize("seed", range(6))
def test_w_relates_to_spearmans_rho_between_raters(seed: int) -> None:
    generator = np.random.default_rng(seed)
    m, n = 5, 9
    rankings = np.array([generator.permutation(n) + 1 for _ in range(m)])
    w = kendall_w(rankings.tolist()).w
    pairs = [scipy_stats.spearmanr(a, b).statistic for a, b in itertools.combinations(rankings, 2)]
    two = kendall_w(rankings[:2].tolist()).w

    # Without ties the mean Spearman rho over pairs of raters is (m W − 1) / (m − 1), and W of
    # two raters is (1 + rho) / 2 (Kendall & Babington Smith 1939).
    assert np.mean(pairs) == pytest.approx((m * w - 1) / (m - 1), rel=1e-12)
    assert two == pytest.approx((1 + pairs[0]) / 2, rel=1e-12)


def test_w_is_one_when_everyone_ranks_alike_and_undefined_without_rankings() -> None:
    assert kendall_w([[1, 2, 3], [1, 2, 3], [2, 4, 5]]).w == pytest.approx(1.0)
    # One participant ranks nothing against anyone; one item is no ranking; all-equal answers
    # rank nothing either: W would be 0/0.
    assert kendall_w([[1, 2, 3]]).w is None
    assert kendall_w([[1], [2]]).w is None
    assert kendall_w([[3, 3, 3], [2, 2, 2]]).w is None
    assert kendall_w([[3, 3, 3], [2, 2, 2]]).chi2 is None
    assert kendall_w([]).m == 0


def test_w_leaves_out_who_skipped_an_item_and_items_nobody_rated() -> None:
    cells = {
        (1, "impact"): {"a": 1, "b": 2, "c": 1, "d": 5},
        (2, "impact"): {"a": 3, "b": 3, "c": None, "d": 4},  # c can't judge item 2
        (3, "impact"): {"a": 5, "b": 4, "c": 4},  # d skipped item 3
        (4, "impact"): {"a": None},  # nobody gave item 4 a value
    }
    found = concordance(cells, [1, 2, 3, 4], "impact")

    assert (found.m, found.n, found.m_left_out) == (2, 3, 2)
    assert found.w == pytest.approx(w_by_definition(np.array([[1, 3, 5], [2, 3, 4]])), rel=1e-12)


# The χ² tail -----------------------------------------------------------------------------------


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 7, 10, 19, 20, 41, 80])
def test_the_chi_square_tail_matches_scipy(df: int) -> None:
    for x in (1e-6, 0.1, 0.5, 1.0, df / 2, df - 0.5, float(df), df + 3.0, 2.0 * df, 5.0 * df + 40, 300.0):
        assert chi2_sf(x, df) == pytest.approx(scipy_stats.chi2.sf(x, df), rel=1e-10, abs=1e-300), (x, df)
    assert chi2_sf(0.0, df) == 1.0


# Rank stability between rounds -----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(10))
def test_spearman_and_kendall_tau_b_of_medians_match_scipy(seed: int) -> None:
    generator = np.random.default_rng(seed)
    n = int(generator.integers(3, 20))
    # Medians of 1-5 ratings are halves and tie a lot.
    first = generator.integers(2, 11, size=n) / 2
    second = np.clip(first + generator.integers(-2, 3, size=n) / 2, 1, 5)
    found = rank_correlation(list(zip(first.tolist(), second.tolist(), strict=True)))

    assert found.n == n
    assert found.rho == pytest.approx(scipy_stats.spearmanr(first, second).statistic, rel=1e-12)
    assert found.tau_b == pytest.approx(scipy_stats.kendalltau(first, second).statistic, rel=1e-12)


def test_rank_stability_of_a_hand_computed_case_and_where_it_is_undefined() -> None:
    # Medians 1, 2, 3 then 1, 3, 2: ranks 1 2 3 and 1 3 2, Σd² = 2, rho = 1 − 6·2 / (3·8) = 0.5;
    # pairs: (1,2) concordant, (1,3) concordant, (2,3) discordant, tau = (2 − 1) / 3.
    found = rank_correlation([(1, 1), (2, 3), (3, 2)])
    assert found.rho == pytest.approx(0.5)
    assert found.tau_b == pytest.approx(1 / 3)

    assert rank_correlation([(1, 2)]).rho is None
    all_equal = rank_correlation([(3, 1), (3, 2), (3, 4)])
    assert all_equal.rho is None and all_equal.tau_b is None


def test_average_ranks_share_the_ranks_they_span() -> None:
    assert average_ranks([3, 1, 3, 2, 3]) == [4, 1, 4, 2, 4]
    assert average_ranks([2, 2]) == [Fraction(3, 2)] * 2
    assert [float(rank) for rank in average_ranks([5, 1, 5, 1])] == scipy_stats.rankdata(
        [5, 1, 5, 1]
    ).tolist()


# The consensus rule ----------------------------------------------------------------------------


def test_the_default_rule_is_todays_consensus_on_every_set_of_answers() -> None:
    rule = ConsensusRule()
    for size in range(0, 7):
        for values in itertools.combinations_with_replacement(range(1, 6), size):
            assert rule.decide(values, IMPACT).reached == summarise(values, 1, 5).consensus, values
    assert rule.decide([0, 10, 5], Scale("wide", 0, 10)).reached is False
    assert rule.decide([4, 6, 5, 5], Scale("wide", 0, 10)).reached is True  # IQR 0.5 ≤ 2.5


def test_the_iqr_rule_scales_with_its_share() -> None:
    values = [1, 2, 3, 3, 4]  # q1 2, q3 3: IQR 1
    assert ConsensusRule(iqr_share=Fraction(1, 4)).decide(values, IMPACT).reached
    assert not ConsensusRule(iqr_share=Fraction(1, 5)).decide(values, IMPACT).reached  # ≤ 0.8
    assert not ConsensusRule().decide([3, 3], IMPACT).reached  # fewer than 3 values
    assert not ConsensusRule().decide([3, 3, None, None], IMPACT).reached  # can't judge is no value


def test_agreement_counts_the_top_or_bottom_k_categories_by_direction() -> None:
    rule = ConsensusRule(kind="agreement", top_k=2, threshold=Fraction(3, 4))
    high = [5, 4, 4, 5, 2, None]  # 4 of 5 values in 4-5: 80 %
    found = rule.decide(high, IMPACT)
    assert found.reached and found.side == "top"
    assert (found.top_share, found.bottom_share) == (Fraction(4, 5), Fraction(1, 5))
    # On cost, lower is better: the same values lie at the worse end.
    on_cost = rule.decide(high, COST)
    assert on_cost.reached and on_cost.side == "bottom"
    assert on_cost.top_share == Fraction(1, 5)
    # 3 of 5 in one place is not 75 %; a split room is no consensus.
    assert not rule.decide([5, 5, 4, 1, 3], IMPACT).reached
    assert not ConsensusRule(kind="agreement", threshold=Fraction(1, 2)).decide([1, 1, 5, 5], IMPACT).reached
    assert not rule.decide([5, 5], IMPACT).reached  # fewer than 3 values
    assert not rule.decide([None, None], IMPACT).reached


def test_a_threshold_stored_as_a_float_is_met_exactly() -> None:
    rule = ConsensusRule.of("agreement", top_k=1, threshold=0.8)
    assert rule.threshold == Fraction(4, 5)
    assert rule.decide([5, 5, 5, 5, 1], IMPACT).reached  # exactly 80 %
    assert ConsensusRule.of("iqr", iqr_share=0.25) == ConsensusRule()
    with pytest.raises(ValueError):
        ConsensusRule.of("vote")


def test_a_rule_refuses_what_it_cannot_judge() -> None:
    with pytest.raises(ValueError):
        ConsensusRule(kind="agreement", top_k=0)
    with pytest.raises(ValueError):
        ConsensusRule(threshold=Fraction(3, 2))
    overlapping = ConsensusRule(kind="agreement", top_k=3)
    assert not overlapping.fits(1, 5)
    with pytest.raises(ValueError):
        overlapping.decide([1, 2, 3], IMPACT)


def test_the_rule_in_words_in_english_and_german() -> None:
    assert ConsensusRule().describe("en") == (
        "Consensus: at least 3 values, with an interquartile range of at most 25% of the scale's "
        "range (1 on a scale of 1 to 5)."
    )
    german = ConsensusRule(iqr_share=Fraction(1, 5)).describe("de")
    assert german.startswith("Konsens: mindestens 3 Werte")
    assert "20\u00a0%" in german and "0,8" in german

    agreement = ConsensusRule(kind="agreement", top_k=2, threshold=Fraction(3, 4))
    assert "at least 75% lie in the top 2 categories" in agreement.describe("en")
    assert "75\u00a0%" in agreement.describe("de") and "2 obersten Kategorien" in agreement.describe("de")
    one = ConsensusRule(kind="agreement", top_k=1, threshold=Fraction(2, 3))
    assert "66.7%" in one.describe("en") and "top category" in one.describe("en")
    assert "obersten Kategorie" in one.describe("de")


def test_the_rule_states_itself_for_the_exports_provenance() -> None:
    assert ConsensusRule().provenance() == {
        "kind": "iqr",
        "min_n": 3,
        "iqr_share": 0.25,
        "top_k": None,
        "threshold": None,
        "text": {"de": ConsensusRule().describe("de"), "en": ConsensusRule().describe("en")},
    }
    agreement = ConsensusRule.of("agreement", top_k=2, threshold=0.75).provenance()
    assert (agreement["iqr_share"], agreement["top_k"], agreement["threshold"]) == (None, 2, 0.75)


# Figures per item, criterion and round ---------------------------------------------------------


def two_rounds() -> dict[int, list[Answer]]:
    round_1 = [
        Answer("a", 1, "impact", 1),
        Answer("b", 1, "impact", 3),
        Answer("c", 1, "impact", 5),
        Answer("d", 1, "impact", None),
        Answer("a", 2, "impact", 4),
        Answer("b", 2, "impact", 4),
        Answer("c", 2, "impact", 5),
        Answer("a", 9, "impact", 2),  # an item no longer up for rating
    ]
    round_2 = [
        Answer("a", 1, "impact", 3),  # moved to the group
        Answer("b", 1, "impact", 3),
        Answer("c", 1, "impact", 4),  # moved too
        Answer("d", 1, "impact", 3),  # could judge after all: a change
        Answer("e", 1, "impact", 3),  # new in round 2: not in the change share
        Answer("a", 2, "impact", 4),
        Answer("b", 2, "impact", 1),
        Answer("c", 2, "impact", 5),
    ]
    return {1: round_1, 2: round_2}


def test_each_round_has_its_statistics_and_the_changes_since_the_round_before() -> None:
    figures = round_figures(two_rounds(), [1, 2, 3], [IMPACT])
    by = {(row.round, row.item): row for row in figures.items}

    first = by[1, 1]
    assert (first.summary.n, first.summary.n_cant_judge, first.summary.median, first.summary.iqr) == (
        3,
        1,
        3,
        2,
    )
    assert not first.consensus.reached
    assert first.median_shift is None and first.consensus_change is None and first.changed_share is None

    item_1 = by[2, 1]  # 3 3 4 3 3: median 3, IQR 0
    assert (item_1.summary.n, item_1.summary.median, item_1.summary.iqr) == (5, 3, 0)
    assert item_1.median_shift == 0 and item_1.iqr_change == -2
    assert (item_1.n_answered_both, item_1.n_changed) == (4, 3)
    assert item_1.changed_share == 3 / 4
    assert item_1.consensus_change == "gained"

    item_2 = by[2, 2]  # 4 4 5 then 4 1 5: IQR 0.5 then 2
    assert item_2.median_shift == 0 and item_2.iqr_change == pytest.approx(1.5)
    assert item_2.changed_share == pytest.approx(1 / 3)
    assert item_2.consensus_change == "lost"

    nobody = by[2, 3]  # an item nobody rated
    assert (nobody.summary.n, nobody.summary.median, nobody.consensus.reached) == (0, None, False)
    assert nobody.median_shift is None and nobody.changed_share is None
    assert nobody.consensus_change == "none"
    assert all(row.item != 9 for row in figures.items)


def test_consensus_kept_and_rank_stability_per_criterion() -> None:
    rounds = {
        1: [Answer(who, item, "impact", value) for who in "abc" for item, value in ((1, 5), (2, 3), (3, 1))],
        2: [Answer(who, item, "impact", value) for who in "abc" for item, value in ((1, 5), (2, 1), (3, 3))],
    }
    figures = round_figures(rounds, [1, 2, 3], [IMPACT])
    assert {row.consensus_change for row in figures.items if row.round == 2} == {"kept"}
    shifts = {row.item: row.median_shift for row in figures.items if row.round == 2}
    assert shifts == {1: 0, 2: -2, 3: 2}
    second = next(row for row in figures.criteria if row.round == 2)
    assert second.concordance.w == pytest.approx(1.0)
    assert second.stability is not None
    assert (second.stability.n, second.stability.rho) == (3, pytest.approx(0.5))
    assert next(row for row in figures.criteria if row.round == 1).stability is None


def test_one_participant_gives_statistics_but_no_agreement() -> None:
    rounds = {1: [Answer("a", 1, "impact", 4), Answer("a", 2, "impact", 2)]}
    figures = round_figures(rounds, [1, 2], [IMPACT])
    assert [row.summary.median for row in figures.items] == [4, 2]
    assert figures.criteria[0].concordance.m == 1
    assert figures.criteria[0].concordance.w is None


def test_an_answer_twice_in_a_round_is_refused() -> None:
    with pytest.raises(ValueError):
        round_figures({1: [Answer("a", 1, "impact", 4), Answer("a", 1, "impact", 2)]}, [1], [IMPACT])


def test_medians_and_quartiles_agree_with_pandas() -> None:
    generator = np.random.default_rng(7)
    answers = [
        Answer(f"p{who}", item, "impact", int(generator.integers(1, 6)))
        for who in range(9)
        for item in range(1, 6)
        if generator.random() > 0.2
    ]
    figures = round_figures({1: answers}, [1, 2, 3, 4, 5], [IMPACT])
    frame = pd.DataFrame(answers)
    grouped = frame.groupby("item")["value"]
    for row in figures.items:
        values = grouped.get_group(row.item)
        assert row.summary.median == pytest.approx(values.median())
        assert row.summary.iqr == pytest.approx(values.quantile(0.75) - values.quantile(0.25))


# The export table ------------------------------------------------------------------------------


def test_results_rounds_rows_keep_the_columns_of_the_codebook_and_unrounded_floats() -> None:
    figures = round_figures(two_rounds(), [1, 2, 3], [IMPACT, COST])
    rows = results_rounds_rows(figures)

    assert RESULTS_ROUNDS.header == list(RESULTS_ROUNDS_COLUMNS)
    assert all(list(row) == RESULTS_ROUNDS.header for row in rows)
    # Per round and criterion: one criterion row, then one row per item.
    assert [(row["level"], row["round"], row["criterion"], row["item_id"]) for row in rows[:5]] == [
        ("criterion", 1, "impact", None),
        ("item", 1, "impact", 1),
        ("item", 1, "impact", 2),
        ("item", 1, "impact", 3),
        ("criterion", 1, "cost", None),
    ]
    assert len(rows) == 2 * 2 * (1 + 3)
    item_2 = next(
        row for row in rows if row["round"] == 2 and row["item_id"] == 2 and row["criterion"] == "impact"
    )
    assert item_2["changed_share"] == 1 / 3  # not rounded
    assert item_2["consensus_change"] == "lost"
    assert item_2["kendall_w"] is None
    criterion = next(row for row in rows if row["round"] == 2 and row["level"] == "criterion")
    assert criterion["spearman_rho"] is not None and criterion["stability_n"] == 2
    for column in RESULTS_ROUNDS.columns:
        if column.enum:
            assert {row[column.name] for row in rows} - {None} <= set(column.enum), column.name


def test_the_codebook_of_results_rounds_is_in_the_docs_and_in_german() -> None:
    text = (ROOT / "docs" / "results.md").read_text()
    section = text.split("#### Columns of `results_rounds`", 1)[1].split("\n#", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \| (\w+) \| (.*) \|$", section, flags=re.M)
    assert [(name, kind) for name, kind, _ in documented] == [
        (column.name, column.type) for column in RESULTS_ROUNDS.columns
    ]
    assert "results_rounds" not in TABLES  # not exported yet: the export adds it with the rounds
    for column in (*RESULTS_ROUNDS.columns, RESULTS_ROUNDS):
        assert translate(column.description, "de") != column.description, column.description


def test_the_round_figures_are_defined_in_the_docs() -> None:
    text = (ROOT / "docs" / "results.md").read_text()
    section = text.split("## Rounds", 1)[1].split("\n## ", 1)[0]
    for words in (
        "Kendall",
        "Babington Smith",
        "Siegel",
        "Spearman",
        "von der Gracht",
        "Diamond",
        "Niederberger",
    ):
        assert words in section, words
