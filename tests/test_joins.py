"""Joining cannot be flooded: one address makes a bounded number of participants per workshop, the
facilitator can lock the room and remove a burst of identities, and a client that joined already
gets its participant back instead of a new one with fresh dots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import func, update
from sqlmodel import select

from backcast.app import create_app
from backcast.db import Database
from backcast.enums import Phase
from backcast.models import EventRecord, Participant, Workshop
from backcast.settings import Settings
from tests import factories
from tests.test_api import assert_problem
from tests.test_sessions import sign_in


def participant_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Participant)).one()


def api_join(client: TestClient, code: str, **headers: str) -> Any:
    return client.post("/api/v1/join", json={"code": code}, headers=headers)


def alert(response: Any) -> str:
    found = BeautifulSoup(response.text, "html.parser").select_one("[role=alert]")
    return found.get_text(strip=True) if found else ""


def test_one_address_makes_a_bounded_number_of_participants_per_workshop(
    sqlite_db: Database, settings: Settings
) -> None:
    shop, other = factories.workshop(sqlite_db), factories.workshop(sqlite_db)
    app = create_app(settings.model_copy(update={"join_limit": 3}), db=sqlite_db)
    with (
        TestClient(app, client=("10.0.0.1", 1)) as flood,
        TestClient(app, client=("10.0.0.2", 1)) as neighbour,
    ):
        answers = [api_join(flood, shop.code).status_code for _ in range(3)]
        refused = api_join(flood, shop.code)
        flood.cookies.clear()
        form = flood.post(f"/j/{shop.code}")
        elsewhere = api_join(flood, other.code)
        next_door = api_join(neighbour, shop.code)

    assert answers == [201, 201, 201]
    body = assert_problem(refused, 429, "rate-limited")
    assert body["detail"] == (
        "Too many people joined from this network in a short time. "
        f"Please wait {refused.headers['retry-after']} seconds."
    )
    assert 590 <= int(refused.headers["retry-after"]) <= 600
    assert form.status_code == 429 and alert(form).startswith("Too many people joined from this network")
    assert (elsewhere.status_code, next_door.status_code) == (201, 201)
    assert participant_count(sqlite_db) == 5


def test_a_refused_join_does_not_count(sqlite_db: Database, settings: Settings) -> None:
    shop = factories.workshop(sqlite_db, names="required")
    app = create_app(settings.model_copy(update={"join_limit": 2}), db=sqlite_db)
    with TestClient(app) as client:
        assert [api_join(client, shop.code).status_code for _ in range(3)] == [409] * 3
        ok = client.post("/api/v1/join", json={"code": shop.code, "name": "Ana"})
        assert ok.status_code == 201


def test_a_locked_room_takes_no_one_new_and_the_room_goes_on(client: TestClient, db: Database) -> None:
    shop = factories.workshop(db)
    factories.phase(db, shop, Phase.vision)
    owner = factories.owner_of(db, shop)
    _, token = factories.join(db, shop)
    sign_in(client, owner.email)

    locked = client.post(f"/facilitate/{shop.code}/room", data={"locked": "1"}, follow_redirects=False)
    page = BeautifulSoup(client.get(f"/facilitate/{shop.code}/participants").text, "html.parser")
    client.cookies.clear()
    refused_api = api_join(client, shop.code)
    refused_form = client.post(f"/j/{shop.code}")
    still_in = client.post(
        f"/api/v1/workshops/{shop.code}/items",
        json={"kind": "vision", "text": "Repair is normal"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert (locked.status_code, locked.headers["location"]) == (303, f"/facilitate/{shop.code}/participants")
    assert page.select_one("#room button").get_text() == "Open the room"
    assert assert_problem(refused_api, 409, "conflict")["detail"] == (
        "This workshop takes no new participants right now."
    )
    assert (refused_form.status_code, alert(refused_form)) == (
        409,
        "This workshop takes no new participants right now.",
    )
    assert still_in.status_code == 201
    assert participant_count(db) == 1

    sign_in(client, owner.email)
    client.post(f"/facilitate/{shop.code}/room", data={"locked": "0"})
    client.cookies.clear()
    assert api_join(client, shop.code).status_code == 201
    assert event_types(db, shop)[-4:] == ["room-locked", "item-added", "room-locked", "participant-joined"]


def test_the_facilitator_sees_a_burst_of_joins_and_removes_it(client: TestClient, db: Database) -> None:
    shop = factories.workshop(db)
    owner = factories.owner_of(db, shop)
    burst_minute = datetime(2026, 12, 3, 9, 41, tzinfo=UTC)
    joined = [factories.join(db, shop)[0].id for _ in range(14)]
    with db.write() as tx:
        for n, participant_id in enumerate(joined):
            # Twelve within one minute, two on their own later.
            at = burst_minute + timedelta(seconds=n * 4) if n < 12 else burst_minute + timedelta(minutes=n)
            tx.session.execute(
                update(Participant).where(Participant.id == participant_id).values(joined_at=at)
            )
    sign_in(client, owner.email)

    page = BeautifulSoup(client.get(f"/facilitate/{shop.code}/participants").text, "html.parser")
    bursts = page.select("#bursts li.burst")
    assert [burst.select_one("span").get_text() for burst in bursts] == [
        "12 participants joined in the minute from 09:41 UTC."
    ]
    minute = bursts[0].select_one("input[name=minute]")["value"]

    unconfirmed = client.post(f"/facilitate/{shop.code}/participants/bursts/remove", data={"minute": minute})
    removed = client.post(
        f"/facilitate/{shop.code}/participants/bursts/remove",
        data={"minute": minute, "confirm": "yes"},
        follow_redirects=False,
    )

    assert unconfirmed.status_code == 422
    assert removed.status_code == 303
    with db.read() as session:
        assert sorted(session.exec(select(Participant.id))) == sorted(joined[12:])
    assert event_types(db, shop).count("participant-deleted") == 12
    assert (
        BeautifulSoup(client.get(f"/facilitate/{shop.code}/participants").text, "html.parser").select(
            "#bursts"
        )
        == []
    )


def test_a_client_that_joined_gets_its_participant_back_through_the_api(
    client: TestClient, db: Database
) -> None:
    shop = factories.workshop(db)
    assert client.post(f"/j/{shop.code}", follow_redirects=False).status_code == 303  # the phone's cookie
    [phone_participant] = [p.id for p in _participants(db)]

    by_cookie = api_join(client, shop.code)
    client.cookies.clear()
    fresh = api_join(client, shop.code)
    by_token = api_join(client, shop.code, Authorization=f"Bearer {fresh.json()['token']}")

    assert (by_cookie.status_code, by_cookie.json()["participant_id"]) == (200, phone_participant)
    assert fresh.status_code == 201 and fresh.json()["participant_id"] != phone_participant
    assert (by_token.status_code, by_token.json()) == (200, fresh.json())
    assert participant_count(db) == 2


def event_types(db: Database, shop: Workshop) -> list[str]:
    with db.read() as session:
        query = select(EventRecord.type).where(EventRecord.workshop_id == shop.id).order_by(EventRecord.seq)
        return list(session.exec(query))


def _participants(db: Database) -> list[Participant]:
    with db.read() as session:
        return list(session.exec(select(Participant)))
