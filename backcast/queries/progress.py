"""How far the room is with rating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from backcast.models import Dots, Item, Participant, Rating, Workshop
from backcast.queries.phone import rated_items
from backcast.services.ratings import round_closed
from backcast.services.workshops import criteria_of, participant_count


def rating_completion(session: Session, workshop: Workshop) -> float:
    """Ratings given in the current round (a "can't judge" counts) over those possible:
    participants × items × criteria."""
    assert workshop.id is not None
    given = session.exec(
        select(func.count())
        .select_from(Rating)
        .where(Rating.workshop_id == workshop.id, Rating.round == workshop.current_round)
    ).one()
    possible = (
        participant_count(session, workshop.id)
        * len(rated_items(session, workshop))
        * len(criteria_of(session, workshop.id))
    )
    return min(1.0, given / possible) if possible else 0.0


def dot_totals(session: Session, workshop: Workshop) -> list[tuple[Item, int]]:
    """Every rated item with the dots it got, most first, then in the order they came."""
    assert workshop.id is not None
    query = (
        select(Dots.item_id, func.sum(Dots.count))
        .where(Dots.workshop_id == workshop.id)
        .group_by(col(Dots.item_id))
    )
    totals = {item_id: int(total) for item_id, total in session.exec(query).all()}
    ranked = [(item, totals.get(item.id or 0, 0)) for item in rated_items(session, workshop)]
    return sorted(ranked, key=lambda pair: (-pair[1], pair[0].id or 0))


@dataclass
class DotProgress:
    """How far the room is with dot voting, without saying where the dots went."""

    placed: int  # dots placed by everyone
    budget: int  # the room's dots: participants × each one's budget
    voters: int  # people who placed at least one dot
    participants: int


def dot_progress(session: Session, workshop: Workshop) -> DotProgress:
    assert workshop.id is not None
    placed, voters = session.exec(
        select(func.coalesce(func.sum(Dots.count), 0), func.count(func.distinct(Dots.participant_id))).where(
            Dots.workshop_id == workshop.id, Dots.count > 0
        )
    ).one()
    people = participant_count(session, workshop.id)
    return DotProgress(int(placed), people * workshop.dot_budget, int(voters), people)


@dataclass
class RoundProgress:
    """Who has answered the current rating round."""

    round: int
    planned: int
    participants: int
    answered: int  # people who gave at least one rating (or "can't judge") in this round
    names: list[str]  # the names of those of them who gave one, for the facilitator to see who is in
    closes_at: datetime | None
    closed: bool


def round_progress(session: Session, workshop: Workshop) -> RoundProgress:
    assert workshop.id is not None
    answered = session.exec(
        select(Participant.id, Participant.name)
        .where(
            Participant.workshop_id == workshop.id,
            col(Participant.id).in_(
                select(Rating.participant_id).where(
                    Rating.workshop_id == workshop.id, Rating.round == workshop.current_round
                )
            ),
        )
        .order_by(col(Participant.id))
    ).all()
    return RoundProgress(
        round=workshop.current_round,
        planned=workshop.planned_rounds,
        participants=participant_count(session, workshop.id),
        answered=len(answered),
        names=[name for _, name in answered if name],
        closes_at=workshop.round_closes_at,
        closed=round_closed(workshop),
    )
