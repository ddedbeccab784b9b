"""Real rows through the real services, for tests to start from."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import EventRecord, Facilitator, Item, Participant, Workshop
from backcast.services import accounts, items, participants, workshops

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def facilitator(db: Database, email: str | None = None) -> Facilitator:
    return accounts.add_facilitator(db, email or f"facilitator{next(_counter)}@example.org", PASSWORD)


def workshop(db: Database, owner: Facilitator | None = None, **fields: Any) -> Workshop:
    fields.setdefault("title", "Circular economy in the region 2045")
    fields.setdefault("present_year", 2026)
    fields.setdefault("vision_year", 2045)
    fields.setdefault("language", "en")
    return workshops.create_workshop(db, owner or facilitator(db), **fields)


def owner_of(db: Database, shop: Workshop) -> Facilitator:
    from backcast.models import WorkshopOwner

    with db.read() as session:
        owner_id = session.exec(
            select(WorkshopOwner.facilitator_id).where(WorkshopOwner.workshop_id == shop.id)
        ).first()
        found = session.get(Facilitator, owner_id)
        assert found is not None
        return found


def join(db: Database, shop: Workshop, **fields: Any) -> tuple[Participant, str]:
    joined = participants.join_workshop(db, shop.code, **fields)
    return joined.participant, joined.token


def phase(db: Database, shop: Workshop, target: Phase) -> Workshop:
    return workshops.set_phase(db, owner_of(db, shop), shop.code, target)


@dataclass
class Tree:
    """A workshop with a small backward tree: one milestone, one need, two measures."""

    workshop: Workshop
    owner: Facilitator
    milestone: Item
    need: Item
    measures: list[Item]


def tree(db: Database, **fields: Any) -> Tree:
    owner = facilitator(db)
    shop = workshop(db, owner, **fields)
    milestone = items.add_item(
        db, owner, shop.code, kind="milestone", text="Half of all firms share materials", year=2035
    )
    assert milestone.id is not None
    need = items.add_item(
        db, owner, shop.code, kind="need", text="A regional materials register", links=[milestone.id]
    )
    assert need.id is not None
    measures = [
        items.add_item(db, owner, shop.code, kind="measure", text=text, links=[need.id])
        for text in ("Start a materials exchange", "Train waste officers in SMEs")
    ]
    return Tree(shop, owner, milestone, need, measures)


def event_count(db: Database, shop: Workshop) -> int:
    with db.read() as session:
        return session.exec(
            select(func.count()).select_from(EventRecord).where(EventRecord.workshop_id == shop.id)
        ).one()


def fresh(db: Database, shop: Workshop) -> Workshop:
    with db.read() as session:
        found = session.get(Workshop, shop.id)
        assert found is not None
        return found


def fresh_by_code(db: Database, code: str) -> Workshop:
    with db.read() as session:
        found = session.exec(select(Workshop).where(Workshop.code == code)).first()
        assert found is not None
        return found
