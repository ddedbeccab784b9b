"""The action agenda: the measures the workshop decides to pursue, with owner, start year and note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from backcast.db import Database, Transaction
from backcast.enums import AgendaStatus
from backcast.events import (
    AgendaEntryAdded,
    AgendaEntryRemoved,
    AgendaEntryUpdated,
    AgendaReordered,
    AgendaStatusChanged,
)
from backcast.i18n import N_
from backcast.models import AgendaEntry, AgendaHistory, Facilitator, Item, Workshop
from backcast.models import limits as L
from backcast.models.base import utcnow
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid, NotFound
from backcast.services.eventlog import record
from backcast.services.items import up_for_rating
from backcast.services.workshops import lock_owned, viewable_workshop


def _start_year(workshop: Workshop, value: Any) -> int | None:
    if value is None or value == "":
        return None
    return validate.year(value, "start_year", minimum=workshop.present_year, maximum=workshop.vision_year)


def _entry(tx: Transaction, workshop: Workshop, entry_id: Any) -> AgendaEntry:
    entry = tx.session.get(AgendaEntry, entry_id) if validate.is_id(entry_id) else None
    if entry is None or entry.workshop_id != workshop.id:
        raise NotFound(N_("This measure is not on the agenda."), field="entry")
    return entry


def add_to_agenda(
    db: Database,
    facilitator: Facilitator,
    code: str,
    item_id: int,
    *,
    owner: str = "",
    start_year: Any = None,
    note: str = "",
) -> AgendaEntry:
    owner = validate.text(owner, "owner", max_length=L.OWNER_MAX, required=False, multiline=False)
    note = validate.text(note, "note", max_length=L.NOTE_MAX, required=False)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        item = tx.session.get(Item, item_id) if validate.is_id(item_id) else None
        if item is None or item.workshop_id != workshop.id:
            raise NotFound(N_("There is no such item."), field="item")
        if not up_for_rating(workshop, item):
            raise Invalid(N_("Only the measures that were rated can go on the agenda."), field="item")
        exists = tx.session.exec(
            select(AgendaEntry.id).where(
                AgendaEntry.workshop_id == workshop.id, AgendaEntry.item_id == item.id
            )
        ).first()
        if exists is not None:
            raise Conflict(N_("This measure is on the agenda already."), field="item")
        position = (
            tx.session.exec(
                select(func.coalesce(func.max(AgendaEntry.position), -1)).where(
                    AgendaEntry.workshop_id == workshop.id
                )
            ).one()
            + 1
        )
        assert workshop.id is not None and item.id is not None
        entry = AgendaEntry(
            workshop_id=workshop.id,
            item_id=item.id,
            owner=owner,
            start_year=_start_year(workshop, start_year),
            note=note,
            position=position,
        )
        tx.session.add(entry)
        tx.session.flush()
        assert entry.id is not None
        record(
            tx,
            workshop,
            AgendaEntryAdded(
                entry_id=entry.id,
                item_id=item.id,
                owner=owner,
                start_year=entry.start_year,
                note=note,
                position=position,
            ),
            facilitator,
        )
        return entry


def update_agenda_entry(
    db: Database,
    facilitator: Facilitator,
    code: str,
    entry_id: int,
    *,
    owner: str,
    start_year: Any,
    note: str,
) -> AgendaEntry:
    owner = validate.text(owner, "owner", max_length=L.OWNER_MAX, required=False, multiline=False)
    note = validate.text(note, "note", max_length=L.NOTE_MAX, required=False)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        entry = _entry(tx, workshop, entry_id)
        year = _start_year(workshop, start_year)
        if (entry.owner, entry.start_year, entry.note) != (owner, year, note):
            entry.owner, entry.start_year, entry.note = owner, year, note
            assert entry.id is not None
            event = AgendaEntryUpdated(entry_id=entry.id, owner=owner, start_year=year, note=note)
            record(tx, workshop, event, facilitator)
        return entry


def remove_from_agenda(db: Database, facilitator: Facilitator, code: str, entry_id: int) -> None:
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        entry = _entry(tx, workshop, entry_id)
        assert entry.id is not None
        record(tx, workshop, AgendaEntryRemoved(entry_id=entry.id, item_id=entry.item_id), facilitator)
        tx.session.delete(entry)


def move_agenda_entry(db: Database, facilitator: Facilitator, code: str, entry_id: int, step: int) -> None:
    """Moves an entry one place up (-1) or down (+1); the ends stay where they are."""
    if step not in (-1, 1):
        raise Invalid(N_("Move one place up or down."), field="step")
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        entry = _entry(tx, workshop, entry_id)
        entries = agenda_of(tx.session, workshop)
        index = next(n for n, candidate in enumerate(entries) if candidate.id == entry.id)
        target = index + step
        if not 0 <= target < len(entries):
            return
        entries[index], entries[target] = entries[target], entries[index]
        for position, candidate in enumerate(entries):
            candidate.position = position
        record(tx, workshop, AgendaReordered(order=[e.id for e in entries if e.id is not None]), facilitator)


def _changed_on(value: Any) -> date:
    if value is None or value == "":
        return utcnow().date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) <= 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(N_("Give the date as year-month-day, e.g. 2027-03-01."), field="changed_on")


def workshop_day(workshop: Workshop) -> date:
    """The first day a follow-up can be dated: the day the workshop was held, or else created."""
    return workshop.held_on or workshop.created_at.date()


def set_agenda_status(
    db: Database,
    facilitator: Facilitator,
    code: str,
    entry_id: Any,
    *,
    status: Any,
    changed_on: Any = None,
    note: Any = "",
) -> AgendaHistory | None:
    """Records a status change (or a note on the same status) with its date, kept in the agenda's
    history; the same status with no note changes nothing and returns None."""
    chosen = validate.choice(status, "status", AgendaStatus)
    day = _changed_on(changed_on)
    note = validate.text(note, "note", max_length=L.NOTE_MAX, required=False)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        entry = _entry(tx, workshop, entry_id)
        if day < workshop_day(workshop):
            raise Conflict(
                N_("This date is before the workshop (%(day)s); give a later one."),
                field="changed_on",
                day=workshop_day(workshop).isoformat(),
            )
        if entry.status == chosen and not note:
            return None
        assert workshop.id is not None and entry.id is not None
        row = AgendaHistory(
            workshop_id=workshop.id,
            entry_id=entry.id,
            item_id=entry.item_id,
            previous_status=entry.status,
            status=chosen,
            changed_on=day,
            note=note,
        )
        entry.status = chosen
        tx.session.add(row)
        tx.session.flush()
        assert row.id is not None
        event = AgendaStatusChanged(
            entry_id=entry.id,
            item_id=entry.item_id,
            history_id=row.id,
            previous_status=row.previous_status,
            status=chosen,
            changed_on=day.isoformat(),
            note=note,
        )
        record(tx, workshop, event, facilitator)
        return row


def history_of(session: Session, workshop: Workshop) -> list[AgendaHistory]:
    """Every status change of the workshop's agenda, in the order recorded."""
    query = (
        select(AgendaHistory).where(AgendaHistory.workshop_id == workshop.id).order_by(col(AgendaHistory.id))
    )
    return list(session.exec(query))


