"""The JSON API: status codes, problem details, roles, and the main calls end to end."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.enums import Phase
from backcast.services import accounts
from tests import factories


def api_token(db: Database, email: str | None = None) -> dict[str, str]:
    facilitator = factories.facilitator(db, email)
    return {"Authorization": f"Bearer {accounts.issue_api_token(db, facilitator.email)}"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {key: body[key] for key in ("type", "status", "code")} == {
        "type": f"urn:backcast:problem:{code}",
        "status": status,
        "code": code,
    }
    assert isinstance(body["title"], str) and isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def facilitator_headers(db: Database) -> dict[str, str]:
    return api_token(db)


def create(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Circular region 2045",
        "present_year": 2026,
        "vision_year": 2045,
        "language": "en",
        **fields,
    }
    response = client.post("/api/v1/workshops", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def join(client: TestClient, code: str, **fields: Any) -> dict[str, str]:
    response = client.post("/api/v1/join", json={"code": code, **fields})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_workshop_runs_from_creation_to_dots(
    client: TestClient, facilitator_headers: dict[str, str]
) -> None:
    workshop = create(client, facilitator_headers, dot_budget=2)
    code = workshop["code"]
    assert workshop["join_url"].endswith(f"/j/{code}")
    assert "127.0.0.1" not in workshop["join_url"] and "localhost" not in workshop["join_url"]
    assert [c["key"] for c in workshop["criteria"]] == ["impact", "feasibility", "urgency"]

    phone = join(client, code, group="sme")

    def phase(name: str) -> None:
        response = client.post(
            f"/api/v1/workshops/{code}/phase", json={"phase": name}, headers=facilitator_headers
        )
        assert response.json()["phase"] == name

    phase("milestones")
    milestone = client.post(
        f"/api/v1/workshops/{code}/items",
        json={"kind": "milestone", "text": "Half share", "year": 2035},
        headers=phone,
    ).json()
    phase("needs")
    need = client.post(
        f"/api/v1/workshops/{code}/items",
        json={"kind": "need", "text": "Register", "links": [milestone["id"]]},
        headers=phone,
    ).json()
    phase("measures")
    response = client.post(
        f"/api/v1/workshops/{code}/items",
        json={"kind": "measure", "text": "Exchange", "links": [need["id"]]},
        headers=phone,
    )
    assert response.status_code == 201
    assert response.headers["location"] == f"/api/v1/items/{response.json()['id']}"
    measure = response.json()
    assert measure["links"] == [need["id"]]

    phase("rating")
    rated = client.put(
        f"/api/v1/items/{measure['id']}/ratings", json={"impact": 5, "feasibility": None}, headers=phone
    )
    assert rated.json() == {"item_id": measure["id"], "values": {"impact": 5, "feasibility": None}}

    phase("prioritisation")
    dots = client.put(f"/api/v1/items/{measure['id']}/dots", json={"count": 2}, headers=phone)
    assert dots.json() == {"item_id": measure["id"], "count": 2, "dots_left": 0}
    over = client.put(f"/api/v1/items/{measure['id']}/dots", json={"count": 3}, headers=phone)
    assert assert_problem(over, 409, "over-budget")["detail"] == "You have 0 of 2 dots left."

    listed = client.get(f"/api/v1/workshops/{code}/items", headers=phone).json()
    assert [item["kind"] for item in listed] == ["milestone", "need", "measure"]
    details = client.get(f"/api/v1/workshops/{code}", headers=phone).json()
    assert (details["participants"], details["phase"]) == (1, "prioritisation")


def test_unknown_code_is_404_to_join_and_403_to_a_facilitator(
    client: TestClient, facilitator_headers: dict[str, str]
) -> None:
    # A facilitator's token gets what it gets for someone else's workshop: it cannot probe codes.
    assert_problem(client.get("/api/v1/workshops/ZZZZZZ", headers=facilitator_headers), 403, "forbidden")
    assert_problem(client.post("/api/v1/join", json={"code": "ZZZZZZ"}), 404, "not-found")


def test_participants_learn_which_items_are_theirs_and_nobody_elses_authorship(
    client: TestClient, db: Database
) -> None:
    shop = factories.workshop(db)
    factories.phase(db, shop, Phase.vision)
    owner = {"Authorization": f"Bearer {accounts.issue_api_token(db, factories.owner_of(db, shop).email)}"}
    ana, ben = (join(client, shop.code) for _ in range(2))
    url = f"/api/v1/workshops/{shop.code}/items"
    for phone, text in ((ana, "Ana's first"), (ben, "Ben's"), (ana, "Ana's second")):
        assert client.post(url, json={"kind": "vision", "text": text}, headers=phone).status_code == 201

    def seen(headers: dict[str, str]) -> list[tuple[str, int | None, bool]]:
        listed = client.get(url, headers=headers).json()
        return [(item["text"], item["author_id"], item["mine"]) for item in listed]

    assert seen(ana) == [("Ana's first", None, True), ("Ben's", None, False), ("Ana's second", None, True)]
    assert seen(ben) == [("Ana's first", None, False), ("Ben's", None, True), ("Ana's second", None, False)]
    authors = [author for _, author, _ in seen(owner)]
    assert authors[0] == authors[2] != authors[1] and None not in authors


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer nope", "Basic abc", "bearer bct_forged"]
)
def test_missing_or_wrong_token_is_401(client: TestClient, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.post("/api/v1/workshops", json={"title": "x"}, headers=headers)
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_wrong_role_is_403(client: TestClient, db: Database, facilitator_headers: dict[str, str]) -> None:
    code = create(client, facilitator_headers)["code"]
    phone = join(client, code)
    stranger = api_token(db)

    assert_problem(client.post("/api/v1/workshops", json={"title": "x"}, headers=phone), 403, "forbidden")
    assert_problem(
        client.post(f"/api/v1/workshops/{code}/phase", json={"phase": "vision"}, headers=phone),
        403,
        "forbidden",
    )
    assert_problem(client.get(f"/api/v1/workshops/{code}", headers=stranger), 403, "forbidden")
    assert_problem(client.delete(f"/api/v1/workshops/{code}", headers=stranger), 403, "forbidden")
    assert_problem(
        client.put("/api/v1/items/1/dots", json={"count": 1}, headers=facilitator_headers), 403, "forbidden"
    )


def test_a_participant_cannot_read_another_workshop(
    client: TestClient, facilitator_headers: dict[str, str]
) -> None:
    first = create(client, facilitator_headers)["code"]
    second = create(client, facilitator_headers)["code"]
    phone = join(client, first)
    assert_problem(client.get(f"/api/v1/workshops/{second}", headers=phone), 403, "forbidden")
    assert_problem(client.get(f"/api/v1/workshops/{second}/items", headers=phone), 403, "forbidden")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": 5},
        {"title": "ok", "vision_year": "2045"},
        {"title": "ok", "dot_budget": 2.5},
        {"title": "ok", "unknown": 1},
        {"title": "ok", "language": "fr"},
        [],
    ],
)
def test_wrong_types_are_422_naming_the_field(
    client: TestClient, facilitator_headers: dict[str, str], body: Any
) -> None:
    problem = assert_problem(
        client.post("/api/v1/workshops", json=body, headers=facilitator_headers), 422, "invalid"
    )
    assert problem["errors"] and all("field" in error and error["message"] for error in problem["errors"])


def test_service_refusals_name_the_field(client: TestClient, facilitator_headers: dict[str, str]) -> None:
    problem = assert_problem(
        client.post("/api/v1/workshops", json={"title": " "}, headers=facilitator_headers), 422, "invalid"
    )
    assert (problem["field"], problem["detail"]) == ("title", "This cannot be empty.")


def test_contribution_in_a_closed_phase_is_409(
    client: TestClient, facilitator_headers: dict[str, str]
) -> None:
    code = create(client, facilitator_headers)["code"]
    phone = join(client, code)
    response = client.post(
        f"/api/v1/workshops/{code}/items", json={"kind": "vision", "text": "Early"}, headers=phone
    )
    assert_problem(response, 409, "phase-closed")


def test_a_retry_with_the_same_idempotency_key_is_counted_once(
    client: TestClient, facilitator_headers: dict[str, str]
) -> None:
    code = create(client, facilitator_headers)["code"]
    client.post(f"/api/v1/workshops/{code}/phase", json={"phase": "vision"}, headers=facilitator_headers)
    phone = join(client, code) | {"Idempotency-Key": "0f5c-retry"}
    first = client.post(
        f"/api/v1/workshops/{code}/items", json={"kind": "vision", "text": "Once"}, headers=phone
    )
    second = client.post(
        f"/api/v1/workshops/{code}/items", json={"kind": "vision", "text": "Once"}, headers=phone
    )
    assert first.json()["id"] == second.json()["id"]
    assert len(client.get(f"/api/v1/workshops/{code}/items", headers=phone).json()) == 1


def test_facilitator_patch_edits_hides_and_merges(
    client: TestClient, facilitator_headers: dict[str, str]
) -> None:
    code = create(client, facilitator_headers)["code"]

    def post(body: dict[str, Any]) -> dict[str, Any]:
        return client.post(f"/api/v1/workshops/{code}/items", json=body, headers=facilitator_headers).json()

    keep, twin = post({"kind": "need", "text": "Register"}), post({"kind": "need", "text": "Registry"})

    edited = client.patch(
        f"/api/v1/items/{keep['id']}", json={"text": "Materials register"}, headers=facilitator_headers
    )
    assert edited.json()["text"] == "Materials register"
    merged = client.patch(
        f"/api/v1/items/{twin['id']}", json={"merged_into": keep["id"]}, headers=facilitator_headers
    )
    assert merged.json()["merged_into"] == keep["id"]
    hidden = client.patch(f"/api/v1/items/{keep['id']}", json={"hidden": True}, headers=facilitator_headers)
    assert hidden.json()["hidden"] is True

    phone = join(client, code)
    assert client.get(f"/api/v1/workshops/{code}/items", headers=phone).json() == []
    assert [
        i["id"] for i in client.get(f"/api/v1/workshops/{code}/items", headers=facilitator_headers).json()
    ] == [keep["id"]]
    assert_problem(
        client.patch("/api/v1/items/999999", json={"hidden": True}, headers=facilitator_headers),
        404,
        "not-found",
    )


def test_openapi_describes_the_contract_with_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {
        "/api/v1/workshops",
        "/api/v1/workshops/{code}",
        "/api/v1/workshops/{code}/phase",
        "/api/v1/join",
        "/api/v1/workshops/{code}/items",
        "/api/v1/items/{item_id}",
        "/api/v1/items/{item_id}/ratings",
        "/api/v1/items/{item_id}/dots",
    } <= set(paths)
    assert "/login" not in paths and "/healthz" not in paths


def test_unknown_api_route_is_a_problem(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not-found")


def test_create_from_a_template_and_patch_the_set_up(client: TestClient, db: Database) -> None:
    headers = api_token(db, "ana@example.org")
    shop = create(client, headers, template="regional-circular-economy", question=None)
    assert shop["template"] == "regional-circular-economy"
    assert [c["key"] for c in shop["criteria"]] == [
        "resource_effect",
        "sme_feasibility",
        "cost",
        "time_to_effect",
    ]
    assert shop["question"].startswith("What does a regional circular economy look like")
    assert shop["prompts"]["needs"]["de"].startswith("Was braucht einer dieser Meilensteine?")
    assert_problem(
        client.post("/api/v1/workshops", json={"title": "X", "template": "nope"}, headers=headers),
        404,
        "not-found",
    )

    code = shop["code"]
    patched = client.patch(
        f"/api/v1/workshops/{code}",
        json={
            "title": "Kreislauf Nordwest",
            "dot_budget": 7,
            "criteria": [{"key": "cost", "label": "Kosten", "direction": "lower"}],
        },
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["title"], body["dot_budget"], body["question"]) == (
        "Kreislauf Nordwest",
        7,
        shop["question"],
    )
    assert [(c["key"], c["label"], c["direction"]) for c in body["criteria"]] == [("cost", "Kosten", "lower")]

    joined = client.post("/api/v1/join", json={"code": code}).json()
    client.post(f"/api/v1/workshops/{code}/phase", json={"phase": "rating"}, headers=headers)
    measure = client.post(
        f"/api/v1/workshops/{code}/items", json={"kind": "measure", "text": "Repair café"}, headers=headers
    ).json()
    rated = client.put(
        f"/api/v1/items/{measure['id']}/ratings",
        json={"cost": 2},
        headers={"Authorization": f"Bearer {joined['token']}"},
    )
    assert rated.status_code == 200, rated.text
    refused = assert_problem(
        client.patch(
            f"/api/v1/workshops/{code}",
            json={"criteria": [{"key": "cost", "label": "Kosten", "scale_max": 10}]},
            headers=headers,
        ),
        409,
        "conflict",
    )
    assert refused["detail"] == "The scale of “Kosten” cannot change: 1 rating uses it."
    assert_problem(
        client.patch(f"/api/v1/workshops/{code}", json={"dot_budget": "7"}, headers=headers), 422, "invalid"
    )
    assert_problem(
        client.patch(f"/api/v1/workshops/{code}", json={"title": "Mine"}, headers=api_token(db)),
        403,
        "forbidden",
    )
    assert_problem(
        client.patch(
            f"/api/v1/workshops/{code}",
            json={"title": "Mine"},
            headers={"Authorization": f"Bearer {joined['token']}"},
        ),
        403,
        "forbidden",
    )
    assert client.get(f"/api/v1/workshops/{code}", headers=headers).json()["title"] == "Kreislauf Nordwest"
