"""What the projector shows: only what every participant may see, shaped for the room."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from backcast.db import Database
from backcast.enums import ItemKind, Phase
from backcast.models import (
    AgendaEntry,
    Criterion,
    Item,
    Participant,
    Rating,
    Reason,
    StakeholderGroup,
    Workshop,
)
from backcast.queries.pathway import ActorMatrix, Pathway, PathwayFlags, actor_matrix, pathway, pathway_flags
from backcast.queries.phone import rated_items, shown_reasons
from backcast.queries.progress import DotProgress, dot_progress, dot_totals, rating_completion
from backcast.queries.results_view import ResultsView, results_view
from backcast.services.agenda import agenda_of
from backcast.services.items import items_of, links_of
from backcast.services.timer import seconds_left
from backcast.services.workshops import criteria_of, groups_of


@dataclass
class Branch:
    """An item with the items that depend on it: a milestone's needs, a need's measures."""

    item: Item
    children: list[Branch] = field(default_factory=list)


@dataclass
class Mark:
    """A milestone on the backward time axis; `left` is its place in per cent from the present."""

    item: Item
    left: float


@dataclass
class GroupCount:
    label: str  # as stored; "" for those without a group
    count: int
    key: str = ""  # the group's key, to show a built-in label in the reader's language


@dataclass
class ScreenView:
    workshop: Workshop
    participants: int
    groups: list[GroupCount]
    criteria: list[Criterion]
    visions: list[Item]
    marks: list[Mark]
    tree: list[Branch]
    unlinked_needs: list[Item]
    unlinked_measures: list[Item]
    rated: list[Item]
    raters: int
    completion: float  # share of all expected ratings given, 0..1
    dot_totals: list[tuple[Item, int]]
    dots: DotProgress
    roadmap: list[tuple[int | None, list[tuple[AgendaEntry, Item]]]]
    timer_seconds: int | None
    results: ResultsView | None = None  # only once revealed
    # The reasons of the newest round that has any, per item, without their authors; hidden ones not.
    reasons: list[tuple[Item, list[str]]] = field(default_factory=list)
    reasons_round: int | None = None
    flags: PathwayFlags = field(default_factory=PathwayFlags)
    pathway: Pathway | None = None  # in the results phase
    matrix: ActorMatrix | None = None


def _position(workshop: Workshop, year: int | None) -> float:
    span = workshop.vision_year - workshop.present_year
    if year is None or span <= 0:
        return 100.0
    return round(100 * (year - workshop.present_year) / span, 2)


def group_counts(session: Session, workshop_id: int, groups: list[StakeholderGroup]) -> list[GroupCount]:
    counted = Counter(
        session.exec(select(Participant.group_id).where(Participant.workshop_id == workshop_id)).all()
    )
    found = [
        GroupCount(group.label, counted[group.id], group.key) for group in groups if counted.get(group.id)
    ]
    if counted.get(None):
        found.append(GroupCount("", counted[None]))
    return found


def roadmap(
    entries: list[AgendaEntry], items: dict[int | None, Item]
) -> list[tuple[int | None, list[tuple[AgendaEntry, Item]]]]:
    """The agenda by start year, earliest first; entries without a year come last."""
    columns: dict[int | None, list[tuple[AgendaEntry, Item]]] = defaultdict(list)
    for entry in entries:
        if entry.item_id in items:
            columns[entry.start_year].append((entry, items[entry.item_id]))
    return sorted(columns.items(), key=lambda column: (column[0] is None, column[0] or 0))


@dataclass
class BackwardTree:
    """The standing items as the backcast reads them: milestones by year, each with the needs that
    serve it and the measures that meet those; and what is not linked yet."""

    visions: list[Item]
    tree: list[Branch]
    unlinked_needs: list[Item]
    unlinked_measures: list[Item]


def backward_tree(session: Session, workshop_id: int, standing: list[Item]) -> BackwardTree:
    """`standing` are the items to show (hidden ones left out); links to any other item are ignored."""
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for item in standing:
        by_kind[item.kind].append(item)
    visible = {item.id for item in standing}
    children: dict[int, list[int]] = defaultdict(list)
    for link in links_of(session, workshop_id):
        if link.from_id in visible and link.to_id in visible:
            children[link.to_id].append(link.from_id)
    by_id = {item.id: item for item in standing}
    milestones = sorted(by_kind[ItemKind.milestone], key=lambda item: (item.year or 0, item.id or 0))
    tree = [
        Branch(
            m,
            [
                Branch(by_id[n], [Branch(by_id[x]) for x in children.get(n, [])])
                for n in children.get(m.id or 0, [])
            ],
        )
        for m in milestones
    ]
    linked_needs = {need for m in milestones for need in children.get(m.id or 0, [])}
    linked_measures = {x for need in by_kind[ItemKind.need] for x in children.get(need.id or 0, [])}
    return BackwardTree(
        visions=by_kind[ItemKind.vision],
        tree=tree,
        unlinked_needs=[n for n in by_kind[ItemKind.need] if n.id not in linked_needs],
        unlinked_measures=[x for x in by_kind[ItemKind.measure] if x.id not in linked_measures],
    )


def screen_view(db: Database, workshop_id: int) -> ScreenView:
    with db.read() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        standing = items_of(session, workshop_id)  # hidden items never reach the screen
        flags = pathway_flags(session, workshop_id, standing)
        backward = backward_tree(session, workshop_id, standing)
        rated = rated_items(session, workshop)
        criteria = criteria_of(session, workshop_id)
        participants = session.exec(
            select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop_id)
        ).one()
        raters = session.exec(
            select(func.count(func.distinct(Rating.participant_id))).where(
                Rating.workshop_id == workshop_id, Rating.round == workshop.current_round
            )
        ).one()
        reasons_round = session.exec(
            select(func.max(Reason.round)).where(
                Reason.workshop_id == workshop_id, col(Reason.hidden).is_(False)
            )
        ).one()
        said = shown_reasons(session, workshop, reasons_round) if reasons_round else {}
        return ScreenView(
            workshop=workshop,
            participants=participants,
            groups=group_counts(session, workshop_id, groups_of(session, workshop_id)),
            criteria=criteria,
            # The synthesis the room adopted leads the wall, so paging never pushes it off the screen.
            visions=sorted(backward.visions, key=lambda item: not item.adopted),
            marks=[Mark(branch.item, _position(workshop, branch.item.year)) for branch in backward.tree],
            tree=backward.tree,
            unlinked_needs=backward.unlinked_needs,
            unlinked_measures=backward.unlinked_measures,
            rated=rated,
            raters=raters,
            completion=rating_completion(session, workshop),
            dot_totals=dot_totals(session, workshop),
            dots=dot_progress(session, workshop),
            roadmap=roadmap(agenda_of(session, workshop), {item.id: item for item in standing}),
            timer_seconds=seconds_left(workshop),
            results=results_view(session, workshop) if workshop.results_visible else None,
            reasons=[
                (item, texts)
                for item in rated
                if (
                    texts := [
                        text for (item_id, _), found in said.items() if item_id == item.id for text in found
                    ]
                )
            ],
            reasons_round=reasons_round,
            flags=flags,
            pathway=pathway(session, workshop, standing, flags) if workshop.phase == Phase.results else None,
            matrix=actor_matrix(session, workshop, standing) if workshop.phase == Phase.results else None,
        )
