"""Barriers and opportunities are needs of another type, optionally tagged; measures address
barriers by meeting them, and the console and screen flag the gaps of the pathway."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import Item
from backcast.services import accounts, actors, items, workshops
from backcast.services.errors import Conflict, Invalid
from tests import factories


def _texts(db: Database) -> list[tuple[str, str | None, list[str]]]:
    with db.read() as session:
        rows = session.exec(select(Item).order_by(Item.id)).all()  # type: ignore[arg-type]
        return [(row.text, row.need_type, row.tags) for row in rows]


def test_barriers_and_opportunities_are_kept_with_their_tags(db: Database) -> None:
    tree = factories.tree(db)
    code, milestone = tree.workshop.code, tree.milestone.id
    items.add_item(
        db,
        tree.owner,
        code,
        kind="need",
        text="No landfill tax",
        links=[milestone],
        need_type="barrier",
        tags=["legal", "economic", "legal"],
    )
    items.add_item(db, tree.owner, code, kind="need", text="EU funding", need_type="opportunity")
    before = _texts(db)
    with pytest.raises(Conflict):  # only needs have a type
        items.add_item(db, tree.owner, code, kind="measure", text="X", need_type="barrier")
    with pytest.raises(Conflict):  # a need proper takes no tags
        items.add_item(db, tree.owner, code, kind="need", text="Y", tags=["social"])
    with pytest.raises(Invalid):
        items.add_item(db, tree.owner, code, kind="need", text="Z", need_type="barrier", tags=["cultural"])
    with pytest.raises(Invalid):
        items.add_item(db, tree.owner, code, kind="need", text="Z", need_type="risk")
    assert _texts(db) == before
    assert before[-2:] == [
        ("No landfill tax", "barrier", ["economic", "legal"]),
        ("EU funding", "opportunity", []),
    ]
    assert before[1] == ("A regional materials register", "need", [])


def test_only_measures_link_to_a_barrier(db: Database) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    barrier = items.add_item(
        db, tree.owner, code, kind="need", text="No space", need_type="barrier", links=[tree.milestone.id]
    )
    with pytest.raises(Conflict):  # a milestone links to nothing, a barrier least of all
        items.moderate_item(db, tree.owner, tree.milestone.id, links=[barrier.id])
    with pytest.raises(Conflict):  # a need links to milestones, not to a barrier
        items.moderate_item(db, tree.owner, tree.need.id, links=[barrier.id])
    items.moderate_item(db, tree.owner, tree.measures[0].id, links=[tree.need.id, barrier.id])
    assert sorted(items.link_targets(db, items.item_of(db, tree.workshop, tree.measures[0].id))) == sorted(
        [tree.need.id, barrier.id]
    )


def test_the_console_and_screen_flag_an_unaddressed_barrier_and_a_milestone_nobody_acts_on(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    barrier = items.add_item(
        db, tree.owner, code, kind="need", text="No space", need_type="barrier", links=[tree.milestone.id]
    )
    factories.phase(db, tree.workshop, Phase.measures)

    def flags(url: str) -> list[list[str]]:
        page = BeautifulSoup(client.get(url).text, "html.parser")
        return [
            [li.get_text(" ", strip=True) for li in page.select(f".pathway-flags .{kind} li")]
            for kind in ("barriers", "milestones")
        ]

    client.post("/login", data={"email": tree.owner.email, "password": factories.PASSWORD})
    expected = [["No space"], ["2035 Half of all firms share materials"]]
    assert flags(f"/w/{code}/screen") == expected
    assert flags(f"/facilitate/{code}") == expected

    halls = items.add_item(db, tree.owner, code, kind="measure", text="Share halls", links=[barrier.id])
    chamber = actors.add_actor(db, tree.owner, code, name="IHK")
    actors.set_roles(db, tree.owner, halls.id, [(chamber.id, "must_agree")])
    assert flags(f"/w/{code}/screen") == [[], ["2035 Half of all firms share materials"]]
    actors.set_roles(db, tree.owner, tree.measures[0].id, [(chamber.id, "leads")])
    assert flags(f"/w/{code}/screen") == [[], []]
    assert BeautifulSoup(client.get(f"/w/{code}/screen").text, "html.parser").select(".pathway-flags") == []


def test_phones_and_the_api_say_what_a_need_is(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    factories.phase(db, tree.workshop, Phase.needs)
    workshops.set_input_open(db, tree.owner, code, True)
    client.post(f"/j/{code}", data={})
    page = BeautifulSoup(client.get(f"/w/{code}").text, "html.parser")
    assert [radio["value"] for radio in page.select("input[name=need_type]")] == [
        "need",
        "barrier",
        "opportunity",
    ]
    client.post(
        f"/w/{code}/items",
        data={
            "text": "Too little demand",
            "need_type": "barrier",
            "tags": ["economic", "social"],
            "links": [tree.milestone.id],
        },
    )
    refused = client.post(
        f"/w/{code}/items", data={"text": "Subsidy", "need_type": "need", "tags": ["economic"]}
    )
    assert refused.status_code == 409

    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, tree.owner.email)}"}
    made = client.post(
        f"/api/v1/workshops/{code}/items",
        json={"kind": "need", "text": "Open data law", "need_type": "opportunity", "tags": ["legal"]},
        headers=headers,
    )
    assert (made.status_code, made.json()["need_type"], made.json()["tags"]) == (
        201,
        "opportunity",
        ["legal"],
    )
    wrong = client.post(
        f"/api/v1/workshops/{code}/items",
        json={"kind": "measure", "text": "M", "need_type": "barrier"},
        headers=headers,
    )
    assert wrong.status_code == 409
    assert _texts(db)[-2:] == [
        ("Too little demand", "barrier", ["economic", "social"]),
        ("Open data law", "opportunity", ["legal"]),
    ]

    client.post("/login", data={"email": tree.owner.email, "password": factories.PASSWORD})
    client.post(
        f"/facilitate/{code}/items/{tree.need.id}/classify",
        data={"need_type": "barrier", "tags": ["technological"]},
    )
    assert _texts(db)[1] == ("A regional materials register", "barrier", ["technological"])
