"""The JSON API against its own OpenAPI document: generated requests, valid and not, as every kind of
caller, on real workshops and on made-up ones. No answer is a server error, every answer is one the
document describes, and every refusal is an RFC 9457 problem document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis.python import asgi

from backcast.app import create_app
from backcast.db import Database
from backcast.enums import Phase
from backcast.models import Facilitator
from backcast.services import accounts, agenda, items, studies, workshops
from backcast.services.validate import MAX_ID
from backcast.settings import Settings
from tests import factories

PROBLEM = "application/problem+json"
STREAM = "/api/v1/workshops/{code}/events"
# Every check, "schema-valid request rejected" too: a request the schema allows is taken, or refused
# for the workshop's state (409), never as malformed (422).
# A body over BACKCAST_MAX_BODY_SIZE (which JSON Schema cannot state: it counts the encoded bytes)
# is refused with 413 whether it fits the schema or not; each operation documents that answer.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "enabled": True,
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx"],
            },
            "negative_data_rejection": {
                "expected-statuses": [
                    *("400", "401", "403", "404", "405", "406", "409", "413"),
                    *("415", "422", "428", "429", "5xx"),
                ]
            },
        }
    }
)
# Who calls, and what the path names: the seeded workshop, and the caller each operation is for
# (a participant for ratings and dots, its facilitator for the rest), come up most.
ACTORS = ["owner", "participant", "stranger", "nobody", "forged"]
FOR_PARTICIPANTS = (
    "/api/v1/items/{item_id}/ratings",
    "/api/v1/items/{item_id}/dots",
    "/api/v1/participants/me/group",
)
TARGETS = ["own", "generated", "own", "other"]


# The phase each participant operation needs, set again before it is fuzzed: the calls fuzzed
# before it move the seeded workshop through the phases at random.
STAGE = {
    "/api/v1/workshops/{code}/items": Phase.measures,
    "/api/v1/items/{item_id}/ratings": Phase.rating,
    "/api/v1/items/{item_id}/dots": Phase.prioritisation,
}


@dataclass
class World:
    """Two facilitators with a workshop each, a participant of the first, and their tokens: the
    fuzzed requests name these objects as often as made-up ones."""

    db: Database
    app: FastAPI
    owners: dict[str, Facilitator]
    tokens: dict[str, str]
    codes: dict[str, str]
    item_ids: dict[str, list[int]]
    study_ids: dict[str, int]
    # Contributions of the studies' workshops, which their members code.
    study_item_ids: dict[str, list[int]]
    # Each workshop's agenda entries, which its owner follows up.
    entry_ids: dict[str, list[int]]

    def spare_study(self, target: str) -> int:
        """An empty study of the same facilitator's to delete, so that the seeded ones stay."""
        study = studies.create_study(self.db, self.owners[target], title="Spare")
        assert study.id is not None
        return study.id

    def spare_code(self, target: str) -> str:
        """A workshop of the same owner's to delete, so that the seeded ones stay."""
        return factories.workshop(self.db, self.owners[target]).code

    def headers(self, actor: str) -> dict[str, str]:
        if actor == "nobody":
            return {}
        if actor == "forged":
            return {"Authorization": "Bearer bcp_not-a-token"}
        return {"Authorization": f"Bearer {self.tokens[actor]}"}

    def stage(self, path: str) -> None:
        if path in STAGE:
            code = self.codes["own"]
            workshops.set_phase(self.db, self.owners["own"], code, STAGE[path])
            workshops.set_input_open(self.db, self.owners["own"], code, True)


