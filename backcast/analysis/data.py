"""Everything results and exports are made from, read in one transaction.

Ratings are read as plain tuples rather than ORM objects: a large workshop has a hundred thousand
of them, and the exports must stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, select

from backcast.db import Database
from backcast.models import (
    AgendaEntry,
    Criterion,
    Dots,
    Item,
    Link,
    Participant,
    Rating,
    StakeholderGroup,
    Workshop,
)
from backcast.services.workshops import criteria_of, groups_of


class RatingRow(NamedTuple):
    participant_id: int
    item_id: int
    criterion_id: int
    value: int | None  # None: can't judge
    rated_at: datetime
    updated_at: datetime


class DotsRow(NamedTuple):
    participant_id: int
    item_id: int
    count: int
    updated_at: datetime


@dataclass
class WorkshopData:
    """A workshop's rows, each list in a stable order (ids, positions), so outputs are repeatable."""

    workshop: Workshop
    criteria: list[Criterion]
    groups: list[StakeholderGroup]
    participants: list[Participant]
    items: list[Item]  # every item, including hidden, withdrawn and merged ones
    links: list[Link]
    ratings: list[RatingRow]  # by item, criterion position, participant
    dots: list[DotsRow]  # by item, participant
    agenda: list[AgendaEntry]
    counted_item_ids: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        self.counted_item_ids = frozenset(
            item.id for item in self.items if counts_in_results(self.workshop, item)
        )

    @property
    def counted_items(self) -> list[Item]:
        return [item for item in self.items if item.id in self.counted_item_ids]


def counts_in_results(workshop: Workshop, item: Item) -> bool:
    """The items up for rating: of a rated kind, and not hidden, withdrawn or merged away.
    Ratings and dots given to an item before it was hidden stay in the raw data, not in results."""
    return (
        item.kind in workshop.rated_kinds
        and not item.hidden
        and not item.withdrawn
        and item.merged_into_id is None
    )


def load_workshop(db: Database, workshop: Workshop) -> WorkshopData:
    with db.read() as session:
        return read_workshop(session, workshop)


def read_workshop(session: Session, workshop: Workshop) -> WorkshopData:
    workshop_id = workshop.id
    assert workshop_id is not None
    criteria = criteria_of(session, workshop_id)
    rating_rows = session.execute(
        select(
            Rating.participant_id,
            Rating.item_id,
            Rating.criterion_id,
            Rating.value,
            Rating.rated_at,
            Rating.updated_at,
        )
        .join(Criterion, Criterion.id == Rating.criterion_id)
        .where(Rating.workshop_id == workshop_id)
        .order_by(Rating.item_id, Criterion.position, Criterion.id, Rating.participant_id)
    )
    dots_rows = session.execute(
        select(Dots.participant_id, Dots.item_id, Dots.count, Dots.updated_at)
        .where(Dots.workshop_id == workshop_id)
        .order_by(Dots.item_id, Dots.participant_id)
    )
    return WorkshopData(
        workshop=workshop,
        criteria=criteria,
        groups=groups_of(session, workshop_id),
        participants=list(
            session.exec(
                select(Participant).where(Participant.workshop_id == workshop_id).order_by(Participant.id)
            )
        ),
        items=list(session.exec(select(Item).where(Item.workshop_id == workshop_id).order_by(Item.id))),
        links=list(
            session.exec(
                select(Link).where(Link.workshop_id == workshop_id).order_by(Link.from_id, Link.to_id)
            )
        ),
        ratings=[RatingRow(*row) for row in rating_rows],
        dots=[DotsRow(*row) for row in dots_rows],
        agenda=list(
            session.exec(
                select(AgendaEntry)
                .where(AgendaEntry.workshop_id == workshop_id)
                .order_by(AgendaEntry.position, AgendaEntry.id)
            )
        ),
    )
