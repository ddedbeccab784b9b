"""Convergence and stability across rating rounds (Delphi): the figures of docs/results.md#rounds.

Everything here works on answers it is handed, so that the API, the screen and the export all
compute from the same rows: per round a list of `Answer`s, the items up for rating and the
criteria. Statistics of one item on one criterion come from `stats.summarise`, so the rounds use
the one definition of quantiles that every other result uses.

Ratings are whole numbers and ranks are multiples of one half, so Kendall's W, its χ² and the
consensus decisions are computed with exact fractions; only the reported figures become floats.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, NamedTuple

from babel.numbers import format_decimal, format_percent

from backcast.analysis.stats import CONSENSUS_IQR_SHARE, CONSENSUS_MIN_N, RatedScale, Summary, summarise
from backcast.enums import Direction
from backcast.i18n import N_, N_plural, available_languages, format_locale, translate

RuleKind = Literal["iqr", "agreement"]
ConsensusChange = Literal["gained", "lost", "kept", "none"]
Side = Literal["top", "bottom"]

# A common threshold of percentage agreement in Delphi studies (Diamond et al. 2014).
AGREEMENT_THRESHOLD = Fraction(3, 4)


class Answer(NamedTuple):
    """One participant's answer in one round: a value, or None for "can't judge"."""

    participant: str
    item: int
    criterion: str
    value: int | None


def _exact(share: Fraction | float) -> Fraction:
    """A share as stored (a float column) as the fraction it stands for: 0.8 is 4/5, not the
    double nearest to it, so that an agreement of exactly 80 % meets an 80 % threshold."""
    return share if isinstance(share, Fraction) else Fraction(share).limit_denominator(10_000)


@dataclass(frozen=True)
class Consensus:
    """Whether a set of values reaches consensus under a rule, and the figures it was judged by."""

    reached: bool
    n: int
    iqr: Fraction | None
    # Agreement rule only: shares of the values in the top and bottom k categories, and which side
    # reached the threshold.
    top_share: Fraction | None = None
    bottom_share: Fraction | None = None
    side: Side | None = None


