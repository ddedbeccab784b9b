"""Data protection: deleting one participant's data, retention of closed workshops, and the
consent each participant gave, kept with its text."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, update
from sqlmodel import select

from backcast import credentials
from backcast.analysis.data import load_workshop
from backcast.analysis.results import compute_results
from backcast.app import create_app
from backcast.db import Database
from backcast.enums import Phase
from backcast.export.exporter import FORMATS
from backcast.export.schema import TABLES
from backcast.models import EventRecord, Facilitator, Item, Participant, Workshop, metadata, utcnow
from backcast.services import accounts, configuration, items, participants, ratings, token_cache
from backcast.services.errors import NotAllowed, NotAuthenticated, NotFound
from backcast.settings import Settings
from tests import factories
from tests.scenario import rated_workshop
from tests.test_api import api_token, assert_problem


def row_counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in metadata.sorted_tables
        }


def entries(db: Database, shop: Workshop) -> list[EventRecord]:
    with db.read() as session:
        return list(
            session.exec(
                select(EventRecord).where(EventRecord.workshop_id == shop.id).order_by(EventRecord.seq)
            )
        )


def impact_mean(db: Database, shop: Workshop, item_id: int) -> float:
    results = compute_results(load_workshop(db, factories.fresh(db, shop)))
    found = next(result for result in results.items if result.item.id == item_id)
    summary = found.overall.criteria["impact"]
    assert summary is not None
    return float(summary.mean)


class Room:
    """A workshop where Ana contributed, rated and voted beside two others, and another workshop."""

    def __init__(self, db: Database) -> None:
        self.tree = factories.tree(db, dot_budget=3)
        self.other = factories.tree(db)  # another workshop: nothing of it may change
        shop = self.tree.workshop
        self.ana, self.ana_token = factories.join(db, shop, name="Ana", group="sme")
        self.ben, _ = factories.join(db, shop, name="Ben")
        self.cem, _ = factories.join(db, shop)
        factories.join(db, self.other.workshop, name="Ana")
        factories.phase(db, shop, Phase.measures)
        self.ana_item = items.add_item(
            db,
            self.ana,
            shop.code,
            kind="measure",
            text="A repair café in every town",
            links=[self.tree.need.id],
        )
        items.add_item(
            db, self.ben, shop.code, kind="measure", text="Ben's measure", links=[self.tree.need.id]
        )
        factories.phase(db, shop, Phase.rating)
        measure = self.tree.measures[0].id
        assert measure is not None and self.ana_item.id is not None
        self.measure = measure
        for person, value in ((self.ana, 1), (self.ben, 5), (self.cem, 4)):
            ratings.rate_item(db, person, measure, {"impact": value, "feasibility": None})
            ratings.rate_item(db, person, self.ana_item.id, {"impact": value})
        factories.phase(db, shop, Phase.prioritisation)
        ratings.set_dots(db, self.ana, measure, 2)
        ratings.set_dots(db, self.ben, measure, 1)


@pytest.fixture
def room(db: Database) -> Room:
    return Room(db)


def test_deleting_a_participant_removes_exactly_their_rows(db: Database, room: Room) -> None:
    before = row_counts(db)
    kept = participants.delete_participant(db, room.tree.owner, room.tree.workshop.code, room.ana.id)  # type: ignore[arg-type]
    after = row_counts(db)

    assert kept == 1
    # Ana's row, her three ratings (two on the measure, one on her own item) and her dots; one
    # event more (the deletion); nothing else anywhere.
    changes = {name: after[name] - before[name] for name in before if after[name] != before[name]}
    assert changes == {"participant": -1, "rating": -3, "dots": -1, "event": 1}
    with db.read() as session:
        assert session.get(Participant, room.ana.id) is None
        item = session.get(Item, room.ana_item.id)
        assert item is not None and (item.text, item.author_id, item.client_key) == (
            "A repair café in every town",
            None,
            None,
        )
    assert participants.participant_for_token(db, room.ana_token) is None


def test_a_deleted_participant_leaves_nothing_of_theirs_in_the_event_log(db: Database, room: Room) -> None:
    shop = room.tree.workshop
    before = entries(db, shop)
    participants.delete_participant(db, room.tree.owner, shop.code, room.ana.id)  # type: ignore[arg-type]
    after = entries(db, shop)

    # The numbering stays whole; the deletion is one more entry, by the facilitator.
    assert [entry.seq for entry in after] == list(range(1, len(before) + 2))
    last = after[-1]
    assert (last.type, last.actor, last.data) == (
        "participant-deleted",
        f"facilitator:{room.tree.owner.id}",
        {"participant_id": room.ana.id, "items_kept": 1},
    )
    ana = f"participant:{room.ana.id}"
    was = {entry.seq: entry for entry in before}
    for entry in after[:-1]:
        old = was[entry.seq]
        if old.actor != ana:
            assert (entry.type, entry.actor, entry.data) == (old.type, old.actor, old.data)
        elif old.type in {"participant-joined", "item-rated", "dots-set"}:
            assert (entry.type, entry.actor, entry.data) == ("entry-erased", "erased", {"was": old.type})
        else:
            assert (entry.type, entry.actor) == (old.type, "erased")
            assert entry.data == {**old.data, "author_id": None}
    assert ana not in {entry.actor for entry in after}
    assert room.ana.id not in {entry.data.get("participant_id") for entry in after[:-1]}
    assert room.ana.id not in {entry.data.get("author_id") for entry in after}


def test_results_are_recomputed_without_the_deleted_ratings(db: Database, room: Room) -> None:
    shop = room.tree.workshop
    assert impact_mean(db, shop, room.measure) == pytest.approx((1 + 5 + 4) / 3)
    participants.delete_participant(db, room.tree.owner, shop.code, room.ana.id)  # type: ignore[arg-type]
    assert impact_mean(db, shop, room.measure) == pytest.approx((5 + 4) / 2)
    results = compute_results(load_workshop(db, factories.fresh(db, shop)))
    dots = next(result for result in results.items if result.item.id == room.measure).overall.dots
    assert (results.participants, dots) == (2, 1)


def test_only_an_owner_may_delete_a_participant_and_only_of_their_workshop(db: Database, room: Room) -> None:
    shop, other = room.tree.workshop, room.other.workshop
    stranger = factories.facilitator(db)
    before = row_counts(db)
    with pytest.raises(NotAllowed):
        participants.delete_participant(db, stranger, shop.code, room.ana.id)  # type: ignore[arg-type]
    with pytest.raises(NotFound):  # Ana is not in the other workshop
        participants.delete_participant(db, room.other.owner, other.code, room.ana.id)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        participants.delete_participant(db, room.tree.owner, shop.code, 10**9)
    assert row_counts(db) == before


def test_a_participant_deletes_their_own_data(db: Database, room: Room) -> None:
    shop = room.tree.workshop
    before = row_counts(db)
    assert participants.delete_own_data(db, room.ana) == 1
    changes = {name: n - before[name] for name, n in row_counts(db).items() if n != before[name]}
    assert changes == {"participant": -1, "rating": -3, "dots": -1, "event": 1}
    last = entries(db, shop)[-1]
    assert (last.type, last.actor) == ("participant-deleted", "erased")


def test_the_api_deletes_a_participant_with_204_and_refuses_others(client: TestClient, db: Database) -> None:
    room = Room(db)
    shop = room.tree.workshop
    from backcast.services import accounts

    owner = {"Authorization": f"Bearer {accounts.issue_api_token(db, room.tree.owner.email)}"}
    url = f"/api/v1/workshops/{shop.code}/participants/{room.ana.id}"
    stranger = api_token(db)
    other = f"/api/v1/workshops/{room.other.workshop.code}/participants/{room.ana.id}"
    other_owner = {"Authorization": f"Bearer {accounts.issue_api_token(db, room.other.owner.email)}"}
    before = row_counts(db)
    assert_problem(client.delete(url), 401, "unauthenticated")
    assert_problem(client.delete(url, headers=stranger), 403, "forbidden")
    ana = {"Authorization": f"Bearer {room.ana_token}"}
    assert_problem(client.delete(url, headers=ana), 403, "forbidden")
    assert_problem(client.delete(other, headers=other_owner), 404, "not-found")
    assert_problem(client.delete(f"{url}0", headers=owner), 404, "not-found")
    assert row_counts(db) == before

    response = client.delete(url, headers=owner)
    assert (response.status_code, response.content) == (204, b"")
    assert_problem(client.delete(url, headers=owner), 404, "not-found")
    # Ana's phone no longer opens the workshop.
    mine = client.get(f"/api/v1/workshops/{shop.code}", headers={"Authorization": f"Bearer {room.ana_token}"})
    assert_problem(mine, 401, "unauthenticated")


# --- retention ------------------------------------------------------------------------------------


def age(db: Database, shop: Workshop, days: float) -> None:
    with db.write() as tx:
        tx.session.execute(
            update(Workshop)
            .where(Workshop.id == shop.id)  # type: ignore[arg-type]
            .values(updated_at=utcnow() - timedelta(days=days))
        )


def people(db: Database, shop: Workshop) -> list[tuple[str | None, bool]]:
    with db.read() as session:
        rows = session.exec(
            select(Participant).where(Participant.workshop_id == shop.id).order_by(Participant.id)
        )
        return [(row.name, len(row.token_hash) == 64 and row.token_hash.isalnum()) for row in rows]


def test_retention_removes_names_and_tokens_of_workshops_closed_long_enough(db: Database) -> None:
    closed = factories.workshop(db, consent_text="We keep your answers for research.")
    recent = factories.workshop(db)
    _, closed_token = factories.join(db, closed, name="Ana", consent=True)
    factories.join(db, closed, consent=True)
    factories.join(db, recent, name="Ben")
    age(db, closed, 31)
    age(db, recent, 29)
    assert participants.participant_for_token(db, closed_token) is not None  # remembered a moment
    before = row_counts(db)

    assert participants.anonymise_closed_workshops(db, 0) == {}
    assert participants.anonymise_closed_workshops(db, 30) == {closed.code: 2}

    assert people(db, closed) == [(None, False), (None, False)]
    assert people(db, recent) == [("Ben", True)]
    assert participants.participant_for_token(db, closed_token) is None
    with db.read() as session:
        ana = session.exec(select(Participant).where(Participant.workshop_id == closed.id)).first()
        assert ana is not None
        assert (ana.consent_text, ana.consent_version) == ("We keep your answers for research.", 1)
    after = row_counts(db)
    assert {name: after[name] - before[name] for name in before if after[name] != before[name]} == {
        "event": 1
    }
    last = entries(db, closed)[-1]
    assert (last.type, last.actor, last.data) == (
        "participants-anonymised",
        "system",
        {"participants": 2, "days": 30},
    )
    # A second run finds nothing left to do and logs nothing.
    age(db, closed, 60)
    assert participants.anonymise_closed_workshops(db, 30) == {}
    assert row_counts(db) == after


def test_retention_counts_from_a_given_now(db: Database) -> None:
    shop = factories.workshop(db)
    factories.join(db, shop, name="Ana")
    assert participants.anonymise_closed_workshops(db, 7, now=utcnow() + timedelta(days=6)) == {}
    assert participants.anonymise_closed_workshops(db, 7, now=utcnow() + timedelta(days=8)) == {shop.code: 1}


# --- consent --------------------------------------------------------------------------------------


def test_each_participant_keeps_the_consent_text_and_version_they_agreed_to(db: Database) -> None:
    shop = factories.workshop(db, consent_text="Version one.")
    first, _ = factories.join(db, shop, consent=True)
    owner = factories.owner_of(db, shop)
    current = configuration.current_setup(db, owner, shop.code)
    configuration.configure_workshop(db, owner, shop.code, current.replace(consent_text="Version two."))
    second, _ = factories.join(db, shop, consent=True)

    def stored(participant: Participant) -> Any:
        with db.read() as session:
            row = session.get(Participant, participant.id)
            assert row is not None and row.consented_at is not None
            return row.consent_text, row.consent_version

    assert stored(first) == ("Version one.", 1)
    assert stored(second) == ("Version two.", 2)


def test_token_hashes_are_what_retention_replaces(db: Database) -> None:
    shop = factories.workshop(db)
    _, token = factories.join(db, shop)
    with db.read() as session:
        row = session.exec(select(Participant).where(Participant.workshop_id == shop.id)).one()
    assert row.token_hash == credentials.hash_token(token)


def test_the_retention_command_anonymises_and_says_what_it_did(tmp_path: Path) -> None:
    from tests.test_cli import backcast, open_db

    data_dir = tmp_path / "data"
    assert backcast(data_dir, "db", "upgrade").returncode == 0
    db = open_db(data_dir)
    try:
        shop = factories.workshop(db)
        factories.join(db, shop, name="Ana")
        factories.join(db, shop, name="Ben")
        age(db, shop, 10)

        off = backcast(data_dir, "retention")
        assert (off.returncode, off.stdout) == (
            0,
            "retention is off: set BACKCAST_RETENTION_DAYS or pass --days; nothing changed\n",
        )
        too_soon = backcast(data_dir, "retention", BACKCAST_RETENTION_DAYS="11")
        assert (too_soon.returncode, too_soon.stdout) == (
            0,
            "0 workshops closed for 11 days or more: names and tokens removed\n",
        )
        assert people(db, shop) == [("Ana", True), ("Ben", True)]
        done = backcast(data_dir, "retention", "--days", "10", BACKCAST_RETENTION_DAYS="11")
        assert (done.returncode, done.stdout) == (
            0,
            f"{shop.code}: 2 participants' names and tokens removed\n"
            "1 workshop closed for 10 days or more: names and tokens removed\n",
        )
        assert people(db, shop) == [(None, False), (None, False)]
        german = backcast(data_dir, "retention", "--days", "-1", LANGUAGE="de")
        assert german.returncode == 1 and german.stderr.startswith("backcast: ")
    finally:
        db.dispose()


def test_the_server_applies_retention_when_it_starts(sqlite_db: Database, settings: Settings) -> None:
    shop = factories.workshop(sqlite_db)
    factories.join(sqlite_db, shop, name="Ana")
    age(sqlite_db, shop, 40)
    with TestClient(create_app(settings, db=sqlite_db)):
        assert people(sqlite_db, shop) == [("Ana", True)]  # retention is off by default
    kept = factories.workshop(sqlite_db)
    factories.join(sqlite_db, kept, name="Ben")
    age(sqlite_db, shop, 40)
    with TestClient(create_app(settings.model_copy(update={"retention_days": 30}), db=sqlite_db)):
        assert people(sqlite_db, shop) == [(None, False)]
        assert people(sqlite_db, kept) == [("Ben", True)]


# --- the console --------------------------------------------------------------------------------


def test_the_console_lists_participants_by_pseudonym_and_deletes_one_after_confirmation(
    client: TestClient, db: Database, settings: Settings
) -> None:
    from bs4 import BeautifulSoup

    from backcast.export.tables import pseudonymiser
    from tests.test_console import sign_in

    room = Room(db)
    shop = room.tree.workshop
    base = f"/facilitate/{shop.code}/participants"
    sign_in(client, room.other.owner.email)  # owns another workshop only
    assert client.get(base).status_code == 403
    assert client.post(f"{base}/{room.ana.id}/delete").status_code == 403
    client.post("/logout")
    sign_in(client, room.tree.owner.email)

    console = BeautifulSoup(client.get(f"/facilitate/{shop.code}").text, "html.parser")
    assert [a.get_text() for a in console.select(f".console-links a[href='{base}']")] == ["Participants"]
    alias = pseudonymiser(settings.resolved_secret_key, shop.id)  # type: ignore[arg-type]
    page = BeautifulSoup(client.get(base).text, "html.parser")
    table = [
        [cell.get_text(strip=True) for cell in row.select("td")][:7]
        for row in page.select("#participants tbody tr")
    ]
    assert [row[:3] + row[4:] for row in table] == [
        [alias(room.ana.id), "Ana", "Small or medium-sized firm", "1", "3", "2"],  # type: ignore[arg-type]
        [alias(room.ben.id), "Ben", "", "1", "3", "1"],  # type: ignore[arg-type]
        [alias(room.cem.id), "", "", "0", "3", "0"],  # type: ignore[arg-type]
    ]
    # Three ratings each: impact and "can't judge" feasibility on the measure, impact on Ana's item.
    confirm = client.get(f"{base}/{room.ana.id}/delete")
    heading = BeautifulSoup(confirm.text, "html.parser").select_one("h1")
    assert heading is not None and heading.get_text() == "Delete the data of Ana?"
    assert client.get(f"{base}/{10**9}/delete").status_code == 404

    before = row_counts(db)
    done = client.post(f"{base}/{room.ana.id}/delete", follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, f"{base}?deleted=1")
    after = row_counts(db)
    assert {name: after[name] - before[name] for name in before if after[name] != before[name]} == {
        "participant": -1,
        "rating": -3,
        "dots": -1,
        "event": 1,
    }
    listed = BeautifulSoup(client.get(f"{base}?deleted=1").text, "html.parser")
    assert [row.select_one("td").get_text(strip=True) for row in listed.select("#participants tbody tr")] == [
        alias(room.ben.id),  # type: ignore[arg-type]
        alias(room.cem.id),  # type: ignore[arg-type]
    ]


# --- the phone ----------------------------------------------------------------------------------


def test_a_participant_deletes_their_own_data_from_the_phone(client: TestClient, db: Database) -> None:
    from bs4 import BeautifulSoup

    shop = factories.workshop(db)
    joined = client.post(f"/j/{shop.code}", data={"name": "Ana"}, follow_redirects=False)
    assert joined.status_code == 303
    page = BeautifulSoup(client.get(f"/w/{shop.code}").text, "html.parser")
    link = page.select_one(".phone-foot a")
    assert link is not None and (link["href"], link.get_text()) == (
        f"/w/{shop.code}/forget",
        "Delete my data",
    )
    confirm = BeautifulSoup(client.get(f"/w/{shop.code}/forget").text, "html.parser")
    assert confirm.select_one("h1").get_text() == "Delete my data?"  # type: ignore[union-attr]
    before = row_counts(db)

    done = client.post(f"/w/{shop.code}/forget")
    assert done.status_code == 200
    assert BeautifulSoup(done.text, "html.parser").select_one("h1").get_text() == "Your data is deleted."  # type: ignore[union-attr]
    assert f"bcp_{shop.code}" not in client.cookies
    after = row_counts(db)
    assert {name: after[name] - before[name] for name in before if after[name] != before[name]} == {
        "participant": -1,
        "event": 1,
    }
    again = client.get(f"/w/{shop.code}", follow_redirects=False)
    assert again.status_code in {303, 307} and f"/j/{shop.code}" in again.headers["location"]
    assert client.post(f"/w/{shop.code}/forget", follow_redirects=False).status_code in {303, 307}
    assert row_counts(db) == after


def test_a_deleted_participant_is_refused_at_once_here_and_for_every_write_on_other_servers(
    db: Database, room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tokens are remembered a few seconds per server process; deleting a participant forgets them
    at once where it happened, and no server accepts a write from them afterwards."""
    monkeypatch.setattr(token_cache, "SECONDS", 0.5)
    elsewhere = Database(db.engine)  # another server process, with its own remembered tokens
    assert participants.participant_for_token(db, room.ana_token) is not None
    remembered = participants.participant_for_token(elsewhere, room.ana_token)
    assert remembered is not None

    participants.delete_participant(db, room.tree.owner, room.tree.workshop.code, room.ana.id)  # type: ignore[arg-type]

    assert participants.participant_for_token(db, room.ana_token) is None
    before = row_counts(db)
    with pytest.raises(NotAuthenticated):
        ratings.set_dots(elsewhere, remembered, room.measure, 1)
    assert row_counts(db) == before
    time.sleep(0.6)
    assert participants.participant_for_token(elsewhere, room.ana_token) is None


