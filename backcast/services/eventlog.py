"""Appending to a workshop's event log, and the lock that keeps its `seq` gap-free."""

from __future__ import annotations

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


def require_participant(tx: Transaction, actor: Actor) -> None:
    """Refuses a participant who no longer exists (401): their token may have been looked up a
    moment before another server process deleted them (`token_cache`). Called before a change adds
    rows that point at them, whose foreign keys would otherwise fail as a server error."""
    if isinstance(actor, Participant) and actor not in tx.session:
        with tx.session.no_autoflush:
            if tx.session.get(Participant, actor.id) is None:
                raise NotAuthenticated(N_("This token is not valid."))


def record(tx: Transaction, workshop: Workshop, event: Event, actor: Actor) -> EventRecord:
    """Appends `event` with the workshop's next `seq`; published once the transaction commits.

    A participant acting must still exist: their token may have been looked up a moment before
    another server process deleted them (`token_cache`).
    """
    assert workshop.id is not None
    require_participant(tx, actor)
    workshop.last_seq += 1
    workshop.updated_at = utcnow()
    row = EventRecord(
        workshop_id=workshop.id,
        seq=workshop.last_seq,
        type=event.type,
        actor=actor_label(actor),
        data=event.model_dump(mode="json"),
    )
    tx.session.add(workshop)
    tx.session.add(row)
    tx.will_publish(workshop.id, workshop.last_seq)
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