@dataclass(frozen=True)
class ConsensusRule:
    """The consensus rule a workshop fixes before round 1.

    `iqr`: the interquartile range is at most `iqr_share` of the scale's range (today's rule: a
    quarter, so 1 on a 1-5 scale). `agreement`: at least `threshold` of the values lie in the top
    `top_k` categories or in the bottom `top_k`, "top" being the better end by the criterion's
    direction. Both need at least `min_n` values: one answer alone agrees with itself.
    """

    kind: RuleKind = "iqr"
    iqr_share: Fraction = CONSENSUS_IQR_SHARE
    top_k: int = 1
    threshold: Fraction = AGREEMENT_THRESHOLD
    min_n: int = CONSENSUS_MIN_N

    def __post_init__(self) -> None:
        if self.kind not in ("iqr", "agreement"):
            raise ValueError(f"unknown consensus rule {self.kind!r}")
        if not 0 < self.iqr_share <= 1:
            raise ValueError("the IQR share lies in (0, 1]")
        if self.top_k < 1:
            raise ValueError("k is at least 1")
        if not 0 < self.threshold <= 1:
            raise ValueError("the agreement threshold lies in (0, 1]")
        if self.min_n < 1:
            raise ValueError("the least n is at least 1")

    @classmethod
    def of(
        cls,
        kind: str,
        iqr_share: float | Fraction | None = None,
        top_k: int | None = None,
        threshold: float | Fraction | None = None,
    ) -> ConsensusRule:
        """The rule from a workshop's settings (`consensus_rule`, `consensus_iqr_share`,
        `consensus_top_k`, `consensus_threshold`); an empty setting takes the default."""
        if kind not in ("iqr", "agreement"):
            raise ValueError(f"unknown consensus rule {kind!r}")
        return cls(
            kind="iqr" if kind == "iqr" else "agreement",
            iqr_share=CONSENSUS_IQR_SHARE if iqr_share is None else _exact(iqr_share),
            top_k=1 if top_k is None else top_k,
            threshold=AGREEMENT_THRESHOLD if threshold is None else _exact(threshold),
        )

    def fits(self, scale_min: int, scale_max: int) -> bool:
        """Whether the rule can judge a scale: the top and bottom k categories must not overlap."""
        return self.kind == "iqr" or 2 * self.top_k <= scale_max - scale_min + 1

    def decide(self, values: Iterable[int | None], criterion: RatedScale) -> Consensus:
        """Consensus of one item's answers on one criterion; "can't judge" (None) is no value."""
        given = sorted(value for value in values if value is not None)
        return self._decide(given, summarise(given, criterion.scale_min, criterion.scale_max), criterion)

    def _decide(self, given: Sequence[int], summary: Summary, criterion: RatedScale) -> Consensus:
        n = len(given)
        iqr = None if summary.iqr is None else Fraction(summary.iqr)  # quarters: exact in a double
        if self.kind == "iqr":
            limit = (criterion.scale_max - criterion.scale_min) * self.iqr_share
            return Consensus(n >= self.min_n and iqr is not None and iqr <= limit, n, iqr)
        if not self.fits(criterion.scale_min, criterion.scale_max):
            raise ValueError(
                f"the top and bottom {self.top_k} categories overlap on the scale of {criterion.key}"
            )
        if n == 0:
            return Consensus(False, 0, iqr)
        high = sum(1 for value in given if value > criterion.scale_max - self.top_k)
        low = sum(1 for value in given if value < criterion.scale_min + self.top_k)
        # "Top" is the better end: the high values, or the low ones where lower is better.
        top, bottom = (low, high) if criterion.direction == Direction.lower else (high, low)
        top_share, bottom_share = Fraction(top, n), Fraction(bottom, n)
        sides: list[Side] = []
        if top_share >= self.threshold:
            sides.append("top")
        if bottom_share >= self.threshold:
            sides.append("bottom")
        # Both sides at once (possible only with a threshold of one half or less) is a split room.
        side = sides[0] if len(sides) == 1 else None
        return Consensus(n >= self.min_n and side is not None, n, iqr, top_share, bottom_share, side)

    def provenance(self) -> dict[str, Any]:
        """The rule as an export's provenance states it: its settings, and in words in every
        language. Settings that do not belong to the rule's kind are None."""
        agreement = self.kind == "agreement"
        return {
            "kind": self.kind,
            "min_n": self.min_n,
            "iqr_share": None if agreement else float(self.iqr_share),
            "top_k": self.top_k if agreement else None,
            "threshold": float(self.threshold) if agreement else None,
            "text": {language: self.describe(language) for language in available_languages()},
        }

    def describe(self, language: str) -> str:
        """The rule in words, as the set-up page, the report and the export's provenance state it."""
        locale = format_locale(language)
        if self.kind == "iqr":
            return translate(
                N_(
                    "Consensus: at least %(min_n)s values, with an interquartile range of at most "
                    "%(share)s of the scale's range (%(example)s on a scale of 1 to 5)."
                ),
                language,
                {
                    "min_n": self.min_n,
                    "share": _percent(self.iqr_share, language),
                    "example": format_decimal(_decimal(self.iqr_share * 4), locale=locale),
                },
            )
        if self.top_k == 1:
            message = N_(
                "Consensus: at least %(min_n)s values, of which at least %(threshold)s lie in the "
                "top category of the scale or at least %(threshold)s in the bottom one."
            )
        else:
            message = N_plural(
                "Consensus: at least %(min_n)s values, of which at least %(threshold)s lie in the "
                "top %(k)s category of the scale or at least %(threshold)s in the bottom %(k)s.",
                "Consensus: at least %(min_n)s values, of which at least %(threshold)s lie in the "
                "top %(k)s categories of the scale or at least %(threshold)s in the bottom %(k)s.",
                "k",
            )
        return translate(
            message,
            language,
            {"min_n": self.min_n, "threshold": _percent(self.threshold, language), "k": self.top_k},
        )


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.001")).normalize()


def _percent(share: Fraction, language: str) -> str:
    return format_percent(_decimal(share), locale=format_locale(language), decimal_quantization=False)


# Ranks, Kendall's W, Spearman's rho, Kendall's tau-b, the chi-square distribution ---------------


def average_ranks(values: Sequence[Fraction | int | float]) -> list[Fraction]:
    """Ranks from 1 by ascending value; tied values share the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks: list[Fraction] = [Fraction(0)] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = Fraction(start + end + 2, 2)  # mean of the ranks start+1 .. end+1
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def tie_term(values: Iterable[Fraction | int | float]) -> int:
    """Σ (t³ − t) over the groups of t tied values: the tie correction of W and of Spearman."""
    counts: dict[Fraction | int | float, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return sum(t**3 - t for t in counts.values())


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance of `m` participants ranking `n` items."""

    m: int  # participants whose rankings are included (complete cases)
    n: int  # items ranked
    m_left_out: int  # participants who gave a value in the round but not to every item
    ties: int  # Σ over participants of Σ (t³ − t)
    w: float | None  # None where undefined: m < 2, n < 2, or every ranking all tied
    chi2: float | None  # m (n − 1) W
    df: int | None  # n − 1
    p_value: float | None  # upper tail of χ² with df degrees of freedom