def seeded_world(db: Database, tmp_path: Path) -> World:
    own, other = factories.tree(db), factories.tree(db)
    factories.phase(db, own.workshop, Phase.rating)
    # A study for each facilitator, holding a workshop of its own (the trees' workshops stay loose,
    # so that attaching them can be tried).
    study_ids, study_item_ids = {}, {}
    for key, tree in (("own", own), ("other", other)):
        study = studies.create_study(
            db, tree.owner, title=f"Study of {key}", themes=[studies.ThemeSpec(label_de="Thema")]
        )
        assert study.id is not None
        in_study = studies.create_workshop_in_study(db, tree.owner, study.id, title="In the study")
        study_ids[key] = study.id
        coded = items.add_item(db, tree.owner, in_study.code, kind="milestone", text="Coded", year=2040)
        assert coded.id is not None
        study_item_ids[key] = [coded.id]
    _, participant_token = factories.join(db, own.workshop)
    settings_ = Settings(data_dir=tmp_path / "data", secret_key="fuzz-secret-key-" + "x" * 32, port=8000)
    return World(
        db=db,
        app=create_app(settings_, db=db),
        owners={"own": own.owner, "other": other.owner},
        tokens={
            "owner": accounts.issue_api_token(db, own.owner.email),
            "stranger": accounts.issue_api_token(db, other.owner.email),
            "participant": participant_token,
        },
        codes={"own": own.workshop.code, "other": other.workshop.code},
        item_ids={
            key: [item.id for item in (tree.milestone, tree.need, *tree.measures) if item.id is not None]
            for key, tree in (("own", own), ("other", other))
        },
        study_ids=study_ids,
        study_item_ids=study_item_ids,
        entry_ids={
            key: [agenda.add_to_agenda(db, tree.owner, tree.workshop.code, tree.measures[0].id).id or 0]
            for key, tree in (("own", own), ("other", other))
        },
    )


@pytest.fixture
def world(sqlite_db: Database, tmp_path: Path) -> Iterator[World]:
    """On SQLite only: the fuzzing is about the API's answers, and takes its time."""
    try:
        yield seeded_world(sqlite_db, tmp_path)
    finally:
        asgi.shutdown_lifespans()


