"""Everything results and exports are made from, read in one transaction.

Ratings and dots are read as plain tuples rather than ORM objects: a large workshop has a hundred
thousand ratings, and the exports must stay fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import DateTime, Dialect, type_coerce
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from backcast.db import Database
from backcast.models import (
    AgendaEntry,
    Criterion,
    Dots,
    Item,
    Link,
    Participant,
    Rating,
    Seating,
    StakeholderGroup,
    Table,
    Workshop,
)
from backcast.models.base import UTCDateTime
from backcast.services.items import up_for_rating
from backcast.services.participants import in_research
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
    # A field named like `tuple.count`, which it shadows: the column is called so everywhere.
    count: int  # type: ignore[assignment]
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
    # Breakout tables and every seat taken at them, by id.
    tables: list[Table] = field(default_factory=list)
    seating: list[Seating] = field(default_factory=list)
    counted_item_ids: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        self.counted_item_ids = frozenset(
            item.id for item in self.items if item.id is not None and up_for_rating(self.workshop, item)
        )

    @property
    def counted_items(self) -> list[Item]:
        return [item for item in self.items if item.id in self.counted_item_ids]


def research_part(data: WorkshopData) -> WorkshopData:
    """The part of a workshop's data that research may use: without the participants who did not
    consent to research use, their ratings and their dots. Items stay, since the room built on them
    (links, merges, the agenda); the export shows those of the people left out without an author,
    as after a deletion. The room's own results are made from all of `data`, not from this."""
    kept = {p.id for p in data.participants if in_research(data.workshop, p)}
    if len(kept) == len(data.participants):
        return data
    return WorkshopData(
        workshop=data.workshop,
        criteria=data.criteria,
        groups=data.groups,
        participants=[p for p in data.participants if p.id in kept],
        items=data.items,
        links=data.links,
        ratings=[row for row in data.ratings if row.participant_id in kept],
        dots=[row for row in data.dots if row.participant_id in kept],
        agenda=data.agenda,
        tables=data.tables,
        seating=[seat for seat in data.seating if seat.participant_id in kept],
    )


def _with_utc_times(rows: Sequence[Any], dialect: Dialect) -> list[RatingRow]:
    """Rating rows with aware UTC times, as `UTCDateTime` gives them. A participant's ratings of
    an item share one time, so each distinct time is converted once rather than once a cell."""
    convert = UTCDateTime().process_result_value
    moments = {moment for row in rows for moment in (row[4], row[5])}
    utc: dict[Any, datetime] = {}
    for moment in moments:
        aware = convert(moment, dialect)
        assert aware is not None  # both columns are NOT NULL
        utc[moment] = aware
    return [
        RatingRow(participant, item, criterion, value, utc[rated_at], utc[updated_at])
        for participant, item, criterion, value, rated_at, updated_at in rows
    ]


def load_workshop(db: Database, workshop: Workshop) -> WorkshopData:
    with db.read() as session:
        return read_workshop(session, workshop)


def read_workshop(session: Session, workshop: Workshop) -> WorkshopData:
    workshop_id = workshop.id
    assert workshop_id is not None
    criteria = criteria_of(session, workshop_id)
    # Core rows, not ORM ones: for a hundred thousand ratings the ORM's bookkeeping is the slow part.
    connection = session.connection()
    # SQLAlchemy's own select: sqlmodel's typed one takes at most four columns.
    rating_rows = connection.execute(
        core_select(
            col(Rating.participant_id),
            col(Rating.item_id),
            col(Rating.criterion_id),
            col(Rating.value),
            type_coerce(Rating.rated_at, DateTime),
            type_coerce(Rating.updated_at, DateTime),
        )
        .join(Criterion, col(Criterion.id) == col(Rating.criterion_id))
        .where(col(Rating.workshop_id) == workshop_id)
        .order_by(col(Rating.item_id), col(Criterion.position), col(Criterion.id), col(Rating.participant_id))
    )
    dots_rows = connection.execute(
        select(Dots.participant_id, Dots.item_id, Dots.count, Dots.updated_at)
        .where(Dots.workshop_id == workshop_id)
        .order_by(col(Dots.item_id), col(Dots.participant_id))
    )
    return WorkshopData(
        workshop=workshop,
        criteria=criteria,
        groups=groups_of(session, workshop_id),
        participants=list(
            session.exec(
                select(Participant)
                .where(col(Participant.workshop_id) == workshop_id)
                .order_by(col(Participant.id))
            )
        ),
        items=list(
            session.exec(select(Item).where(col(Item.workshop_id) == workshop_id).order_by(col(Item.id)))
        ),
        links=list(
            session.exec(
                select(Link)
                .where(col(Link.workshop_id) == workshop_id)
                .order_by(col(Link.from_id), col(Link.to_id))
            )
        ),
        ratings=_with_utc_times(rating_rows.fetchall(), connection.dialect),
        dots=list(map(DotsRow._make, dots_rows.fetchall())),
        agenda=list(
            session.exec(
                select(AgendaEntry)
                .where(AgendaEntry.workshop_id == workshop_id)
                .order_by(col(AgendaEntry.position), col(AgendaEntry.id))
            )
        ),
        tables=list(
            session.exec(select(Table).where(col(Table.workshop_id) == workshop_id).order_by(col(Table.id)))
        ),
        seating=list(
            session.exec(
                select(Seating).where(col(Seating.workshop_id) == workshop_id).order_by(col(Seating.id))
            )
        ),
    )
