"""The action agenda, the workshop's main outcome, and the adopted vision synthesis."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import AgendaEntry, EventRecord
from backcast.services import agenda, items
from backcast.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests import factories


def test_measures_go_on_the_agenda_in_order_with_owner_and_year(db: Database) -> None:
    tree = factories.tree(db)
    first, second = tree.measures
    entry_a = agenda.add_to_agenda(
        db, tree.owner, tree.workshop.code, first.id, owner="Chamber", start_year=2027
    )
    entry_b = agenda.add_to_agenda(db, tree.owner, tree.workshop.code, second.id)
    agenda.update_agenda_entry(
        db, tree.owner, tree.workshop.code, entry_b.id, owner="", start_year=2030, note="Pilot"
    )
    agenda.move_agenda_entry(db, tree.owner, tree.workshop.code, entry_b.id, -1)

    with db.read() as session:
        rows = agenda.agenda_of(session, tree.workshop)
        types = session.exec(select(EventRecord.type).where(EventRecord.type.startswith("agenda"))).all()  # type: ignore[attr-defined]
    assert [(row.item_id, row.owner, row.start_year, row.note) for row in rows] == [
        (second.id, "", 2030, "Pilot"),
        (first.id, "Chamber", 2027, ""),
    ]
    assert list(types) == [
        "agenda-entry-added",
        "agenda-entry-added",
        "agenda-entry-updated",
        "agenda-reordered",
    ]

    agenda.remove_from_agenda(db, tree.owner, tree.workshop.code, entry_a.id)
    with db.read() as session:
        assert [row.item_id for row in agenda.agenda_of(session, tree.workshop)] == [second.id]


def test_the_agenda_refuses_what_does_not_belong_on_it(db: Database) -> None:
    tree, other = factories.tree(db), factories.tree(db)
    code = tree.workshop.code
    agenda.add_to_agenda(db, tree.owner, code, tree.measures[0].id)
    with pytest.raises(Conflict):
        agenda.add_to_agenda(db, tree.owner, code, tree.measures[0].id)
    with pytest.raises(Invalid):
        agenda.add_to_agenda(db, tree.owner, code, tree.need.id)
    with pytest.raises(NotFound):
        agenda.add_to_agenda(db, tree.owner, code, other.measures[0].id)
    with pytest.raises(Invalid):
        agenda.add_to_agenda(db, tree.owner, code, tree.measures[1].id, start_year=2100)
    with pytest.raises(NotAllowed):
        agenda.add_to_agenda(db, other.owner, code, tree.measures[1].id)
    with db.read() as session:
        assert len(session.exec(select(AgendaEntry)).all()) == 1


def test_only_a_vision_statement_is_adopted_as_synthesis(db: Database) -> None:
    tree = factories.tree(db)
    vision = items.add_item(db, tree.owner, tree.workshop.code, kind="vision", text="A circular region")
    assert items.moderate_item(db, tree.owner, vision.id, adopted=True).adopted
    # A need is an item of another kind: the workshop's state stands against it (409).
    with pytest.raises(Conflict):
        items.moderate_item(db, tree.owner, tree.need.id, adopted=True)


def test_console_builds_the_agenda_and_the_screen_shows_a_roadmap(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.results)
    client.post("/login", data={"email": tree.owner.email, "password": factories.PASSWORD})
    code = tree.workshop.code

    page = BeautifulSoup(
        client.post(f"/facilitate/{code}/agenda", data={"item_id": tree.measures[1].id}).text, "html.parser"
    )
    entry_id = agenda_entry_id(db)
    client.post(
        f"/facilitate/{code}/agenda/{entry_id}", data={"owner": "IHK", "start_year": "2028", "note": ""}
    )
    wrong = client.post(f"/facilitate/{code}/agenda/{entry_id}", data={"owner": "IHK", "start_year": "1999"})
    assert wrong.status_code == 422
    assert [li.find("span").get_text() for li in page.select(".candidates li")] == [
        "Start a materials exchange"
    ]

    screen = BeautifulSoup(client.get(f"/w/{code}/screen").text, "html.parser")
    assert [p.get_text() for p in screen.select(".roadmap .year")] == ["From 2028"]
    assert [p.get_text(" ", strip=True) for p in screen.select(".roadmap-entry")] == [
        "Train waste officers in SMEs IHK"
    ]


def agenda_entry_id(db: Database) -> int:
    with db.read() as session:
        entry = session.exec(select(AgendaEntry)).one()
        assert entry.id is not None
        return entry.id
