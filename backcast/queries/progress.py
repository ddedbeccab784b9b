"""How far the room is with rating."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from backcast.models import Rating, Workshop
from backcast.queries.phone import rated_items
from backcast.services.workshops import criteria_of, participant_count


def rating_completion(session: Session, workshop: Workshop) -> float:
    """Ratings given (a "can't judge" counts) over those possible: participants × items × criteria."""
    assert workshop.id is not None
    given = session.exec(
        select(func.count()).select_from(Rating).where(Rating.workshop_id == workshop.id)
    ).one()
    possible = (
        participant_count(session, workshop.id)
        * len(rated_items(session, workshop))
        * len(criteria_of(session, workshop.id))
    )
    return min(1.0, given / possible) if possible else 0.0