def problem_details(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx answer of the API is problem+json with type, title, status and detail."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.split(";")[0].strip() == PROBLEM, f"{response.status_code} as {content_type!r}"
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    for key in ("type", "title", "detail"):
        assert isinstance(body.get(key), str) and body[key], (key, body)
    assert body.get("status") == response.status_code, body
    return None


def aimed(case: Any, world: World, target: str, pick: int) -> Any:
    """The case with its path (and a join's code) pointed at a seeded object, unless `target` says
    not. Only a value of the right type is replaced, so that a case made to break the schema still
    breaks it."""
    if target == "generated":
        return case
    if isinstance(case.path_parameters.get("code"), str):
        delete = case.method == "DELETE" and case.path == "/api/v1/workshops/{code}"
        code = world.spare_code(target) if delete else world.codes[target]
        case.path_parameters["code"] = code
    if isinstance(case.path_parameters.get("item_id"), int):
        coded = case.path == "/api/v1/items/{item_id}/themes"
        ids = (world.study_item_ids if coded else world.item_ids)[target]
        case.path_parameters["item_id"] = ids[pick % len(ids)]
    if isinstance(case.path_parameters.get("entry_id"), int):
        case.path_parameters["entry_id"] = world.entry_ids[target][0]
    if isinstance(case.path_parameters.get("study_id"), int):
        delete = case.method == "DELETE" and case.path == "/api/v1/studies/{study_id}"
        case.path_parameters["study_id"] = world.spare_study(target) if delete else world.study_ids[target]
    if case.path == "/api/v1/join" and isinstance(case.body, dict) and isinstance(case.body.get("code"), str):
        case.body["code"] = world.codes[target]
    return case


def _whole(value: object) -> bool:
    """A whole number as JSON Schema counts them (2.0 is one, true is not)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()


def within_rules_between_fields(case: Any) -> Any:
    """The case made to keep the rules between fields that JSON Schema cannot state, and that the
    schema's descriptions name: a criterion's scale top above its bottom, each criterion's and
    group's key its own, a single table only with CSV. Schemathesis checks the changed case against
    the schema again, so a case made to break the schema is judged as such."""
    body = case.body if isinstance(case.body, dict) else {}
    if case.path in ("/api/v1/workshops", "/api/v1/workshops/{code}"):
        for field in ("criteria", "groups"):
            rows = body.get(field)
            if not isinstance(rows, list):
                continue
            seen: set[str] = set()
            for number, row in enumerate(rows):
                if not isinstance(row, dict):
                    continue
                key = row.get("key")
                if isinstance(key, str) and key in seen:
                    row["key"] = f"{key[:28]}_{number}"
                seen.add(row.get("key"))
                bottom, top = row.get("scale_min", 1), row.get("scale_max", 5)
                if field == "criteria" and _whole(bottom) and _whole(top) and top <= bottom:
                    low, high = int(top), int(bottom)
                    if low == high:
                        low, high = (low - 1, high) if low > 0 else (low, high + 1)
                    row["scale_min"], row["scale_max"] = low, high
    query = case.query if isinstance(case.query, dict) else {}
    if case.path.endswith("/export") and query.get("format") not in (None, "csv"):
        query.pop("table", None)
    return case


def fuzz(operation: Any, world: World) -> None:
    rightful = "participant" if operation.path in FOR_PARTICIPANTS else "owner"
    examples = operation.get_strategies_from_examples()
    cases = st.one_of(*examples, *(operation.as_strategy(mode) for mode in GenerationMode))

    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=cases,
        actor=st.sampled_from([rightful] * 4 + ACTORS),
        target=st.sampled_from(TARGETS),
        pick=st.integers(0, 3),
    )
    def run(case: Any, actor: str, target: str, pick: int) -> None:
        within_rules_between_fields(aimed(case, world, target, pick)).call_and_validate(
            headers=world.headers(actor), additional_checks=[problem_details]
        )

    world.stage(operation.path)
    run()


def stream_refusals(operation: Any, world: World) -> None:
    """The event stream, by anyone but its workshop's facilitator: refused before it starts, so
    each answer ends and can be checked (the owner's stream would run until cut off)."""

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=st.one_of(operation.as_strategy(mode) for mode in GenerationMode),
        actor=st.sampled_from(["participant", "stranger", "nobody", "forged"]),
        target=st.sampled_from(["own", "generated"]),
    )
    def run(case: Any, actor: str, target: str) -> None:
        aimed(case, world, target, 0).call_and_validate(
            headers=world.headers(actor), additional_checks=[problem_details]
        )

    run()


def test_the_api_answers_every_request_as_its_document_says(world: World, subtests: pytest.Subtests) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app, config=CONFIG).exclude(path=STREAM)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        with subtests.test(operation.label):
            fuzz(operation, world)
    stream = schemathesis.openapi.from_asgi("/openapi.json", world.app, config=CONFIG).include(path=STREAM)
    for result in stream.get_all_operations():
        with subtests.test(result.ok().label):
            stream_refusals(result.ok(), world)


def test_every_request_body_has_an_example_that_fits_its_schema(world: World) -> None:
    spec = world.app.openapi()
    bodies = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                bodies += 1
                schema = content["schema"]
                if "$ref" in schema:
                    schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
                examples = [
                    *([content["example"]] if "example" in content else []),
                    *(example["value"] for example in content.get("examples", {}).values()),
                    *([schema["example"]] if "example" in schema else []),
                    *schema.get("examples", []),
                ]
                assert examples, f"{method.upper()} {path} ({media_type}) has no example"
                validator = Draft202012Validator({**content["schema"], "components": spec["components"]})
                for example in examples:
                    assert list(validator.iter_errors(example)) == [], (method, path, example)
    assert bodies >= 10


BIG = 2**31  # one past the largest id PostgreSQL's integers hold; SQLite's end at 2**63
HUGE = 10**24


@pytest.fixture
def any_world(db: Database, tmp_path: Path) -> World:
    return seeded_world(db, tmp_path)


