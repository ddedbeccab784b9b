"""How each store is set up, and that the event log reads back as the typed catalogue."""

from __future__ import annotations

from sqlalchemy import event, text
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.events import EVENT_TYPES, parse_event
from backcast.models import EventRecord
from backcast.services import items, ratings
from tests import factories


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as connection:
        pragmas = {
            name: connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 15000}


def test_sqlite_writes_take_the_lock_up_front(sqlite_db: Database) -> None:
    statements: list[str] = []

    @event.listens_for(sqlite_db.engine, "before_cursor_execute")
    def remember(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    with sqlite_db.write() as tx:
        tx.session.execute(text("SELECT 1"))
    with sqlite_db.read() as session:
        session.execute(text("SELECT 1"))

    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


def test_every_logged_event_reads_back_as_its_catalogue_model(db: Database) -> None:
    tree = factories.tree(db)
    person, _ = factories.join(db, tree.workshop, group="sme")
    factories.phase(db, tree.workshop, Phase.rating)
    ratings.rate_item(db, person, tree.measures[0].id, {"impact": 4, "urgency": None})
    factories.phase(db, tree.workshop, Phase.prioritisation)
    ratings.set_dots(db, person, tree.measures[0].id, 1)
    items.moderate_item(db, tree.owner, tree.measures[1].id, text="Train waste officers", hidden=True)

    with db.read() as session:
        rows = session.exec(
            select(EventRecord).where(EventRecord.workshop_id == tree.workshop.id).order_by(EventRecord.seq)
        ).all()

    parsed = [parse_event(row.type, row.data) for row in rows]
    assert [event.type for event in parsed] == [row.type for row in rows]
    assert {row.type for row in rows} >= {
        "workshop-created",
        "owner-added",
        "item-added",
        "participant-joined",
        "phase-changed",
        "item-rated",
        "dots-set",
        "item-edited",
        "item-hidden",
    }
    assert all(row.type in EVENT_TYPES for row in rows)
    assert {row.actor for row in rows} == {f"facilitator:{tree.owner.id}", f"participant:{person.id}"}
