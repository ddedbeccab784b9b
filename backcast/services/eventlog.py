"""Appending to a workshop's event log, and the lock that keeps its `seq` gap-free."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from backcast.db import Transaction
from backcast.events import Event
from backcast.i18n import N_
from backcast.models import (
    AccountEvent,
    EventRecord,
    Facilitator,
    Participant,
    Study,
    StudyEvent,
    Workshop,
    utcnow,
)
from backcast.services.errors import NotAuthenticated, NotFound
from backcast.services.validate import is_id

Actor = Facilitator | Participant | None


def actor_label(actor: Actor) -> str:
    if isinstance(actor, Facilitator):
        return f"facilitator:{actor.id}"
    if isinstance(actor, Participant):
        return f"participant:{actor.id}"
    return "system"


def lock_workshop(tx: Transaction, *, code: str | None = None, workshop_id: int | None = None) -> Workshop:
    """The workshop, locked for the rest of the transaction.

    Every write to a workshop starts here. On PostgreSQL the row lock serialises writers of one
    workshop, so the phase they checked still holds at commit and `seq` has no gaps; SQLite's
    `BEGIN IMMEDIATE` already serialises all writers.
    """
    if workshop_id is not None and workshop_id in tx.locked:
        return tx.locked[workshop_id]
    query = select(Workshop).with_for_update()
    query = (
        query.where(Workshop.code == code) if code is not None else query.where(Workshop.id == workshop_id)
    )
    workshop = tx.session.exec(query).one_or_none()
    if workshop is None:
        raise NotFound(N_("There is no workshop with this code."), field="code")
    assert workshop.id is not None
    tx.locked[workshop.id] = workshop
    return workshop


# SQLModel's classes do not declare the `__table__` SQLAlchemy gives them, hence the ignores.
_PARTICIPANT = Participant.__table__  # type: ignore[attr-defined]
_EVENT = EventRecord.__table__  # type: ignore[attr-defined]
_WORKSHOP = Workshop.__table__  # type: ignore[attr-defined]
# Built once: building a statement and its cache key on every write cost more than running it.
_PARTICIPANT_EXISTS = select(_PARTICIPANT.c.id).where(_PARTICIPANT.c.id == bindparam("id"))
_INSERT_EVENT = insert(_EVENT)
# The next seq comes from the row itself, in the transaction that holds the workshop's lock.
_NEXT_SEQ = (
    update(_WORKSHOP)
    .where(_WORKSHOP.c.id == bindparam("workshop_id"))
    .values(last_seq=_WORKSHOP.c.last_seq + 1, updated_at=bindparam("now", type_=_WORKSHOP.c.updated_at.type))
    .returning(_WORKSHOP.c.last_seq)
)


def require_participant(tx: Transaction, actor: Actor) -> None:
    """Refuses a participant who no longer exists (401): their token may have been looked up a
    moment before another server process deleted them (`token_cache`). Called before a change adds
    rows that point at them, whose foreign keys would otherwise fail as a server error.

    One plain statement per participant and transaction: the rating path runs this for every
    write, and loading an ORM object for a yes or no cost more than the rating's own SQL."""
    if not isinstance(actor, Participant) or actor.id in tx.present or actor in tx.session:
        return
    found = tx.session.connection().execute(_PARTICIPANT_EXISTS, {"id": actor.id}).first()
    if found is None:
        raise NotAuthenticated(N_("This token is not valid."))
    assert actor.id is not None
    tx.present.add(actor.id)


def record(
    tx: Transaction, workshop: Workshop, event: Event, actor: Actor, *, label: str | None = None
) -> EventRecord:
    """Appends `event` with the workshop's next `seq`; published once the transaction commits.

    A participant acting must still exist: their token may have been looked up a moment before
    another server process deleted them (`token_cache`).

    The workshop's `last_seq` is counted on in the database and the event row inserted, each by
    one plain statement (the ORM's unit of work for them was most of a rating's cost). The seq is
    the stored one plus one, so a savepoint rolled back after an earlier `record` takes its seq
    back with it; the workshop object is told the new value without a change to flush. The row
    returned is not in the session: `label`, when given, is the actor written instead of the
    acting one's.
    """
    assert workshop.id is not None
    require_participant(tx, actor)
    now = utcnow()
    connection = tx.session.connection()
    seq = connection.execute(_NEXT_SEQ, {"workshop_id": workshop.id, "now": now}).scalar_one()
    set_committed_value(workshop, "last_seq", seq)
    set_committed_value(workshop, "updated_at", now)
    row = EventRecord(
        workshop_id=workshop.id,
        seq=seq,
        type=event.type,
        actor=label if label is not None else actor_label(actor),
        data=event.model_dump(mode="json"),
        created_at=now,
    )
    connection.execute(
        _INSERT_EVENT,
        {
            "workshop_id": row.workshop_id,
            "seq": seq,
            "type": row.type,
            "actor": row.actor,
            "data": row.data,
            "created_at": now,
        },
    )
    tx.will_publish(workshop.id, seq)
    return row


def record_account(tx: Transaction, event: Event) -> None:
    tx.session.add(AccountEvent(type=event.type, data=event.model_dump(mode="json")))


def lock_study(tx: Transaction, study_id: object) -> Study:
    """The study, locked for the rest of the transaction: its log's `seq` stays gap-free as a
    workshop's does."""
    study = (
        tx.session.exec(select(Study).where(Study.id == study_id).with_for_update()).one_or_none()
        if is_id(study_id)
        else None
    )
    if study is None:
        raise NotFound(N_("There is no such study."), field="study")
    return study


def record_study(tx: Transaction, study: Study, event: Event, actor: Actor) -> StudyEvent:
    """Appends `event` to the study's own log (`study_event`), numbered like a workshop's."""
    assert study.id is not None
    study.last_seq += 1
    study.updated_at = utcnow()
    row = StudyEvent(
        study_id=study.id,
        seq=study.last_seq,
        type=event.type,
        actor=actor_label(actor),
        data=event.model_dump(mode="json"),
    )
    tx.session.add(study)
    tx.session.add(row)
    return row


def events_since(
    session: Session, workshop_id: int, after_seq: int = 0, limit: int = 1000
) -> list[EventRecord]:
    query = (
        select(EventRecord)
        .where(EventRecord.workshop_id == workshop_id, EventRecord.seq > after_seq)
        .order_by(col(EventRecord.seq))
        .limit(limit)
    )
    return list(session.exec(query))