def agenda_of(session: Session, workshop: Workshop) -> list[AgendaEntry]:
    query = (
        select(AgendaEntry)
        .where(AgendaEntry.workshop_id == workshop.id)
        .order_by(col(AgendaEntry.position), col(AgendaEntry.id))
    )
    return list(session.exec(query))


@dataclass(frozen=True)
class FollowedEntry:
    """An agenda entry, its measure's text and its status history, oldest first."""

    entry: AgendaEntry
    text: str
    history: list[AgendaHistory]


def followed_agenda(session: Session, workshop: Workshop) -> list[FollowedEntry]:
    entries = agenda_of(session, workshop)
    texts = dict(session.exec(select(Item.id, Item.text).where(Item.workshop_id == workshop.id)).all())
    history: dict[int, list[AgendaHistory]] = {}
    for row in history_of(session, workshop):
        history.setdefault(row.entry_id, []).append(row)
    return [
        FollowedEntry(entry, texts.get(entry.item_id, ""), history.get(entry.id or 0, []))
        for entry in entries
    ]


def agenda_for(db: Database, facilitator: Facilitator, code: str) -> list[FollowedEntry]:
    """The agenda with its follow-up, for whoever may read the workshop."""
    workshop = viewable_workshop(db, facilitator, code)
    with db.read() as session:
        return followed_agenda(session, workshop)


def followed_entry(db: Database, facilitator: Facilitator, code: str, entry_id: Any) -> FollowedEntry:
    for followed in agenda_for(db, facilitator, code):
        if followed.entry.id == entry_id:
            return followed
    raise NotFound(N_("This measure is not on the agenda."), field="entry")
