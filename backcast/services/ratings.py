"""Rating items on the workshop's criteria, and spreading dots."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select, update

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

# The rating and dot paths are the busiest writes a workshop has (every tap on every phone), so
# they read and write with plain statements on the transaction's connection: loading, tracking and
# flushing ORM objects cost several times the SQL itself. The workshop row stays an ORM object,
# locked once per group (`lock_workshop`), and the event goes through `record` like every other.
# SQLModel's classes do not declare the `__table__` SQLAlchemy gives them, hence the ignores.
_ITEM = Item.__table__  # type: ignore[attr-defined]
_CRITERION = Criterion.__table__  # type: ignore[attr-defined]
_RATING = Rating.__table__  # type: ignore[attr-defined]
_DOTS = Dots.__table__  # type: ignore[attr-defined]


# Built once, run with parameters: building a statement and its cache key on every write cost
# more than running it.
_ITEM_STATE = select(
    _ITEM.c.workshop_id, _ITEM.c.kind, _ITEM.c.hidden, _ITEM.c.withdrawn, _ITEM.c.merged_into_id
).where(_ITEM.c.id == bindparam("iid"))
_CRITERIA = select(_CRITERION.c.key, _CRITERION.c.id, _CRITERION.c.scale_min, _CRITERION.c.scale_max).where(
    _CRITERION.c.workshop_id == bindparam("workshop_id")
)
# A participant's ratings of an item in the workshop's current round; earlier rounds stay as given.
_MINE = (
    (_RATING.c.participant_id == bindparam("pid"))
    & (_RATING.c.item_id == bindparam("iid"))
    & (_RATING.c.round == bindparam("in_round"))
)
_RATINGS_HELD = select(_RATING.c.criterion_id, _RATING.c.value).where(_MINE)
_INSERT_RATING = insert(_RATING)
_UPDATE_RATING = (
    update(_RATING)
    .where(_MINE, _RATING.c.criterion_id == bindparam("cid"))
    .values(value=bindparam("new_value"), updated_at=bindparam("now", type_=_RATING.c.updated_at.type))
)
_MY_DOTS = (_DOTS.c.participant_id == bindparam("pid")) & (_DOTS.c.item_id == bindparam("iid"))
_DOTS_ELSEWHERE = select(func.coalesce(func.sum(_DOTS.c.count), 0)).where(
    _DOTS.c.participant_id == bindparam("pid"), _DOTS.c.item_id != bindparam("iid")
)
_DOTS_HERE = select(_DOTS.c.count).where(_MY_DOTS)
_INSERT_DOTS = insert(_DOTS)
_UPDATE_DOTS = (
    update(_DOTS)
    .where(_MY_DOTS)
    .values(count=bindparam("new_count"), updated_at=bindparam("now", type_=_DOTS.c.updated_at.type))
)


class _Scale(NamedTuple):
    id: int
    scale_min: int
    scale_max: int


def _lock_for(tx: Transaction, participant: Participant, item_id: object, phase: Phase) -> Workshop:
    """The participant's workshop, locked, once it is clear that the item may be rated or voted on.

    The phase is checked under the lock, so a vote racing "close" lands before it or not at all.
    """
    workshop = lock_workshop(tx, workshop_id=participant.workshop_id)
    require_participant(tx, participant)
    if not validate.is_id(item_id):
        raise NotFound(N_("There is no such item."), field="item")
    item = tx.session.connection().execute(_ITEM_STATE, {"iid": item_id}).first()
    if item is None:
        raise NotFound(N_("There is no such item."), field="item")
    if item.workshop_id != workshop.id:
        raise NotAllowed(N_("This item belongs to another workshop."), field="item")
    if workshop.phase != phase or not workshop.input_open:
        message = (
            N_("Rating is closed right now.") if phase == Phase.rating else N_("Voting is closed right now.")
        )
        raise PhaseClosed(message)
    if phase == Phase.rating and round_closed(workshop):
        raise PhaseClosed(N_("Round %(round)d is closed."), round=workshop.current_round)
    if (
        item.kind not in workshop.rated_kinds
        or item.hidden
        or item.withdrawn
        or item.merged_into_id is not None
    ):
        raise Conflict(N_("This item is not up for rating or voting."), field="item")
    return workshop


def round_closed(workshop: Workshop) -> bool:
    """Whether the current round's closing date has passed (a round without one stays open)."""
    return workshop.round_closes_at is not None and workshop.round_closes_at <= utcnow()


def _on_scale(value: object, field: str, criterion: _Scale) -> int:
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


