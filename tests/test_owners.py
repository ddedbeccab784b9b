"""Two people run one room: an owner adds another facilitator's account as co-owner (console and
API), both run the workshop, either can remove the other, and the last owner always stays."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.models import EventRecord, Workshop
from backcast.services import accounts
from tests import factories


def bearer(db: Database, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_api_token(db, email)}"}


def owner_events(db: Database, shop: Workshop) -> list[tuple[str, str, dict[str, Any]]]:
    with db.read() as session:
        rows = session.exec(
            select(EventRecord)
            .where(EventRecord.workshop_id == shop.id, EventRecord.type.in_(["owner-added", "owner-removed"]))
            .order_by(EventRecord.seq)
        )
        return [(row.type, row.actor, row.data) for row in rows]


def test_an_owner_adds_a_co_owner_who_then_runs_the_workshop_and_removes_them_again(
    client: TestClient, db: Database
) -> None:
    ana, bo = factories.facilitator(db, "ana@example.org"), factories.facilitator(db, "bo@example.org")
    shop = factories.workshop(db, ana)
    ana_api, bo_api = bearer(db, ana.email), bearer(db, bo.email)
    owners_url = f"/api/v1/workshops/{shop.code}/owners"

    assert client.get(owners_url, headers=bo_api).status_code == 403
    added = client.post(owners_url, json={"email": " Bo@Example.org "}, headers=ana_api)
    assert added.status_code == 200, added.text
    assert [owner["email"] for owner in added.json()] == ["ana@example.org", "bo@example.org"]
    # Adding again changes nothing and records nothing.
    assert client.post(owners_url, json={"email": "bo@example.org"}, headers=ana_api).status_code == 200

    # The co-owner runs the workshop like its creator, and sees it among their own.
    moved = client.post(f"/api/v1/workshops/{shop.code}/phase", json={"phase": "vision"}, headers=bo_api)
    assert moved.status_code == 200
    assert [owner["email"] for owner in client.get(owners_url, headers=bo_api).json()] == [
        "ana@example.org",
        "bo@example.org",
    ]

    removed = client.delete(f"{owners_url}/{bo.id}", headers=ana_api)
    assert [owner["email"] for owner in removed.json()] == ["ana@example.org"]
    assert (
        client.post(
            f"/api/v1/workshops/{shop.code}/phase", json={"phase": "lobby"}, headers=bo_api
        ).status_code
        == 403
    )
    assert owner_events(db, shop) == [
        ("owner-added", f"facilitator:{ana.id}", {"facilitator_id": ana.id}),
        ("owner-added", f"facilitator:{ana.id}", {"facilitator_id": bo.id}),
        ("owner-removed", f"facilitator:{ana.id}", {"facilitator_id": bo.id}),
    ]


def test_the_last_owner_stays_and_wrong_addresses_and_ids_are_refused(
    client: TestClient, db: Database
) -> None:
    ana = factories.facilitator(db, "ana@example.org")
    shop = factories.workshop(db, ana)
    headers = bearer(db, ana.email)
    owners_url = f"/api/v1/workshops/{shop.code}/owners"
    before = factories.event_count(db, shop)

    last = client.delete(f"{owners_url}/{ana.id}", headers=headers)
    assert last.status_code == 409
    assert last.json()["detail"] == (
        "A workshop keeps at least one facilitator: add another before removing this one."
    )
    unknown = client.post(owners_url, json={"email": "nobody@example.org"}, headers=headers)
    assert unknown.status_code == 409
    assert client.post(owners_url, json={"email": "not an address"}, headers=headers).status_code == 422
    assert client.delete(f"{owners_url}/999999", headers=headers).status_code == 404
    assert client.delete(f"{owners_url}/{'9' * 5000}", headers=headers).status_code == 422
    assert factories.event_count(db, shop) == before


def sign_in(client: TestClient, email: str) -> None:
    response = client.post(
        "/login", data={"email": email, "password": factories.PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_the_console_lists_the_owners_adds_and_removes_and_says_who_else_has_it_open(
    client: TestClient, db: Database
) -> None:
    ana, bo = factories.facilitator(db, "ana@example.org"), factories.facilitator(db, "bo@example.org")
    shop = factories.workshop(db, ana)
    sign_in(client, ana.email)

    def owners_shown() -> list[str]:
        page = BeautifulSoup(client.get(f"/facilitate/{shop.code}").text, "html.parser")
        return [" ".join(li.get_text().split()) for li in page.select(".owners li")]

    assert owners_shown() == ["ana@example.org (you)"]
    refused = client.post(f"/facilitate/{shop.code}/owners", data={"email": "nobody@example.org"})
    assert refused.status_code == 422
    assert BeautifulSoup(refused.text, "html.parser").select_one("[role=alert]").get_text() == (
        "No facilitator account has this address. They first need an account on this server."
    )
    client.post(f"/facilitate/{shop.code}/owners", data={"email": "bo@example.org"})
    assert owners_shown() == ["ana@example.org (you) Leave", "bo@example.org Remove"]

    # Bo has the console open: Ana's console says so.
    assert shop.id is not None
    assert bo.id is not None
    presence = client.app.state.broker.presence  # type: ignore[attr-defined]
    presence.arrive(shop.id, bo.id)
    try:
        page = BeautifulSoup(client.get(f"/facilitate/{shop.code}").text, "html.parser")
        assert page.select_one("#watching").get_text() == "Also open now: bo@example.org"
    finally:
        presence.leave(shop.id, bo.id)

    client.post(f"/facilitate/{shop.code}/owners/{bo.id}/remove")
    assert owners_shown() == ["ana@example.org (you)"]
    sign_in(client, bo.email)
    assert client.get(f"/facilitate/{shop.code}").status_code == 403