@pytest.mark.parametrize(
    ("phase", "actor", "method", "path", "body", "status"),
    [
        ("needs", "owner", "PATCH", "/api/v1/items/{need}", f'{{"merged_into": {BIG}}}', 422),
        ("needs", "owner", "PATCH", "/api/v1/items/{need}", f'{{"merged_into": {HUGE}}}', 422),
        ("needs", "owner", "PATCH", f"/api/v1/items/{BIG}", '{"hidden": true}', 404),
        ("needs", "owner", "PATCH", f"/api/v1/items/{HUGE}", '{"hidden": true}', 404),
        ("needs", "owner", "PATCH", "/api/v1/items/{need}", f'{{"links": [{HUGE}]}}', 422),
        (
            "needs",
            "owner",
            "POST",
            "/api/v1/workshops/{code}/items",
            f'{{"kind": "need", "text": "x", "links": [{BIG}]}}',
            422,
        ),
        ("rating", "participant", "PUT", f"/api/v1/items/{BIG}/ratings", '{"impact": 1}', 404),
        ("prioritisation", "participant", "PUT", f"/api/v1/items/{HUGE}/dots", '{"count": 1}', 404),
        ("rating", "participant", "PUT", "/api/v1/items/{measure}/ratings", '{"\\ud800": 1}', 422),
        ("needs", "owner", "POST", "/api/v1/workshops", '{"title": "x\\ud800"}', 422),
        ("needs", "owner", "POST", "/api/v1/workshops", '{"title": "x", "template": "\\ud800"}', 404),
        ("needs", "nobody", "POST", "/api/v1/join", '{"code": "{code}", "group": "\\ud800"}', 422),
        ("needs", "nobody", "POST", "/api/v1/join", b"\xb2", 400),
    ],
)
def test_odd_values_are_refused_with_problem_details(
    any_world: World, phase: str, actor: str, method: str, path: str, body: str | bytes, status: int
) -> None:
    """What the fuzzing does not reach: ids past what the database holds, lone surrogates (which
    JSON can escape and UTF-8 cannot hold), a body that is not UTF-8; on each store."""
    world = any_world
    workshops.set_phase(world.db, world.owners["own"], world.codes["own"], Phase(phase))
    need, measure = world.item_ids["own"][1], world.item_ids["own"][2]
    names = {"{need}": str(need), "{measure}": str(measure), "{code}": world.codes["own"]}
    for name, value in names.items():
        path = path.replace(name, value)
        body = body.replace(name, value) if isinstance(body, str) else body
    headers = {**world.headers(actor), "Content-Type": "application/json"}
    with TestClient(world.app) as client:
        response = client.request(method, path, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status and problem["detail"] and problem["title"] and problem["type"]


def test_a_link_to_an_unknown_item_and_an_unknown_group_conflict_with_the_workshop(any_world: World) -> None:
    """Well-formed requests that the workshop's state stands against: 409 with the field, and
    nothing changed; the same request malformed is 422."""
    world = any_world
    code = world.codes["own"]
    workshops.set_phase(world.db, world.owners["own"], code, Phase.needs)
    owner = {**world.headers("owner"), "Content-Type": "application/json"}
    participant = {**world.headers("participant"), "Content-Type": "application/json"}
    elsewhere = world.item_ids["other"][0]  # the other workshop's milestone
    with TestClient(world.app) as client:
        before = client.get(f"/api/v1/workshops/{code}", headers=owner).json()["last_seq"]
        refusals = [
            client.post(
                f"/api/v1/workshops/{code}/items",
                json={"kind": "need", "text": "Space for repair", "links": [target]},
                headers=owner,
            )
            for target in (elsewhere, MAX_ID)
        ]
        group = client.put("/api/v1/participants/me/group", json={"group": "astronauts"}, headers=participant)
        joined = client.post("/api/v1/join", json={"code": code, "group": "astronauts"})
        malformed = client.post(
            f"/api/v1/workshops/{code}/items",
            json={"kind": "need", "text": "Space for repair", "links": [0]},
            headers=owner,
        )
        after = client.get(f"/api/v1/workshops/{code}", headers=owner).json()["last_seq"]
    for response, field in (
        (refusals[0], "links"),
        (refusals[1], "links"),
        (group, "group"),
        (joined, "group"),
    ):
        assert (response.status_code, response.headers["content-type"]) == (409, PROBLEM), response.text
        assert (response.json()["code"], response.json()["field"]) == ("conflict", field)
    assert refusals[0].json()["detail"] == f"Item {elsewhere} is not a milestone of this workshop."
    assert group.json()["detail"] == "Choose one of the workshop's groups."
    assert (malformed.status_code, malformed.json()["code"]) == (422, "invalid")
    assert after == before
