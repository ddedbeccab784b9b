"""Rating items on the workshop's criteria, and spreading dots."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import select

from backcast.db import Database, Transaction
from backcast.enums import Phase
from backcast.events import DotsSet, ItemRated
from backcast.i18n import N_, N_plural
from backcast.models import Criterion, Dots, Item, Participant, Rating, Workshop, utcnow
from backcast.models import limits as L
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid, NotAllowed, NotFound, OverBudget, PhaseClosed
from backcast.services.eventlog import lock_workshop, record, require_participant

MAX_DOTS_PER_ITEM = L.DOTS_PER_ITEM_MAX


def _lock_for(
    tx: Transaction, participant: Participant, item_id: object, phase: Phase
) -> tuple[Workshop, Item]:
    """The participant's workshop, locked, and an item of it that may be rated or voted on.

    The phase is checked under the lock, so a vote racing "close" lands before it or not at all.
    """
    workshop = lock_workshop(tx, workshop_id=participant.workshop_id)
    require_participant(tx, participant)
    if not validate.is_id(item_id):
        raise NotFound(N_("There is no such item."), field="item")
    item = tx.session.get(Item, item_id)
    if item is None:
        raise NotFound(N_("There is no such item."), field="item")
    if item.workshop_id != workshop.id:
        raise NotAllowed(N_("This item belongs to another workshop."), field="item")
    if workshop.phase != phase or not workshop.input_open:
        message = (
            N_("Rating is closed right now.") if phase == Phase.rating else N_("Voting is closed right now.")
        )
        raise PhaseClosed(message)
    if (
        item.kind not in workshop.rated_kinds
        or item.hidden
        or item.withdrawn
        or item.merged_into_id is not None
    ):
        raise Conflict(N_("This item is not up for rating or voting."), field="item")
    return workshop, item


def _on_scale(value: object, field: str, criterion: Criterion) -> int:
    """A whole number on any scale a criterion may have is well-formed; off this criterion's own
    scale it conflicts with how the workshop is set up."""
    number = validate.integer(value, field, minimum=L.SCALE_MIN, maximum=L.SCALE_MAX)
    if not criterion.scale_min <= number <= criterion.scale_max:
        raise Conflict(
            N_("This must be between %(minimum)d and %(maximum)d."),
            field=field,
            minimum=criterion.scale_min,
            maximum=criterion.scale_max,
        )
    return number


def rate_item(
    db: Database, participant: Participant, item_id: int, values: dict[str, Any]
) -> dict[str, int | None]:
    """Sets the participant's values for an item, criterion by criterion; `None` is "can't judge".
    A second rating of the same item and criterion replaces the first. Returns the values stored."""
    if not isinstance(values, dict) or not values:
        raise Invalid(N_("Give a value for at least one criterion."), field="values")
    return db.write_together(lambda tx: _rate(tx, participant, item_id, values))


def _rate(
    tx: Transaction, participant: Participant, item_id: int, values: dict[str, Any]
) -> dict[str, int | None]:
    workshop, item = _lock_for(tx, participant, item_id, Phase.rating)
    criteria = {
        criterion.key: criterion
        for criterion in tx.session.exec(select(Criterion).where(Criterion.workshop_id == workshop.id))
    }
    cleaned: dict[str, int | None] = {}
    for key, value in values.items():
        criterion = criteria.get(key)
        if criterion is None:
            raise Conflict(N_("There is no criterion %(key)s."), field=f"values.{key}", key=str(key)[:40])
        cleaned[key] = None if value is None else _on_scale(value, f"values.{key}", criterion)
    existing = {
        row.criterion_id: row
        for row in tx.session.exec(
            select(Rating).where(Rating.participant_id == participant.id, Rating.item_id == item.id)
        )
    }
    changed: dict[str, int | None] = {}
    now = utcnow()
    for key, value in cleaned.items():
        criterion = criteria[key]
        assert criterion.id is not None and workshop.id is not None and participant.id is not None
        row = existing.get(criterion.id)
        if row is None:
            row = Rating(
                workshop_id=workshop.id,
                participant_id=participant.id,
                item_id=item_id,
                criterion_id=criterion.id,
                scale_min=criterion.scale_min,
                scale_max=criterion.scale_max,
                value=value,
                rated_at=now,
                updated_at=now,
            )
            tx.session.add(row)
            existing[criterion.id] = row
            changed[key] = value
        elif row.value != value:
            row.value, row.updated_at = value, now
            changed[key] = value
    if changed:
        assert participant.id is not None
        record(
            tx,
            workshop,
            ItemRated(item_id=item_id, participant_id=participant.id, values=changed),
            participant,
        )
    return cleaned


def set_dots(db: Database, participant: Participant, item_id: int, count: Any) -> tuple[int, int]:
    """Gives `count` of the participant's dots to an item; returns the count and the dots left.
    The budget is checked inside the transaction, so parallel requests cannot overspend it."""
    value = validate.integer(count, "count", minimum=0, maximum=MAX_DOTS_PER_ITEM)
    return db.write_together(lambda tx: _place(tx, participant, item_id, value))


def _place(tx: Transaction, participant: Participant, item_id: int, value: int) -> tuple[int, int]:
    workshop, _ = _lock_for(tx, participant, item_id, Phase.prioritisation)
    elsewhere = tx.session.exec(
        select(func.coalesce(func.sum(Dots.count), 0)).where(
            Dots.participant_id == participant.id, Dots.item_id != item_id
        )
    ).one()
    row = tx.session.exec(
        select(Dots).where(Dots.participant_id == participant.id, Dots.item_id == item_id)
    ).first()
    if elsewhere + value > workshop.dot_budget:
        spent = elsewhere + (row.count if row else 0)
        raise OverBudget(
            N_plural(
                "You have %(left)d of %(budget)d dot left.",
                "You have %(left)d of %(budget)d dots left.",
                count="budget",
            ),
            field="count",
            left=max(workshop.dot_budget - spent, 0),
            budget=workshop.dot_budget,
        )
    assert workshop.id is not None and participant.id is not None
    left = workshop.dot_budget - elsewhere - value
    if row is None:
        tx.session.add(
            Dots(workshop_id=workshop.id, participant_id=participant.id, item_id=item_id, count=value)
        )
    elif row.count == value:
        return value, left
    else:
        row.count, row.updated_at = value, utcnow()
    record(tx, workshop, DotsSet(item_id=item_id, participant_id=participant.id, count=value), participant)
    return value, left
