"""The facilitator links items: a need to the milestones it serves, a measure to the needs it meets."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.models import EventRecord
from backcast.services import items
from backcast.services.errors import Conflict, Invalid, NotAllowed, ServiceError
from tests import factories
from tests.test_api import api_token
from tests.test_console import sign_in


def second_milestone(db: Database, tree: factories.Tree) -> int:
    milestone = items.add_item(
        db, tree.owner, tree.workshop.code, kind="milestone", text="Repair is normal", year=2040
    )
    assert milestone.id is not None
    return milestone.id


def test_links_are_replaced_as_a_whole_and_logged(db: Database) -> None:
    tree = factories.tree(db)
    other = second_milestone(db, tree)
    assert tree.need.id is not None

    items.moderate_item(db, tree.owner, tree.need.id, links=[other, tree.milestone.id, other])
    assert items.link_targets(db, tree.need) == sorted([other, tree.milestone.id])
    items.moderate_item(db, tree.owner, tree.need.id, links=[other])
    assert items.link_targets(db, tree.need) == [other]
    before = items.link_targets(db, tree.need)
    items.moderate_item(db, tree.owner, tree.need.id, links=[other])  # unchanged: no event
    items.moderate_item(db, tree.owner, tree.need.id, links=[])
    assert (before, items.link_targets(db, tree.need)) == ([other], [])

    with db.read() as session:
        logged = [
            row.data
            for row in session.exec(
                select(EventRecord).where(EventRecord.type == "item-links-set").order_by(EventRecord.seq)
            )
        ]
    assert logged == [
        {"item_id": tree.need.id, "links": sorted([other, tree.milestone.id])},
        {"item_id": tree.need.id, "links": [other]},
        {"item_id": tree.need.id, "links": []},
    ]


def test_links_must_point_to_the_right_kind_in_the_same_workshop(db: Database) -> None:
    tree = factories.tree(db)
    elsewhere = factories.tree(db)
    assert tree.need.id is not None and tree.milestone.id is not None
    # What is not an id is bad input; an id the workshop's state stands against is a conflict.
    cases: list[tuple[int, object, str, type[ServiceError]]] = [
        (tree.need.id, [tree.measures[0].id], "Item %(id)s is not a %(kind)s of this workshop.", Conflict),
        (tree.need.id, [elsewhere.milestone.id], "Item %(id)s is not a %(kind)s of this workshop.", Conflict),
        (tree.need.id, ["1"], "Links are item ids.", Invalid),
        (tree.need.id, "12", "Links are item ids.", Invalid),
        (tree.milestone.id, [tree.need.id], "This kind of item takes no links.", Conflict),
    ]
    for item_id, links, message, error in cases:
        with pytest.raises(error) as refused:
            items.moderate_item(db, tree.owner, item_id, links=links)
        assert refused.value.message == message
    assert items.link_targets(db, tree.need) == [tree.milestone.id]
    with pytest.raises(NotAllowed):
        items.moderate_item(db, elsewhere.owner, tree.need.id, links=[])


def test_the_console_edit_page_links_a_measure_to_needs(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    second = items.add_item(
        db, tree.owner, tree.workshop.code, kind="need", text="Trained staff", links=[tree.milestone.id]
    )
    sign_in(client, tree.owner.email)
    measure = tree.measures[0]
    page = BeautifulSoup(
        client.get(f"/facilitate/{tree.workshop.code}/items/{measure.id}/edit").text, "html.parser"
    )
    boxes = {box["value"]: box.has_attr("checked") for box in page.select("input[name=links]")}
    assert boxes == {str(tree.need.id): True, str(second.id): False}
    assert page.select_one("legend").get_text() == "Which needs does it meet?"

    saved = client.post(
        f"/facilitate/{tree.workshop.code}/items/{measure.id}/links", data={"links": [str(second.id)]}
    )
    assert saved.status_code == 200 and saved.url.path == f"/facilitate/{tree.workshop.code}"
    assert items.link_targets(db, measure) == [second.id]
    refused = client.post(
        f"/facilitate/{tree.workshop.code}/items/{measure.id}/links", data={"links": [str(tree.milestone.id)]}
    )
    assert refused.status_code == 422
    assert BeautifulSoup(refused.text, "html.parser").select_one("[role=alert]").get_text() == (
        f"Item {tree.milestone.id} is not a need of this workshop."
    )
    factories.facilitator(db, "bob@example.org")
    sign_in(client, "bob@example.org")
    assert (
        client.post(
            f"/facilitate/{tree.workshop.code}/items/{measure.id}/links", data={"links": []}
        ).status_code
        == 403
    )
    assert items.link_targets(db, measure) == [second.id]


def test_the_api_relinks(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    other = second_milestone(db, tree)
    headers = api_token(db)
    # The tree's owner is not this token's facilitator: refused.
    assert (
        client.patch(f"/api/v1/items/{tree.need.id}", json={"links": [other]}, headers=headers).status_code
        == 403
    )
    from backcast.services import accounts

    owner_headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, tree.owner.email)}"}
    response = client.patch(f"/api/v1/items/{tree.need.id}", json={"links": [other]}, headers=owner_headers)
    assert response.status_code == 200, response.text
    assert response.json()["links"] == [other]
    bad = client.patch(f"/api/v1/items/{tree.need.id}", json={"links": ["x"]}, headers=owner_headers)
    assert bad.status_code == 422
