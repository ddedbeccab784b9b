"""What the facilitator's console shows: counters, and every item including hidden ones."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from backcast.db import Database
from backcast.enums import KIND_PHASE, PHASE_KIND, ItemKind, Phase
from backcast.models import (
    AgendaEntry,
    Criterion,
    Dots,
    EventRecord,
    Facilitator,
    Item,
    Participant,
    Rating,
    StakeholderGroup,
    Workshop,
)
from backcast.queries.progress import DotProgress, dot_progress, dot_totals, rating_completion
from backcast.queries.screen import GroupCount, group_counts
from backcast.queries.tables import Overview, table_overview
from backcast.services.agenda import agenda_of
from backcast.services.items import items_of, links_of
from backcast.services.timer import seconds_left
from backcast.services.workshops import criteria_of, groups_of, participant_count


@dataclass
class ConsoleView:
    workshop: Workshop
    participants: int
    groups: list[GroupCount]
    contributions: dict[str, int]  # phase → standing items contributed in it
    items: list[Item]  # of the kind in focus, hidden ones included; milestones by year
    links: dict[int, list[Item]]  # item id → the standing items it links to, milestones by year
    focus: ItemKind
    criteria: list[Criterion]
    completion: float
    timer_seconds: int | None
    agenda: list[tuple[AgendaEntry, Item]]
    candidates: list[tuple[Item, int]]  # rated measures not on the agenda yet, most dots first
    dots: DotProgress
    tables: Overview | None = None  # the breakout's tables side by side, while one is on
    scopes: list[Item] = field(default_factory=list)  # what a new table may work on


def by_year(items: list[Item]) -> list[Item]:
    """Milestones read as a path back from the vision: by year, then as they came."""
    return sorted(items, key=lambda item: (item.year or 0, item.id or 0))


def console_view(db: Database, workshop_id: int) -> ConsoleView:
    with db.read() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        standing = items_of(session, workshop_id, include_hidden=True)
        focus = PHASE_KIND.get(Phase(workshop.phase)) or ItemKind.measure
        participants = participant_count(session, workshop_id)
        criteria = criteria_of(session, workshop_id)
        kinds = Counter(item.kind for item in standing if not item.hidden)
        by_id = {item.id: item for item in standing}
        agenda = agenda_of(session, workshop)
        on_agenda = {entry.item_id for entry in agenda}
        focused = [item for item in standing if item.kind == focus]
        links: dict[int, list[Item]] = {}
        for link in links_of(session, workshop_id):
            if link.to_id in by_id:
                links.setdefault(link.from_id, []).append(by_id[link.to_id])
        return ConsoleView(
            workshop=workshop,
            participants=participants,
            groups=group_counts(session, workshop_id, groups_of(session, workshop_id)),
            contributions={phase.value: kinds.get(kind.value, 0) for kind, phase in KIND_PHASE.items()},
            items=by_year(focused) if focus == ItemKind.milestone else focused,
            links={item_id: by_year(targets) for item_id, targets in links.items()},
            focus=focus,
            criteria=criteria,
            completion=rating_completion(session, workshop),
            timer_seconds=seconds_left(workshop),
            agenda=[(entry, by_id[entry.item_id]) for entry in agenda if entry.item_id in by_id],
            candidates=[
                (item, total) for item, total in dot_totals(session, workshop) if item.id not in on_agenda
            ],
            dots=dot_progress(session, workshop),
            tables=table_overview(session, workshop_id),
            scopes=by_year([i for i in standing if i.kind == ItemKind.milestone and not i.hidden])
            + [i for i in standing if i.kind == ItemKind.need and not i.hidden],
        )


@dataclass
class Footprint:
    """What deleting a workshop removes, told before it happens."""

    participants: int
    items: int
    ratings: int
    events: int


def footprint(db: Database, workshop_id: int) -> Footprint:
    with db.read() as session:

        def count(model: type) -> int:
            # Every table passed here has a workshop_id column, which `type` does not promise.
            query = select(func.count()).select_from(model).where(model.workshop_id == workshop_id)  # type: ignore[attr-defined]
            return session.exec(query).one()

        return Footprint(count(Participant), count(Item), count(Rating), count(EventRecord))


@dataclass
class ParticipantRow:
    """One participant on the console's participants page."""

    participant: Participant
    group: StakeholderGroup | None
    items: int  # contributions they made, withdrawn ones included
    ratings: int  # rating rows, "can't judge" included
    dots: int


def addresses(db: Database, account_ids: set[int]) -> list[str]:
    """The facilitators' addresses, sorted, for those of `account_ids` that still have an account."""
    if not account_ids:
        return []
    with db.read() as session:
        found = session.exec(select(Facilitator.email).where(col(Facilitator.id).in_(account_ids)))
        return sorted(found)


def participants_of(db: Database, workshop_id: int) -> list[ParticipantRow]:
    with db.read() as session:

        def per_participant(query: Any) -> dict[int, int]:
            return {participant_id: count for participant_id, count in session.exec(query)}

        authored = per_participant(
            select(Item.author_id, func.count())
            .where(col(Item.workshop_id) == workshop_id, col(Item.author_id).is_not(None))
            .group_by(col(Item.author_id))
        )
        rated = per_participant(
            select(Rating.participant_id, func.count())
            .where(Rating.workshop_id == workshop_id)
            .group_by(col(Rating.participant_id))
        )
        dotted = per_participant(
            select(Dots.participant_id, func.sum(Dots.count))
            .where(Dots.workshop_id == workshop_id)
            .group_by(col(Dots.participant_id))
        )
        groups = {group.id: group for group in groups_of(session, workshop_id)}
        people = session.exec(
            select(Participant)
            .where(col(Participant.workshop_id) == workshop_id)
            .order_by(col(Participant.id))
        )
        return [
            ParticipantRow(
                participant=person,
                group=groups.get(person.group_id) if person.group_id else None,
                items=authored.get(person.id or 0, 0),
                ratings=rated.get(person.id or 0, 0),
                dots=dotted.get(person.id or 0, 0) or 0,
            )
            for person in people
        ]


# This many joins within one minute make a burst worth showing: a whole room may arrive together,
# so the facilitator judges; a script making fresh identities shows up as a block.
BURST_SIZE = 10


@dataclass
class JoinBurst:
    """Participants who joined within one minute (UTC), shown so the facilitator can remove them."""

    minute: datetime
    rows: list[ParticipantRow]


def join_bursts(rows: list[ParticipantRow], size: int = BURST_SIZE) -> list[JoinBurst]:
    by_minute: dict[datetime, list[ParticipantRow]] = {}
    for row in rows:
        minute = row.participant.joined_at.replace(second=0, microsecond=0)
        by_minute.setdefault(minute, []).append(row)
    bursts = [JoinBurst(minute, members) for minute, members in by_minute.items() if len(members) >= size]
    return sorted(bursts, key=lambda burst: (-len(burst.rows), burst.minute))