async def rate_item_async(
    db: Database, participant: Participant, item_id: int, values: dict[str, Any]
) -> dict[str, int | None]:
    """`rate_item` for a caller in the event loop: the same write, with no worker thread to wait in."""
    if not isinstance(values, dict) or not values:
        raise Invalid(N_("Give a value for at least one criterion."), field="values")
    return await db.write_together_async(lambda tx: _rate(tx, participant, item_id, values))


def _rate(
    tx: Transaction, participant: Participant, item_id: int, values: dict[str, Any]
) -> dict[str, int | None]:
    workshop = _lock_for(tx, participant, item_id, Phase.rating)
    connection = tx.session.connection()
    criteria = {
        row.key: _Scale(row.id, row.scale_min, row.scale_max)
        for row in connection.execute(_CRITERIA, {"workshop_id": workshop.id})
    }
    cleaned: dict[str, int | None] = {}
    for key, value in values.items():
        criterion = criteria.get(key)
        if criterion is None:
            raise Conflict(N_("There is no criterion %(key)s."), field=f"values.{key}", key=str(key)[:40])
        cleaned[key] = None if value is None else _on_scale(value, f"values.{key}", criterion)
    mine = {"pid": participant.id, "iid": item_id, "in_round": workshop.current_round}
    existing: dict[int, int | None] = {
        row.criterion_id: row.value for row in connection.execute(_RATINGS_HELD, mine)
    }
    changed: dict[str, int | None] = {}
    added: list[dict[str, Any]] = []
    now = utcnow()
    for key, value in cleaned.items():
        criterion = criteria[key]
        if criterion.id not in existing:
            added.append(
                {
                    "workshop_id": workshop.id,
                    "participant_id": participant.id,
                    "item_id": item_id,
                    "criterion_id": criterion.id,
                    "scale_min": criterion.scale_min,
                    "scale_max": criterion.scale_max,
                    "value": value,
                    "round": workshop.current_round,
                    "rated_at": now,
                    "updated_at": now,
                }
            )
        elif existing[criterion.id] != value:
            connection.execute(_UPDATE_RATING, {**mine, "cid": criterion.id, "new_value": value, "now": now})
        else:
            continue
        existing[criterion.id] = value
        changed[key] = value
    if added:
        connection.execute(_INSERT_RATING, added)
    if changed:
        assert participant.id is not None
        record(
            tx,
            workshop,
            ItemRated(
                item_id=item_id, participant_id=participant.id, values=changed, round=workshop.current_round
            ),
            participant,
        )
    return cleaned


def set_dots(db: Database, participant: Participant, item_id: int, count: Any) -> tuple[int, int]:
    """Gives `count` of the participant's dots to an item; returns the count and the dots left.
    The budget is checked inside the transaction, so parallel requests cannot overspend it."""
    value = validate.integer(count, "count", minimum=0, maximum=MAX_DOTS_PER_ITEM)
    return db.write_together(lambda tx: _place(tx, participant, item_id, value))


async def set_dots_async(db: Database, participant: Participant, item_id: int, count: Any) -> tuple[int, int]:
    """`set_dots` for a caller in the event loop: the same write, with no worker thread to wait in."""
    value = validate.integer(count, "count", minimum=0, maximum=MAX_DOTS_PER_ITEM)
    return await db.write_together_async(lambda tx: _place(tx, participant, item_id, value))


def _place(tx: Transaction, participant: Participant, item_id: int, value: int) -> tuple[int, int]:
    workshop = _lock_for(tx, participant, item_id, Phase.prioritisation)
    connection = tx.session.connection()
    mine = {"pid": participant.id, "iid": item_id}
    elsewhere = connection.execute(_DOTS_ELSEWHERE, mine).scalar_one()
    found = connection.execute(_DOTS_HERE, mine).first()
    here: int | None = found[0] if found is not None else None  # `Row.count` is tuple's method
    if elsewhere + value > workshop.dot_budget:
        spent = elsewhere + (here or 0)
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
    if here is None:
        connection.execute(
            _INSERT_DOTS,
            {
                "workshop_id": workshop.id,
                "participant_id": participant.id,
                "item_id": item_id,
                "count": value,
                "updated_at": utcnow(),
            },
        )
    elif here == value:
        return value, left
    else:
        connection.execute(_UPDATE_DOTS, {**mine, "new_count": value, "now": utcnow()})
    record(tx, workshop, DotsSet(item_id=item_id, participant_id=participant.id, count=value), participant)
    return value, left
