"""A breakout on the phones and the table screens: each phone shows its own table's name, scope
and contributions and never another table's; what it adds belongs to its table; each table's
screen shows that table only, and its live view wakes for that table alone."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import col, select

from backcast.db import Database
from backcast.enums import Phase
from backcast.http.participant import cookie_name
from backcast.models import EventRecord, Item, Participant, Workshop
from backcast.services import items, tables
from backcast.web.phone_live import PhoneLive
from backcast.web.screen_live import TableScreenLive
from tests import factories


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def texts(page: BeautifulSoup, selector: str) -> list[str]:
    return [" ".join(node.get_text(" ", strip=True).split()) for node in page.select(selector)]


def phone(client: TestClient, shop: Workshop, token: str) -> dict[str, str]:
    return {"Cookie": f"{cookie_name(shop.code)}={token}"}


def breakout_room(
    db: Database, assign: str = "balanced"
) -> tuple[Workshop, Any, list[tuple[Participant, str]], Any]:
    """Four people at two tables in the milestones phase; table 1 works on a free-text scope."""
    tree = factories.tree(db)
    shop, owner = tree.workshop, tree.owner
    people = [factories.join(db, shop) for _ in range(4)]
    factories.phase(db, shop, Phase.needs)
    started = tables.start_breakout(
        db,
        owner,
        shop.code,
        [{"name": "Harbour", "scope": "Logistics"}, {"name": "Hill", "scope": tree.milestone.id}],
        assign,
    )
    return shop, owner, people, (tree, started)


def test_each_phone_shows_its_own_table_and_only_its_table_s_contributions(
    client: TestClient, db: Database
) -> None:
    shop, _, people, (tree, started) = breakout_room(db)
    (ann, ann_token), (bo, bo_token) = people[0], people[1]  # balanced: Ann at table 1, Bo at table 2
    items.add_item(db, ann, shop.code, kind="need", text="Shared forklifts", links=[tree.milestone.id])
    items.add_item(db, bo, shop.code, kind="need", text="Hillside depot", links=[tree.milestone.id])
    ann_page = soup(client.get(f"/w/{shop.code}", headers=phone(client, shop, ann_token)).text)
    assert texts(ann_page, "#table .table-name") == ["Your table: Harbour"]
    assert texts(ann_page, "#table .muted") == ["Works on: Logistics"]
    assert texts(ann_page, ".table-items li") == ["Shared forklifts"]
    bo_page = soup(client.get(f"/w/{shop.code}", headers=phone(client, shop, bo_token)).text)
    assert texts(bo_page, "#table .table-name") == ["Your table: Hill"]
    assert texts(bo_page, "#table .muted") == ["Works on: 2035 · Half of all firms share materials"]
    assert texts(bo_page, ".table-items li") == ["Hillside depot"]
    # The form says which table it adds to.
    assert bo_page.select_one("#compose input[name=table]")["value"] == str(started[1].id)  # type: ignore[index]


def test_what_a_phone_adds_belongs_to_its_table_and_another_table_is_refused(
    client: TestClient, db: Database
) -> None:
    shop, _, people, (_, started) = breakout_room(db)
    ann, ann_token = people[0]
    form = {"text": "Night trains for parts", "client_key": "k1"}
    added = client.post(
        f"/w/{shop.code}/items",
        data={**form, "table": str(started[0].id)},
        headers=phone(client, shop, ann_token),
        follow_redirects=False,
    )
    assert added.status_code == 303
    before = factories.event_count(db, shop)
    refused = client.post(
        f"/w/{shop.code}/items",
        data={"text": "Sneaked onto the hill", "client_key": "k2", "table": str(started[1].id)},
        headers={**phone(client, shop, ann_token), "hx-request": "true"},
    )
    assert refused.status_code == 409
    assert texts(soup(refused.text), "#compose-error") == [
        "You do not sit at this table now: the page shows your table again."
    ]
    assert refused.headers["HX-Retarget"] == "#view"
    assert factories.event_count(db, shop) == before
    with db.read() as session:
        assert [(i.text, i.table_id) for i in session.exec(select(Item).where(Item.author_id == ann.id))] == [
            ("Night trains for parts", started[0].id)
        ]


def test_a_phone_picks_its_table_when_people_choose_and_is_told_when_they_do_not(
    client: TestClient, db: Database
) -> None:
    shop, owner, people, _ = breakout_room(db, assign="choice")
    _, ann_token = people[0]
    page = soup(client.get(f"/w/{shop.code}", headers=phone(client, shop, ann_token)).text)
    assert texts(page, "#choose-table option") == ["1 · Harbour", "2 · Hill"]
    assert (
        client.post(
            f"/w/{shop.code}/table",
            data={"table": "2"},
            headers=phone(client, shop, ann_token),
            follow_redirects=False,
        ).status_code
        == 303
    )
    page = soup(client.get(f"/w/{shop.code}", headers=phone(client, shop, ann_token)).text)
    assert texts(page, "#table .table-name") == ["Your table: Hill"]
    missing = client.post(
        f"/w/{shop.code}/table", data={"table": "7"}, headers=phone(client, shop, ann_token)
    )
    assert missing.status_code == 409
    assert texts(soup(missing.text), "#table .error") == ["There is no table 7."]

    tables.end_breakout(db, owner, shop.code)
    tables.start_breakout(db, owner, shop.code, [{"name": "A"}, {"name": "B"}], "balanced")
    before = factories.event_count(db, shop)
    seated = client.post(f"/w/{shop.code}/table", data={"table": "1"}, headers=phone(client, shop, ann_token))
    assert seated.status_code == 409
    assert texts(soup(seated.text), "#table .error") == ["The facilitator seats people at this breakout."]
    assert factories.event_count(db, shop) == before


def test_joining_by_a_table_screen_s_code_seats_the_newcomer_there(client: TestClient, db: Database) -> None:
    shop, owner, _, _ = breakout_room(db, assign="choice")
    form = soup(client.get(f"/j/{shop.code}?table=2").text)
    assert form.select_one("input[name=table]")["value"] == "2"  # type: ignore[index]
    client.post(f"/j/{shop.code}", data={"table": "2"})
    breakout = tables.breakout_for(db, owner, shop.code)
    assert breakout is not None and [len(t.participants) for t in breakout.tables] == [0, 1]


def test_a_participant_reading_items_through_the_api_sees_only_their_own_table(
    client: TestClient, db: Database
) -> None:
    shop, _, people, (tree, _) = breakout_room(db)
    (ann, ann_token), (bo, _) = people[0], people[1]
    items.add_item(db, ann, shop.code, kind="need", text="Shared forklifts", links=[tree.milestone.id])
    items.add_item(db, bo, shop.code, kind="need", text="Hillside depot", links=[tree.milestone.id])
    listed = client.get(
        f"/api/v1/workshops/{shop.code}/items", headers={"Authorization": f"Bearer {ann_token}"}
    ).json()
    assert "Hillside depot" not in [item["text"] for item in listed]
    assert [item["text"] for item in listed if item["table"] is not None] == ["Shared forklifts"]


def test_a_table_screen_shows_its_table_only_with_its_join_code(client: TestClient, db: Database) -> None:
    shop, owner, people, (tree, _) = breakout_room(db)
    items.add_item(
        db, people[0][0], shop.code, kind="need", text="Shared forklifts", links=[tree.milestone.id]
    )
    items.add_item(db, people[1][0], shop.code, kind="need", text="Hillside depot", links=[tree.milestone.id])
    page = soup(client.get(f"/w/{shop.code}/screen?table=1").text)
    assert texts(page, ".screen-title") == ["Harbour"]
    assert texts(page, ".table-wall li") == ["Shared forklifts"]
    assert page.select_one("[sse-connect]")["sse-connect"] == f"/w/{shop.code}/screen/live?table=1"  # type: ignore[index]
    assert page.select_one(".table-qr svg") is not None
    assert client.get(f"/w/{shop.code}/screen?table=13").status_code == 404
    assert client.get(f"/w/{shop.code}/screen?table=two").status_code == 404
    tables.end_breakout(db, owner, shop.code)
    ended = soup(client.get(f"/w/{shop.code}/screen?table=1").text)
    assert texts(ended, ".screen-prompt") == [
        "No breakout at this table right now: the room is together in the plenary."
    ]


def _events(db: Database, shop: Workshop, after: int) -> list[EventRecord]:
    with db.read() as session:
        return list(
            session.exec(
                select(EventRecord)
                .where(EventRecord.workshop_id == shop.id, EventRecord.seq > after)
                .order_by(col(EventRecord.seq))
            )
        )


@pytest.mark.parametrize("table_index", [0, 1])
def test_a_contribution_wakes_its_own_table_s_phones_and_screen_and_no_other(
    client: TestClient, db: Database, table_index: int
) -> None:
    shop, _, people, (tree, started) = breakout_room(db)
    templates = client.app.state.templates  # type: ignore[attr-defined]
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert shop.id is not None
    before = factories.event_count(db, shop)
    items.add_item(db, people[table_index][0], shop.code, kind="need", text="Ours", links=[tree.milestone.id])
    batch = _events(db, shop, before)
    phones = PhoneLive(db, templates)
    heard = {t.id: phones.at_table(t.id).messages(shop.id, batch, "en") for t in started}
    heard[None] = phones.messages(shop.id, batch, "en")
    mine = started[table_index].id
    assert {key: [(m.event, m.data) for m in found] for key, found in heard.items()} == {
        t.id: ([("refresh", "items")] if t.id == mine else []) for t in started
    } | {None: []}
    screens = {
        t.number: TableScreenLive(db, templates, settings, t.number).messages(shop.id, batch, "en")
        for t in started
    }
    assert [number for number, found in screens.items() if found] == [table_index + 1]


def test_a_move_ends_the_stream_of_the_table_left_so_the_phone_comes_back_on_its_new_table(
    client: TestClient, db: Database
) -> None:
    shop, owner, people, (_, started) = breakout_room(db)
    assert shop.id is not None
    before = factories.event_count(db, shop)
    tables.move_participant(db, owner, shop.code, people[0][0].id, 2)
    batch = _events(db, shop, before)
    phones = PhoneLive(db, client.app.state.templates)  # type: ignore[attr-defined]
    left, joined = (phones.at_table(t.id).messages(shop.id, batch, "en") for t in started)
    assert [(m.event, m.ends) for m in left] == [("phase", True)]
    assert joined == [] and phones.messages(shop.id, batch, "en") == []