def kendall_w(rankings: Sequence[Sequence[int | float | Fraction]], m_left_out: int = 0) -> KendallW:
    """W of complete rankings: each row is one participant's values of the same n items, in the
    same order. Ties get average ranks and the tie-corrected denominator (Siegel & Castellan)."""
    m = len(rankings)
    n = len(rankings[0]) if rankings else 0
    if any(len(row) != n for row in rankings):
        raise ValueError("every participant ranks the same items")
    ranked = [average_ranks(row) for row in rankings]
    ties = sum(tie_term(row) for row in rankings)
    if m < 2 or n < 2:
        return KendallW(m, n, m_left_out, ties, None, None, None, None)
    sums = [sum((row[item] for row in ranked), Fraction(0)) for item in range(n)]
    mean = Fraction(m * (n + 1), 2)
    s = sum((total - mean) ** 2 for total in sums)
    denominator = m * m * (n**3 - n) - m * ties
    if denominator == 0:  # every participant gave every item the same value: no ranking at all
        return KendallW(m, n, m_left_out, ties, None, None, None, None)
    w = 12 * s / denominator
    chi2 = m * (n - 1) * w
    return KendallW(m, n, m_left_out, ties, float(w), float(chi2), n - 1, chi2_sf(float(chi2), n - 1))


