"""What a participant's phone shows: their workshop, their contributions, their ratings and dots."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, select

from backcast.db import Database
from backcast.enums import LINK_TARGET, PHASE_KIND, Assign, ItemKind, Phase
from backcast.models import Criterion, Dots, Item, Participant, Rating, StakeholderGroup, Table, Workshop
from backcast.queries.labels import Labels
from backcast.queries.results_view import ResultsView, results_view
from backcast.services.items import items_of, links_of, up_for_rating
from backcast.services.participants import has_answered
from backcast.services.tables import current_tables, seat_of, unseen_tables
from backcast.services.workshops import criteria_of, groups_of

# The kind of item each contribution phase collects.


@dataclass
class RatingCard:
    item: Item
    values: dict[int, int | None]  # criterion id → my value (None: can't judge); absent: not yet

    def complete(self, criteria: list[Criterion]) -> bool:
        return all(criterion.id in self.values for criterion in criteria)


@dataclass
class PhoneView:
    workshop: Workshop
    participant: Participant
    criteria: list[Criterion]
    groups: list[StakeholderGroup]
    kind: ItemKind | None  # what this phase collects, if anything
    labels: Labels  # criteria and groups in the reader's language
    mine: list[Item] = field(default_factory=list)
    parents: list[Item] = field(default_factory=list)  # what a new item of `kind` may link to
    links: dict[int, list[int]] = field(default_factory=dict)
    cards: list[RatingCard] = field(default_factory=list)
    dots: dict[int, int] = field(default_factory=dict)
    results: ResultsView | None = None  # once the facilitator reveals them
    # During a breakout: the participant's table (None until seated), what it works on, what the
    # table has contributed in this phase, and the tables to choose from when people choose.
    in_breakout: bool = False
    table: Table | None = None
    scope: str = ""
    table_items: list[Item] = field(default_factory=list)
    choose_from: list[Table] = field(default_factory=list)

    def mine_for(self, item_id: int | None) -> dict[int, int | None]:
        return next((card.values for card in self.cards if card.item.id == item_id), {})

    @property
    def rated(self) -> int:
        return sum(card.complete(self.criteria) for card in self.cards)

    @property
    def cards_to_rate(self) -> list[RatingCard]:
        """What is still unrated first (a measure added later too), then the rated ones."""
        return sorted(self.cards, key=lambda card: card.complete(self.criteria))

    @property
    def next_unrated(self) -> int | None:
        return next((card.item.id for card in self.cards if not card.complete(self.criteria)), None)

    @property
    def dots_left(self) -> int:
        return self.workshop.dot_budget - sum(self.dots.values())

    @property
    def parent_labels(self) -> dict[int, str]:
        return {item.id: item.text for item in self.parents if item.id is not None}


def rated_items(session: Session, workshop: Workshop) -> list[Item]:
    """The items up for rating and dots, in the order they were contributed."""
    assert workshop.id is not None
    return [item for item in items_of(session, workshop.id) if up_for_rating(workshop, item)]


def phone_view(db: Database, participant: Participant) -> PhoneView:
    with db.read() as session:
        workshop = session.get(Workshop, participant.workshop_id)
        assert workshop is not None and workshop.id is not None
        view = PhoneView(
            workshop=workshop,
            participant=participant,
            criteria=criteria_of(session, workshop.id),
            groups=groups_of(session, workshop.id),
            kind=PHASE_KIND.get(Phase(workshop.phase)),
            labels=Labels.of(workshop),
        )
        tables = current_tables(session, workshop.id)
        if tables:
            assert participant.id is not None
            view.in_breakout = True
            view.table = seat_of(session, participant.id)
            if tables[0].assign == Assign.choice:
                view.choose_from = tables  # a change of mind stays possible
            if view.table is not None:
                view.scope = table_scope(session, view.table)
        unseen = unseen_tables(session, workshop.id, participant.id) if tables and participant.id else set()
        if view.kind is not None:
            # Their own hidden items too: an author is told that the facilitator hid one, rather
            # than seeing it vanish without a word.
            with_hidden = items_of(session, workshop.id, include_hidden=True)
            view.mine = [i for i in with_hidden if i.author_id == participant.id and i.kind == view.kind]
            target = LINK_TARGET.get(view.kind)
            parents = (
                [i for i in with_hidden if i.kind == target and not i.hidden and i.table_id not in unseen]
                if target
                else []
            )
            if view.table is not None:
                view.table_items = [
                    i
                    for i in with_hidden
                    if i.table_id == view.table.id and i.kind == view.kind and not i.hidden
                ]
            # By year, as the backward timeline reads; those without a year after, in their order.
            view.parents = sorted(parents, key=lambda i: (i.year is None, i.year or 0, i.id or 0))
            links: dict[int, list[int]] = defaultdict(list)
            for link in links_of(session, workshop.id):
                links[link.from_id].append(link.to_id)
            view.links = dict(links)
        if workshop.phase in (Phase.rating, Phase.results):
            view.cards = _cards(session, workshop, participant)
        if workshop.phase == Phase.results and workshop.results_visible:
            view.results = results_view(session, workshop)
        if workshop.phase in (Phase.prioritisation, Phase.results):
            view.cards = view.cards or _cards(session, workshop, participant)
            view.dots = {
                row.item_id: row.count
                for row in session.exec(select(Dots).where(Dots.participant_id == participant.id))
            }
        return view


def table_scope(session: Session, table: Table) -> str:
    """What a table works on, as people read it: the scope item's text (a milestone with its year),
    or the free text."""
    if table.scope_item_id is not None:
        item = session.get(Item, table.scope_item_id)
        if item is not None:
            return (
                f"{item.year} · {item.text}" if item.year and item.kind == ItemKind.milestone else item.text
            )
    return table.scope_text


def _cards(session: Session, workshop: Workshop, participant: Participant) -> list[RatingCard]:
    mine: dict[int, dict[int, int | None]] = defaultdict(dict)
    for row in session.exec(select(Rating).where(Rating.participant_id == participant.id)):
        mine[row.item_id][row.criterion_id] = row.value
    return [RatingCard(item, mine.get(item.id or 0, {})) for item in rated_items(session, workshop)]


def rating_card(db: Database, participant: Participant, item_id: int) -> tuple[PhoneView, RatingCard | None]:
    """The view (for progress) and one card, after a rating changed it."""
    view = phone_view(db, participant)
    return view, next((card for card in view.cards if card.item.id == item_id), None)


@dataclass
class GroupChoice:
    """The participant's own stakeholder group, and whether they may still change it."""

    groups: list[StakeholderGroup]
    current: StakeholderGroup | None
    open: bool  # until their first rating or dot
    labels: Labels


def group_choice(db: Database, participant: Participant) -> GroupChoice | None:
    """None when the workshop has no groups to choose from."""
    with db.read() as session:
        workshop = session.get(Workshop, participant.workshop_id)
        own = session.get(Participant, participant.id)  # fresh: the token's lookup may be older
        assert workshop is not None and workshop.id is not None and own is not None and own.id is not None
        groups = groups_of(session, workshop.id)
        if not groups:
            return None
        current = next((group for group in groups if group.id == own.group_id), None)
        return GroupChoice(groups, current, not has_answered(session, own.id), Labels.of(workshop))