def _readable(content: bytes) -> str:
    """An export's text; a zip (XLSX, data package) is read member by member."""
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return content.decode("utf-8-sig")


def test_no_export_holds_an_email_address_or_a_token_the_server_knows(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    rated = rated_workshop(sqlite_db)
    factories.facilitator(sqlite_db, "someone.else@example.org")
    api_tokens = [accounts.issue_api_token(sqlite_db, rated.owner.email) for _ in range(2)]
    with sqlite_db.read() as session:
        emails = [facilitator.email for facilitator in session.exec(select(Facilitator))]
    secrets_ = [*emails, *api_tokens, *rated.tokens]
    assert len(emails) >= 2 and rated.tokens

    headers = {"Authorization": f"Bearer {api_tokens[0]}"}
    exports = {}
    for format_, _ in FORMATS.items():
        tables = list(TABLES) if format_ == "csv" else [None]
        for table in tables:
            for names in (False, True):
                params = {"format": format_, "names": names, **({"table": table} if table else {})}
                response = sqlite_client.get(
                    f"/api/v1/workshops/{rated.workshop.code}/export", params=params, headers=headers
                )
                assert response.status_code == 200, response.text
                exports[f"{format_} {table} names={names}"] = _readable(response.content)
    assert (
        sqlite_client.post(
            "/login", data={"email": rated.owner.email, "password": factories.PASSWORD}
        ).status_code
        == 200
    )
    console = sqlite_client.get(f"/facilitate/{rated.workshop.code}/export", params={"format": "datapackage"})
    assert console.status_code == 200
    exports["console datapackage"] = _readable(console.content)

    found = [(name, secret) for name, text in exports.items() for secret in secrets_ if secret in text]
    assert found == []
    assert f"facilitator:{rated.owner.id}" in exports["datapackage None names=False"]
