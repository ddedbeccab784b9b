"""Following the agenda up: each entry's status changes with a date and a note, kept as history
that is never overwritten, from the console and the API; what does not fit changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import AgendaEntry, AgendaHistory, EventRecord
from backcast.services import accounts, agenda
from backcast.services.errors import Conflict, Invalid, NotFound
from tests import factories


def _agenda(db: Database) -> tuple[factories.Tree, AgendaEntry]:
    tree = factories.tree(db)
    entry = agenda.add_to_agenda(db, tree.owner, tree.workshop.code, tree.measures[0].id, owner="IHK")
    return tree, entry


def _history(db: Database) -> list[tuple[str, str, str, str]]:
    with db.read() as session:
        rows = session.exec(select(AgendaHistory).order_by(AgendaHistory.id)).all()  # type: ignore[arg-type]
        return [(row.previous_status, row.status, row.changed_on.isoformat(), row.note) for row in rows]


def test_each_status_change_is_kept_with_its_date_and_note(db: Database) -> None:
    tree, entry = _agenda(db)
    code = tree.workshop.code
    later = date.today().replace(year=date.today().year + 1)
    agenda.set_agenda_status(
        db, tree.owner, code, entry.id, status="started", changed_on="2099-01-05", note="Kick-off"
    )
    agenda.set_agenda_status(db, tree.owner, code, entry.id, status="started", note="Second meeting")
    agenda.set_agenda_status(db, tree.owner, code, entry.id, status="done", changed_on=later)
    # The same status without a note is no change.
    assert agenda.set_agenda_status(db, tree.owner, code, entry.id, status="done") is None

    today = date.today().isoformat()
    assert _history(db) == [
        ("planned", "started", "2099-01-05", "Kick-off"),
        ("started", "started", today, "Second meeting"),
        ("started", "done", later.isoformat(), ""),
    ]
    with db.read() as session:
        assert session.get(AgendaEntry, entry.id).status == "done"  # type: ignore[union-attr]
        types = session.exec(
            select(EventRecord.type).where(EventRecord.type == "agenda-status-changed")
        ).all()
    assert len(types) == 3

    # Taken off the agenda, the entry's follow-up stays on record.
    agenda.remove_from_agenda(db, tree.owner, code, entry.id)
    assert len(_history(db)) == 3


def test_a_status_change_that_does_not_fit_changes_nothing(db: Database) -> None:
    tree, entry = _agenda(db)
    _other, other_entry = _agenda(db)
    code = tree.workshop.code
    before = factories.event_count(db, tree.workshop)
    with pytest.raises(NotFound):
        agenda.set_agenda_status(db, tree.owner, code, other_entry.id, status="started")
    with pytest.raises(NotFound):
        agenda.set_agenda_status(db, tree.owner, code, 999_999, status="started")
    with pytest.raises(Invalid):
        agenda.set_agenda_status(db, tree.owner, code, entry.id, status="finished")
    with pytest.raises(Invalid):
        agenda.set_agenda_status(db, tree.owner, code, entry.id, status="started", changed_on="5 May")
    with pytest.raises(Conflict):
        agenda.set_agenda_status(db, tree.owner, code, entry.id, status="started", changed_on="2001-01-01")
    assert _history(db) == []
    assert factories.event_count(db, tree.workshop) == before
    with db.read() as session:
        assert session.get(AgendaEntry, entry.id).status == "planned"  # type: ignore[union-attr]


def test_the_api_sets_a_status_and_answers_each_refusal_by_the_status_table(
    client: TestClient, db: Database
) -> None:
    tree, entry = _agenda(db)
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, tree.owner.email)}"}
    url = f"/api/v1/workshops/{tree.workshop.code}/agenda"

    changed = client.patch(
        f"{url}/{entry.id}",
        json={"status": "started", "changed_on": "2099-02-01", "note": "Funding found"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["status"], body["owner"]) == ("started", "IHK")
    assert [
        (row["previous_status"], row["status"], row["changed_on"], row["note"]) for row in body["history"]
    ] == [("planned", "started", "2099-02-01", "Funding found")]
    assert [row["status"] for row in client.get(url, headers=headers).json()] == ["started"]

    missing = client.patch(f"{url}/999999", json={"status": "done"}, headers=headers)
    unknown = client.patch(f"{url}/{entry.id}", json={"status": "finished"}, headers=headers)
    early = client.patch(
        f"{url}/{entry.id}", json={"status": "done", "changed_on": "2000-01-01"}, headers=headers
    )
    assert (missing.status_code, unknown.status_code, early.status_code) == (404, 422, 409)
    assert early.json()["field"] == "changed_on"
    assert [row["status"] for row in client.get(url, headers=headers).json()] == ["started"]
    assert len(_history(db)) == 1


def test_the_console_records_a_status_and_shows_the_history(client: TestClient, db: Database) -> None:
    tree, entry = _agenda(db)
    factories.phase(db, tree.workshop, Phase.results)
    client.post("/login", data={"email": tree.owner.email, "password": factories.PASSWORD})
    url = f"/facilitate/{tree.workshop.code}/agenda/{entry.id}/status"

    client.post(url, data={"status": "dropped", "changed_on": "2099-03-01", "note": "No partner"})
    refused = client.post(url, data={"status": "done", "changed_on": "1999-12-31"})
    assert refused.status_code == 422

    page = BeautifulSoup(client.get(f"/facilitate/{tree.workshop.code}").text, "html.parser")
    assert [li.get_text(" ", strip=True) for li in page.select(".agenda-history li")] == [
        "2099-03-01 : planned → dropped · No partner"
    ]
    assert page.select_one(".agenda-status select option[selected]")["value"] == "dropped"  # type: ignore[index]
