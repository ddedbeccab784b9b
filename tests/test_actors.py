"""Who must act: participants propose actors, the facilitator confirms, renames and merges them,
and gives them roles for measures, needs and milestones; what does not fit changes nothing."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import Actor, ActorRole, EventRecord
from backcast.services import accounts, actors, workshops
from backcast.services.errors import Conflict, Invalid, NotFound, PhaseClosed
from tests import factories


def _names(db: Database, code: str, owner: object) -> list[tuple[str, str | None, str, dict[int, str]]]:
    return [
        (row.actor.name, row.actor.group_key, row.actor.status, row.roles)
        for row in actors.actors_for(db, owner, code)  # type: ignore[arg-type]
    ]


def test_a_proposed_actor_is_confirmed_merged_and_given_roles(db: Database) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    participant, _ = factories.join(db, tree.workshop)
    factories.phase(db, tree.workshop, Phase.measures)
    workshops.set_input_open(db, tree.owner, code, True)

    proposed = actors.propose_actor(db, participant, code, "Handwerkskammer Bremen")
    # The same name again, in another case, is the same actor.
    assert actors.propose_actor(db, participant, code, "handwerkskammer bremen").id == proposed.id
    duplicate = actors.propose_actor(db, participant, code, "HWK Bremen")
    smes = actors.add_actor(db, tree.owner, code, group="sme")
    measure, need = tree.measures[0].id, tree.need.id
    actors.set_roles(db, tree.owner, measure, [(duplicate.id, "leads"), (smes.id, "contributes")])
    actors.set_roles(db, tree.owner, need, [(proposed.id, "must_agree")])

    actors.edit_actor(db, tree.owner, code, proposed.id, confirmed=True)
    actors.merge_actor(db, tree.owner, code, duplicate.id, proposed.id)

    assert _names(db, code, tree.owner) == [
        ("Handwerkskammer Bremen", None, "confirmed", {need: "must_agree", measure: "leads"}),
        ("Small or medium-sized firm", "sme", "confirmed", {measure: "contributes"}),
    ]
    with db.read() as session:
        types = session.exec(
            select(EventRecord.type).where(
                EventRecord.type.in_(["actor-added", "actor-edited", "actors-merged", "roles-set"])
            )  # type: ignore[attr-defined]
        ).all()
    assert list(types) == [
        "actor-added",
        "actor-added",
        "actor-added",
        "roles-set",
        "roles-set",
        "actor-edited",
        "actors-merged",
    ]


def test_actors_and_roles_that_do_not_fit_change_nothing(db: Database) -> None:
    tree, other = factories.tree(db), factories.tree(db)
    code = tree.workshop.code
    mine = actors.add_actor(db, tree.owner, code, name="Stadt Oldenburg")
    theirs = actors.add_actor(db, other.owner, other.workshop.code, name="Landkreis")
    participant, _ = factories.join(db, tree.workshop)
    before = factories.event_count(db, tree.workshop)

    with pytest.raises(Conflict):  # an actor of another workshop
        actors.set_roles(db, tree.owner, tree.measures[0].id, [(theirs.id, "leads")])
    with pytest.raises(Invalid):  # a role that does not exist
        actors.set_roles(db, tree.owner, tree.measures[0].id, [(mine.id, "funds")])
    with pytest.raises(Conflict):  # not a stakeholder group of this workshop
        actors.add_actor(db, tree.owner, code, group="pirates")
    with pytest.raises(NotFound):
        actors.edit_actor(db, tree.owner, code, theirs.id, name="Mine now")
    with pytest.raises(Conflict):
        actors.merge_actor(db, tree.owner, code, mine.id, theirs.id)
    with pytest.raises(PhaseClosed):  # input is closed in the lobby
        actors.propose_actor(db, participant, code, "Jemand")

    assert factories.event_count(db, tree.workshop) == before
    with db.read() as session:
        assert session.exec(select(ActorRole)).all() == []
        assert [actor.name for actor in session.exec(select(Actor).order_by(Actor.id))] == [  # type: ignore[arg-type]
            "Stadt Oldenburg",
            "Landkreis",
        ]


def test_the_api_lists_adds_proposes_and_sets_roles(client: TestClient, db: Database) -> None:
    tree, other = factories.tree(db), factories.tree(db)
    code = tree.workshop.code
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, tree.owner.email)}"}
    _, token = factories.join(db, tree.workshop)
    factories.phase(db, tree.workshop, Phase.measures)
    workshops.set_input_open(db, tree.owner, code, True)
    theirs = actors.add_actor(db, other.owner, other.workshop.code, name="Landkreis")

    chamber = client.post(f"/api/v1/workshops/{code}/actors", json={"name": "IHK"}, headers=headers)
    assert chamber.status_code == 201, chamber.text
    proposal = client.post(
        f"/api/v1/workshops/{code}/actors",
        json={"name": "Wirtschaftsförderung"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (proposal.status_code, proposal.json()["status"]) == (201, "proposed")
    chamber_id = chamber.json()["id"]
    roles_url = f"/api/v1/items/{tree.measures[0].id}/roles"
    assert (
        client.put(
            roles_url, json={"roles": [{"actor": chamber_id, "role": "leads"}]}, headers=headers
        ).status_code
        == 200
    )

    foreign = client.put(roles_url, json={"roles": [{"actor": theirs.id, "role": "leads"}]}, headers=headers)
    unknown = client.put(roles_url, json={"roles": [{"actor": chamber_id, "role": "funds"}]}, headers=headers)
    vision = client.put(
        f"/api/v1/items/{tree.milestone.id}/roles",
        json={"roles": [{"actor": chamber_id, "role": "leads"}]},
        headers=headers,
    )
    assert (foreign.status_code, unknown.status_code) == (409, 422)
    assert vision.status_code == 200  # a milestone takes actors too
    listed = client.get(f"/api/v1/workshops/{code}/actors", headers=headers).json()
    assert [(row["name"], row["status"], row["roles"]) for row in listed] == [
        (
            "IHK",
            "confirmed",
            [
                {"item": tree.milestone.id, "role": "leads"},
                {"item": tree.measures[0].id, "role": "leads"},
            ],
        ),
        ("Wirtschaftsförderung", "proposed", []),
    ]
    confirmed = client.patch(
        f"/api/v1/workshops/{code}/actors/{proposal.json()['id']}", json={"confirmed": True}, headers=headers
    )
    assert confirmed.json()["status"] == "confirmed"


def test_a_phone_proposes_an_actor_that_the_console_confirms_and_gives_a_role(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    code = tree.workshop.code
    factories.phase(db, tree.workshop, Phase.measures)
    workshops.set_input_open(db, tree.owner, code, True)
    client.post(f"/j/{code}", data={})
    phone = BeautifulSoup(client.get(f"/w/{code}").text, "html.parser")
    assert phone.select_one("form.propose-actor input[name=name]") is not None
    client.post(f"/w/{code}/actors", data={"name": "Wirtschaftsförderung Bremen"})
    refused = client.post(f"/w/{code}/actors", data={"name": "   "})
    assert refused.status_code == 422

    client.post("/login", data={"email": tree.owner.email, "password": factories.PASSWORD})
    page = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")
    assert [p.get_text(" ", strip=True) for p in page.select("#actors .actor-name")] == [
        "Wirtschaftsförderung Bremen proposed"
    ]
    actor_id = actors.actors_for(db, tree.owner, code)[0].actor.id
    client.post(f"/facilitate/{code}/actors/{actor_id}", data={"name": "WFB", "confirmed": "1"})
    client.post(
        f"/facilitate/{code}/actors/{actor_id}/role",
        data={"item_id": str(tree.measures[1].id), "role": "leads"},
    )
    wrong = client.post(
        f"/facilitate/{code}/actors/{actor_id}/role",
        data={"item_id": str(tree.measures[1].id), "role": "boss"},
    )
    assert wrong.status_code == 422
    page = BeautifulSoup(client.get(f"/facilitate/{code}").text, "html.parser")
    assert [li.get_text(" ", strip=True) for li in page.select("#actors .actor-roles li")] == [
        "leads: Train waste officers in SMEs"
    ]
    assert [p.get_text(" ", strip=True) for p in page.select("#actors .actor-name")] == ["WFB"]
