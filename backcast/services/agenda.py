"""The action agenda: the measures the workshop decides to pursue, with owner, start year and note."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from backcast.db import Database, Transaction
from backcast.events import AgendaEntryAdded, AgendaEntryRemoved, AgendaEntryUpdated, AgendaReordered
from backcast.i18n import N_
from backcast.models import AgendaEntry, Facilitator, Item, Workshop
from backcast.models import limits as L
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid, NotFound
from backcast.services.eventlog import record
from backcast.services.items import up_for_rating
from backcast.services.workshops import lock_owned


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


def agenda_of(session: Session, workshop: Workshop) -> list[AgendaEntry]:
    query = (
        select(AgendaEntry)
        .where(AgendaEntry.workshop_id == workshop.id)
        .order_by(col(AgendaEntry.position), col(AgendaEntry.id))
    )
    return list(session.exec(query))
