"""Rating rounds (Delphi): the facilitator opens round after round in the rating phase; every
rating belongs to one, and earlier rounds stay as they were given. A round may stay open after the
workshop until a closing date the phones show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from backcast.db import Database, Transaction
from backcast.enums import Phase
from backcast.events import InputOpened, RoundClosingSet, RoundOpened
from backcast.i18n import N_
from backcast.models import Facilitator, Rating, Workshop, utcnow
from backcast.models import limits as L
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid, NotFound
from backcast.services.eventlog import record
from backcast.services.workshops import lock_owned


def closing_moment(value: object, field: str = "closes_at") -> datetime | None:
    """A closing date as an aware UTC moment; None for none."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise Invalid(N_("This must be a date and time."), field=field)
    if value.tzinfo is None:
        raise Invalid(N_("This must be a date and time with its time zone."), field=field)
    return value.astimezone(UTC)


# An asynchronous round between two workshops lasts weeks, not months.
ROUND_HOURS_MAX = 24 * 60


def closing_in(hours: object, field: str = "hours") -> datetime | None:
    """The moment `hours` from now, as the console asks for it; nothing given is no closing date."""
    if hours is None or hours == "":
        return None
    return utcnow() + timedelta(hours=validate.integer(hours, field, minimum=1, maximum=ROUND_HOURS_MAX))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def ratings_in_round(tx: Transaction, workshop: Workshop, round_: int) -> int:
    return tx.session.exec(
        select(func.count()).where(col(Rating.workshop_id) == workshop.id, col(Rating.round) == round_)
    ).one()


def open_round(db: Database, facilitator: Facilitator, code: str, closes_at: object = None) -> Workshop:
    """Opens the next round, in the rating phase, once someone rated the current one. Input opens
    with it; `closes_at`, if given, is when it stops taking ratings."""
    moment = closing_moment(closes_at)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        if workshop.phase != Phase.rating:
            raise Conflict(N_("A new round opens only in the rating phase."), field="round")
        if ratings_in_round(tx, workshop, workshop.current_round) == 0:
            raise Conflict(
                N_("Nobody has rated round %(round)d yet; a new round would compare nothing."),
                field="round",
                round=workshop.current_round,
            )
        if workshop.current_round >= L.ROUNDS_MAX:
            raise Conflict(N_("No further round can follow this one."), field="round")
        if moment is not None and moment <= utcnow():
            raise Conflict(N_("The closing date has already passed."), field="closes_at")
        workshop.current_round += 1
        workshop.round_closes_at = moment
        record(tx, workshop, RoundOpened(round=workshop.current_round, closes_at=_iso(moment)), facilitator)
        if not workshop.input_open:
            workshop.input_open = True
            record(tx, workshop, InputOpened(phase=workshop.phase), facilitator)
        return workshop


def set_round_closing(db: Database, facilitator: Facilitator, code: str, closes_at: object) -> Workshop:
    """Sets when the current round stops taking ratings: a moment in the past closes it now, None
    keeps it open without a date."""
    moment = closing_moment(closes_at)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        if workshop.round_closes_at != moment:
            workshop.round_closes_at = moment
            record(
                tx,
                workshop,
                RoundClosingSet(round=workshop.current_round, closes_at=_iso(moment)),
                facilitator,
            )
        return workshop


def close_round(db: Database, facilitator: Facilitator, code: str) -> Workshop:
    return set_round_closing(db, facilitator, code, utcnow())


CLOSING_ACTIONS = ("close", "reopen", "extend")


def change_closing(db: Database, facilitator: Facilitator, code: str, action: str, hours: object) -> Workshop:
    """The console's buttons: close the round now, keep it open without a date, or open it for
    `hours` from now."""
    if action == "close":
        return close_round(db, facilitator, code)
    if action == "reopen":
        return set_round_closing(db, facilitator, code, None)
    if action == "extend":
        closes_at = closing_in(hours)
        if closes_at is None:
            raise Invalid(N_("This cannot be empty."), field="hours")
        return set_round_closing(db, facilitator, code, closes_at)
    raise Invalid(N_("Choose one of: %(options)s."), field="action", options=", ".join(CLOSING_ACTIONS))


def require_round(workshop: Workshop, value: object, field: str = "round") -> int:
    """A round the workshop has had: 1 up to its current one. Not a whole number is malformed
    (422); a round beyond the current one does not exist (404)."""
    value = validate.integer(value, field, minimum=1, maximum=L.ROUNDS_MAX)
    if value > workshop.current_round:
        raise NotFound(
            N_("There is no round %(round)d: the workshop is in round %(current)d."),
            field=field,
            round=value,
            current=workshop.current_round,
        )
    return value