def chi2_sf(x: float, df: int) -> float:
    """P(X ≥ x) for X ~ χ² with a whole number of degrees of freedom, in closed form: a Poisson
    sum for even df, the normal tail plus a finite sum for odd df (Abramowitz & Stegun 26.4.4-5).
    Terms are summed from their logarithms, so a large x gives a tiny p rather than 0 * inf."""
    if df < 1:
        raise ValueError("degrees of freedom are at least 1")
    if x <= 0:
        return 1.0
    half = x / 2
    if df % 2 == 0:
        terms = [math.exp(-half + k * math.log(half) - math.lgamma(k + 1)) for k in range(df // 2)]
        return min(1.0, math.fsum(terms))
    root = math.sqrt(x)
    # 2 φ(√x) x^(k − 1/2) / (2k − 1)!!, with (2k − 1)!! = (2k)! / (2^k k!)
    terms = [math.erfc(root / math.sqrt(2))]
    for k in range(1, (df - 1) // 2 + 1):
        log_double_factorial = math.lgamma(2 * k + 1) - k * math.log(2) - math.lgamma(k + 1)
        log_term = (
            math.log(2) - half - 0.5 * math.log(2 * math.pi) + (k - 0.5) * math.log(x) - log_double_factorial
        )
        terms.append(math.exp(log_term))
    return min(1.0, math.fsum(terms))


@dataclass(frozen=True)
class Correlation:
    n: int  # items with a median in both rounds
    rho: float | None  # Spearman: Pearson's r of the average ranks; None where undefined
    tau_b: float | None  # Kendall's tau-b, which allows for the many ties of medians


def rank_correlation(pairs: Sequence[tuple[float, float]]) -> Correlation:
    """How well the order of the items in one round keeps in the next: Spearman's rho and Kendall's
    tau-b of the pairs (earlier, later). Undefined below two pairs or when a side is all tied."""
    n = len(pairs)
    if n < 2:
        return Correlation(n, None, None)
    first = average_ranks([Fraction(a) for a, _ in pairs])
    second = average_ranks([Fraction(b) for _, b in pairs])
    mean = Fraction(n + 1, 2)
    sxy = sum((a - mean) * (b - mean) for a, b in zip(first, second, strict=True))
    sxx = sum((a - mean) ** 2 for a in first)
    syy = sum((b - mean) ** 2 for b in second)
    rho = None if sxx == 0 or syy == 0 else float(sxy) / math.sqrt(sxx * syy)
    concordant_minus_discordant = 0
    untied_first = untied_second = 0
    for i in range(n):
        for j in range(i + 1, n):
            da = (pairs[i][0] > pairs[j][0]) - (pairs[i][0] < pairs[j][0])
            db = (pairs[i][1] > pairs[j][1]) - (pairs[i][1] < pairs[j][1])
            concordant_minus_discordant += da * db
            untied_first += da != 0
            untied_second += db != 0
    tau = (
        None
        if untied_first == 0 or untied_second == 0
        else concordant_minus_discordant / math.sqrt(untied_first * untied_second)
    )
    return Correlation(n, rho, tau)


# Figures per item, criterion and round ---------------------------------------------------------


@dataclass(frozen=True)
class ItemRound:
    """One item on one criterion in one round, and how it moved since the round before."""

    round: int
    criterion: str
    item: int
    summary: Summary
    consensus: Consensus
    # Against the previous round; None in the first round (and where a median or IQR is missing).
    median_shift: float | None
    iqr_change: float | None
    n_answered_both: int | None  # participants who answered in both rounds ("can't judge" counts)
    n_changed: int | None  # of those, how many gave another answer
    consensus_change: ConsensusChange | None

    @property
    def changed_share(self) -> float | None:
        if not self.n_answered_both or self.n_changed is None:
            return None
        return self.n_changed / self.n_answered_both


@dataclass(frozen=True)
class CriterionRound:
    """One criterion in one round: agreement of the rankings, and stability since the round before."""

    round: int
    criterion: str
    concordance: KendallW
    stability: Correlation | None  # None in the first round


@dataclass(frozen=True)
class RoundFigures:
    rule: ConsensusRule
    items: list[ItemRound]
    criteria: list[CriterionRound]


def _answers_by_cell(
    answers: Iterable[Answer], items: set[int], criteria: set[str]
) -> dict[tuple[int, str], dict[str, int | None]]:
    cells: dict[tuple[int, str], dict[str, int | None]] = defaultdict(dict)
    for answer in answers:
        if answer.item not in items or answer.criterion not in criteria:
            continue  # ratings of items no longer up for rating stay in the raw data only
        cell = cells[answer.item, answer.criterion]
        if answer.participant in cell:
            raise ValueError(
                f"{answer.participant} answered item {answer.item} on {answer.criterion} twice in a round"
            )
        cell[answer.participant] = answer.value
    return cells


def _consensus_change(before: bool, after: bool) -> ConsensusChange:
    if before and after:
        return "kept"
    if after:
        return "gained"
    return "lost" if before else "none"


def _difference(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


def concordance(
    cells: Mapping[tuple[int, str], Mapping[str, int | None]], items: Sequence[int], criterion: str
) -> KendallW:
    """Kendall's W of one criterion in one round over complete cases: items that nobody gave a
    value are left out (they rank nothing), then every participant who gave a value to each
    remaining item is in, and the others are counted in `m_left_out`."""
    valued = {
        item: {who: value for who, value in cells.get((item, criterion), {}).items() if value is not None}
        for item in items
    }
    ranked = [item for item in items if valued[item]]
    everyone = {who for item in ranked for who in valued[item]}
    complete = sorted(who for who in everyone if all(who in valued[item] for item in ranked))
    rankings = [[valued[item][who] for item in ranked] for who in complete]
    if not rankings:
        return KendallW(0, len(ranked), len(everyone), 0, None, None, None, None)
    return kendall_w(rankings, m_left_out=len(everyone) - len(complete))


def round_figures(
    rounds: Mapping[int, Iterable[Answer]],
    items: Sequence[int],
    criteria: Sequence[RatedScale],
    rule: ConsensusRule | None = None,
) -> RoundFigures:
    """Every figure of every round: per item × criterion × round, and per criterion × round.

    `rounds` maps each round's number to its answers; consecutive rounds are compared in order of
    their numbers. `items` are those up for rating, in the order the rows keep (an item nobody
    rated still has its rows, with n 0); answers for other items or criteria are left out.
    """
    rule = rule or ConsensusRule()
    item_set, criterion_keys = set(items), {criterion.key for criterion in criteria}
    numbers = sorted(rounds)
    cells_of = {number: _answers_by_cell(rounds[number], item_set, criterion_keys) for number in numbers}
    item_rows: list[ItemRound] = []
    criterion_rows: list[CriterionRound] = []
    previous: dict[tuple[int, str], ItemRound] = {}
    for position, number in enumerate(numbers):
        cells = cells_of[number]
        before = cells_of[numbers[position - 1]] if position else None
        current: dict[tuple[int, str], ItemRound] = {}
        for criterion in criteria:
            for item in items:
                answers = cells.get((item, criterion.key), {})
                given = sorted(value for value in answers.values() if value is not None)
                summary = summarise(answers.values(), criterion.scale_min, criterion.scale_max)
                consensus = rule._decide(given, summary, criterion)
                row = ItemRound(number, criterion.key, item, summary, consensus, None, None, None, None, None)
                if before is not None:
                    earlier = previous[item, criterion.key]
                    earlier_answers = before.get((item, criterion.key), {})
                    both = [who for who in answers if who in earlier_answers]
                    row = ItemRound(
                        number,
                        criterion.key,
                        item,
                        summary,
                        consensus,
                        median_shift=_difference(summary.median, earlier.summary.median),
                        iqr_change=_difference(summary.iqr, earlier.summary.iqr),
                        n_answered_both=len(both),
                        n_changed=sum(1 for who in both if answers[who] != earlier_answers[who]),
                        consensus_change=_consensus_change(earlier.consensus.reached, consensus.reached),
                    )
                current[item, criterion.key] = row
                item_rows.append(row)
            stability = None
            if before is not None:
                medians = [
                    (
                        previous[item, criterion.key].summary.median,
                        current[item, criterion.key].summary.median,
                    )
                    for item in items
                ]
                stability = rank_correlation([(a, b) for a, b in medians if a is not None and b is not None])
            criterion_rows.append(
                CriterionRound(number, criterion.key, concordance(cells, items, criterion.key), stability)
            )
        previous = current
    return RoundFigures(rule, item_rows, criterion_rows)


# The export table `results_rounds` -------------------------------------------------------------


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def results_rounds_rows(figures: RoundFigures) -> list[dict[str, Any]]:
    """Rows of `results_rounds` (columns as `RESULTS_ROUNDS` in export/schema.py, in that order):
    per round and criterion first the criterion's row, then one row per item. Floats unrounded,
    None for a figure that is undefined or belongs to the other level."""
    by_round_criterion: dict[tuple[int, str], list[ItemRound]] = defaultdict(list)
    for row in figures.items:
        by_round_criterion[row.round, row.criterion].append(row)
    rows: list[dict[str, Any]] = []
    for criterion_row in figures.criteria:
        concordance_, stability = criterion_row.concordance, criterion_row.stability
        rows.append(
            _row(
                level="criterion",
                round=criterion_row.round,
                criterion=criterion_row.criterion,
                kendall_w=concordance_.w,
                kendall_m=concordance_.m,
                kendall_n=concordance_.n,
                kendall_m_left_out=concordance_.m_left_out,
                kendall_ties=concordance_.ties,
                chi2=concordance_.chi2,
                df=concordance_.df,
                p_value=concordance_.p_value,
                spearman_rho=None if stability is None else stability.rho,
                kendall_tau_b=None if stability is None else stability.tau_b,
                stability_n=None if stability is None else stability.n,
            )
        )
        for item in by_round_criterion[criterion_row.round, criterion_row.criterion]:
            summary, consensus = item.summary, item.consensus
            rows.append(
                _row(
                    level="item",
                    round=item.round,
                    criterion=item.criterion,
                    item_id=item.item,
                    n=summary.n,
                    n_cant_judge=summary.n_cant_judge,
                    median=summary.median,
                    q1=summary.q1,
                    q3=summary.q3,
                    iqr=summary.iqr,
                    top_share=_float(consensus.top_share),
                    bottom_share=_float(consensus.bottom_share),
                    consensus=consensus.reached,
                    median_shift=item.median_shift,
                    iqr_change=item.iqr_change,
                    n_answered_both=item.n_answered_both,
                    n_changed=item.n_changed,
                    changed_share=item.changed_share,
                    consensus_change=item.consensus_change,
                )
            )
    return rows


RESULTS_ROUNDS_COLUMNS = (
    "level",
    "round",
    "criterion",
    "item_id",
    "n",
    "n_cant_judge",
    "median",
    "q1",
    "q3",
    "iqr",
    "top_share",
    "bottom_share",
    "consensus",
    "median_shift",
    "iqr_change",
    "n_answered_both",
    "n_changed",
    "changed_share",
    "consensus_change",
    "kendall_w",
    "kendall_m",
    "kendall_n",
    "kendall_m_left_out",
    "kendall_ties",
    "chi2",
    "df",
    "p_value",
    "spearman_rho",
    "kendall_tau_b",
    "stability_n",
)


def _row(**figures: Any) -> dict[str, Any]:
    unknown = set(figures) - set(RESULTS_ROUNDS_COLUMNS)
    if unknown:
        raise KeyError(f"not a column of results_rounds: {sorted(unknown)}")
    return {column: figures.get(column) for column in RESULTS_ROUNDS_COLUMNS}
