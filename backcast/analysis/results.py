"""The workshop's results: per item and criterion statistics, weighted score, dots and rank,
overall and by stakeholder group. The console, screen, phones, API and exports all show these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from backcast.analysis.data import WorkshopData
from backcast.analysis.stats import Summary, summarise, toward_better
from backcast.models import Criterion, Item, StakeholderGroup

# A group's figures are shown only where at least this many of its participants answered, so
# that no single person's rating can be read off the screen.
MIN_GROUP_RATERS = 3
FEWER_THAN = f"fewer than {MIN_GROUP_RATERS}"

RANK_ORDER = ("score (higher first; none last)", "dots (more first)", "raters (more first)")


@dataclass(frozen=True)
class Figures:
    """One item's figures among some participants: everyone, or one group."""

    raters: int  # participants who gave at least one value (not "can't judge") to the item
    criteria: dict[str, Summary | None]  # None: hidden, fewer than MIN_GROUP_RATERS values
    score: Fraction | None  # exact, so that equal scores always tie
    score_criteria: tuple[str, ...]  # the criteria the score averages
    dots: int | None  # None: hidden for a group with fewer than MIN_GROUP_RATERS dot voters
    rank: int | None = None


@dataclass(frozen=True)
class ItemResult:
    item: Item
    overall: Figures
    groups: dict[str, Figures | None]  # None: the group's figures are hidden


@dataclass(frozen=True)
class Results:
    criteria: list[Criterion]
    groups: list[StakeholderGroup]
    items: list[ItemResult]  # by overall rank, then item id
    participants: int
    group_participants: dict[str, int]
    round: int = 1  # the rating round the figures are of


def weighted_score(
    criteria: Sequence[Criterion], summaries: dict[str, Summary | None]
) -> tuple[Fraction | None, tuple[str, ...]]:
    """Each criterion's mean on 0-1 (0 the worst end of its scale, 1 the best), averaged by the
    criteria's weights. Criteria without a value, or with weight 0, are left out."""
    total = weight_sum = Fraction(0)
    used: list[str] = []
    for criterion in criteria:
        summary = summaries.get(criterion.key)
        if summary is None or summary.exact_mean is None or criterion.weight <= 0:
            continue
        share = toward_better(summary.exact_mean, criterion)
        weight = Fraction(criterion.weight)
        total += weight * share
        weight_sum += weight
        used.append(criterion.key)
    if not used:
        return None, ()
    return total / weight_sum, tuple(used)


def rank_key(figures: Figures) -> tuple[bool, Fraction, int, int]:
    score = figures.score if figures.score is not None else Fraction(0)
    return (figures.score is None, -score, -(figures.dots or 0), -figures.raters)


def competition_ranks(keys: Sequence[tuple[object, ...]]) -> list[int]:
    """Ranks for sort keys (lower key first) where equal keys share a rank: 1, 2, 2, 4."""
    order = sorted(range(len(keys)), key=lambda index: keys[index])
    ranks = [0] * len(keys)
    for position, index in enumerate(order):
        if position and keys[index] == keys[order[position - 1]]:
            ranks[index] = ranks[order[position - 1]]
        else:
            ranks[index] = position + 1
    return ranks


def _figures(
    criteria: Sequence[Criterion],
    values: dict[int, list[int | None]],
    raters: int,
    dots: int | None,
    min_values: int,
) -> Figures:
    summaries: dict[str, Summary | None] = {}
    for criterion in criteria:
        assert criterion.id is not None
        summary = summarise(values.get(criterion.id, ()), criterion.scale_min, criterion.scale_max)
        summaries[criterion.key] = summary if summary.n >= min_values else None
    score, used = weighted_score(criteria, summaries)
    return Figures(raters=raters, criteria=summaries, score=score, score_criteria=used, dots=dots)


def _ranked(figures: dict[int, Figures]) -> dict[int, Figures]:
    ids = sorted(figures)
    ranks = competition_ranks([rank_key(figures[item_id]) for item_id in ids])
    return {item_id: replace(figures[item_id], rank=rank) for item_id, rank in zip(ids, ranks, strict=True)}


def compute_results(data: WorkshopData) -> Results:
    """The one computation of results, from the rows of `data`."""
    criteria, items = data.criteria, data.counted_items
    group_of = {participant.id: participant.group_id for participant in data.participants}
    group_key = {group.id: group.key for group in data.groups}
    counted = data.counted_item_ids

    # item -> scope -> criterion -> values, where scope None is everyone and a key is a group.
    values: dict[int, dict[str | None, dict[int, list[int | None]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    raters: dict[int, dict[str | None, set[int]]] = defaultdict(lambda: defaultdict(set))
    for row in data.ratings:
        if row.item_id not in counted:
            continue
        scopes = _scopes(group_key.get(group_of.get(row.participant_id)))
        for scope in scopes:
            values[row.item_id][scope][row.criterion_id].append(row.value)
            if row.value is not None:
                raters[row.item_id][scope].add(row.participant_id)

    dots: dict[int, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    dot_voters: dict[str | None, set[int]] = defaultdict(set)
    for dots_row in data.dots:
        if dots_row.item_id not in counted:
            continue
        for scope in _scopes(group_key.get(group_of.get(dots_row.participant_id))):
            dots[dots_row.item_id][scope] += dots_row.count
            if dots_row.count > 0:
                dot_voters[scope].add(dots_row.participant_id)

    overall: dict[int, Figures] = {}
    by_group: dict[str, dict[int, Figures]] = {group.key: {} for group in data.groups}
    for item in items:
        assert item.id is not None
        overall[item.id] = _figures(
            criteria, values[item.id][None], len(raters[item.id][None]), dots[item.id][None], 0
        )
        for group in data.groups:
            group_raters = len(raters[item.id][group.key])
            if group_raters < MIN_GROUP_RATERS:
                continue
            shown_dots = dots[item.id][group.key] if len(dot_voters[group.key]) >= MIN_GROUP_RATERS else None
            by_group[group.key][item.id] = _figures(
                criteria, values[item.id][group.key], group_raters, shown_dots, MIN_GROUP_RATERS
            )

    overall = _ranked(overall)
    by_group = {key: _ranked(figures) for key, figures in by_group.items()}
    results = [
        ItemResult(
            item=item,
            overall=overall[item.id or 0],
            groups={group.key: by_group[group.key].get(item.id or 0) for group in data.groups},
        )
        for item in items
    ]
    results.sort(key=lambda result: (result.overall.rank, result.item.id))
    group_participants = {
        group.key: sum(1 for participant in data.participants if participant.group_id == group.id)
        for group in data.groups
    }
    return Results(criteria, data.groups, results, len(data.participants), group_participants, data.round)


def _scopes(group: str | None) -> Iterable[str | None]:
    return (None,) if group is None else (None, group)
