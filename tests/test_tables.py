"""Breakout tables: the facilitator sets up 2–12 tables, people are seated (balanced across the
stakeholder groups, at random with a logged seed, or by their own choice), moved, seated late, and
the breakout ends; every seat ever taken stays in the history, and wrong input changes nothing."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from frictionless import validate
from sqlmodel import col, select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import EventRecord, Participant, Seating, Table, Workshop
from backcast.services import accounts, items, participants, tables
from backcast.services.errors import Conflict
from tests import factories

GROUPS = ["sme", "large_company", "association", "public_administration"]


def bearer(db: Database, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_api_token(db, email)}"}


def events_of(db: Database, shop: Workshop, type_: str) -> list[dict[str, Any]]:
    with db.read() as session:
        return [
            row.data
            for row in session.exec(
                select(EventRecord)
                .where(EventRecord.workshop_id == shop.id, EventRecord.type == type_)
                .order_by(col(EventRecord.seq))
            )
        ]


def seats(db: Database) -> list[tuple[int, int, str, bool]]:
    """(participant, table, how, still open), in the order taken."""
    with db.read() as session:
        return [
            (s.participant_id, s.table_id, s.how, s.left_at is None)
            for s in session.exec(select(Seating).order_by(col(Seating.id)))
        ]


def room(db: Database, people: dict[str | None, int]) -> tuple[Workshop, Any, list[Participant]]:
    """A workshop and its participants: so many of each group (None: no group given)."""
    owner = factories.facilitator(db)
    shop = factories.workshop(db, owner)
    joined = []
    for group, count in people.items():
        for _ in range(count):
            joined.append(factories.join(db, shop, group=group)[0])
    return shop, owner, joined


def table_names(count: int) -> list[dict[str, Any]]:
    return [{"name": f"Table {n}"} for n in range(1, count + 1)]


def test_balanced_seating_spreads_every_group_evenly_over_the_tables(
    client: TestClient, db: Database
) -> None:
    # Uneven groups, and people who gave no group, arriving in an order that a plain round would
    # leave lopsided: every group's count per table differs by at most one.
    owner = factories.facilitator(db)
    shop = factories.workshop(db, owner)
    arrivals = ["sme", "sme", "association", "sme", "sme", "large_company", "sme", "sme", "association"]
    arrivals += [None, "association", "sme", None, "association", None, "large_company", None, "other"]
    arrivals += ["association"]
    people = [factories.join(db, shop, group=group)[0] for group in arrivals]
    response = client.post(
        f"/api/v1/workshops/{shop.code}/tables",
        json={"tables": table_names(3), "assign": "balanced"},
        headers=bearer(db, owner.email),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["breakout"] == 1 and body["assign"] == "balanced" and body["unseated"] == []
    group_of = {person.id: person.group_id for person in people}
    for group in set(group_of.values()):
        counts = [sum(group_of[p] == group for p in table["participants"]) for table in body["tables"]]
        assert max(counts) - min(counts) <= 1, (group, counts)
    sizes = [len(table["participants"]) for table in body["tables"]]
    assert sorted(sizes) == [6, 6, 7]
    listed = client.get(f"/api/v1/workshops/{shop.code}/tables", headers=bearer(db, owner.email)).json()
    assert listed == body


def test_a_random_seating_logs_its_seed_and_the_seed_replays_it(db: Database) -> None:
    shop, owner, people = room(db, {None: 10})
    started = tables.start_breakout(db, owner, shop.code, table_names(4), "random")
    logged = events_of(db, shop, "breakout-started")[0]
    assert logged["seed"] == started[0].seed is not None
    by_id = {table.id: table.number - 1 for table in started}
    replayed = tables.random_seating(len(people), 4, logged["seed"])
    assert [by_id[logged["seats"][str(person.id)]] for person in people] == replayed
    assert sorted(Counter(replayed).values()) == [2, 2, 3, 3]


def test_with_choice_nobody_is_seated_until_their_phone_picks_a_table(db: Database) -> None:
    shop, owner, (ann, bo) = room(db, {None: 2})
    tables.start_breakout(db, owner, shop.code, table_names(2), "choice")
    assert seats(db) == []
    chosen = tables.choose_table(db, ann, 2)
    tables.choose_table(db, ann, 2)  # a second tap changes nothing
    tables.choose_table(db, ann, 1)  # a change of mind closes the first seat
    assert chosen.number == 2
    with db.read() as session:
        numbers = {t.id: t.number for t in session.exec(select(Table))}
    assert [(p, numbers[t], how, open_) for p, t, how, open_ in seats(db)] == [
        (ann.id, 2, "choice", False),
        (ann.id, 1, "choice", True),
    ]
    breakout = tables.breakout_for(db, owner, shop.code)
    assert breakout is not None and breakout.unseated == [bo]


def test_moving_someone_keeps_their_earlier_seat_in_the_history(client: TestClient, db: Database) -> None:
    shop, owner, (ann, bo, cy) = room(db, {None: 3})
    api = bearer(db, owner.email)
    client.post(
        f"/api/v1/workshops/{shop.code}/tables",
        json={"tables": table_names(2), "assign": "balanced"},
        headers=api,
    )
    moved = client.put(f"/api/v1/workshops/{shop.code}/tables/seats/{ann.id}", json={"table": 2}, headers=api)
    assert moved.status_code == 200, moved.text
    assert [t["participants"] for t in moved.json()["tables"]] == [[cy.id], [bo.id, ann.id]]
    assert [(p, how, open_) for p, _, how, open_ in seats(db)] == [
        (ann.id, "balanced", False),
        (bo.id, "balanced", True),
        (cy.id, "balanced", True),
        (ann.id, "moved", True),
    ]
    (event,) = events_of(db, shop, "participant-seated")
    assert event["participant_id"] == ann.id and event["how"] == "moved"
    assert event["previous_table_id"] == moved.json()["tables"][0]["id"]


def test_a_late_joiner_is_seated_by_the_breakout_s_rule(db: Database) -> None:
    shop, owner, _ = room(db, {"sme": 2, "association": 1})
    started = tables.start_breakout(db, owner, shop.code, table_names(2), "balanced")
    # Table 1 has an SME and the association, table 2 an SME: the next SME goes to... the one
    # with fewer SMEs (a tie), then fewer people: table 2.
    late, _ = factories.join(db, shop, group="sme")
    breakout = tables.breakout_for(db, owner, shop.code)
    assert breakout is not None
    assert [[p.id for p in t.participants] for t in breakout.tables][1][-1] == late.id
    (event,) = events_of(db, shop, "participant-seated")
    assert event == {
        "participant_id": late.id,
        "table_id": started[1].id,
        "previous_table_id": None,
        "how": "balanced",
    }


def test_a_second_breakout_keeps_the_first_seating_in_the_log(db: Database) -> None:
    shop, owner, people = room(db, {None: 4})
    first = tables.start_breakout(db, owner, shop.code, table_names(2), "balanced")
    assert tables.end_breakout(db, owner, shop.code) == 1
    assert tables.breakout_for(db, owner, shop.code) is None
    second = tables.start_breakout(db, owner, shop.code, table_names(2), "random", seed=7)
    assert [t.breakout for t in second] == [2, 2]
    old = {t.id for t in first}
    history = seats(db)
    assert sorted((p, open_) for p, t, _, open_ in history if t in old) == sorted(
        (person.id, False) for person in people
    )
    assert sorted(p for p, t, _, open_ in history if t not in old and open_) == sorted(p.id for p in people)
    assert [e["breakout"] for e in events_of(db, shop, "breakout-started")] == [1, 2]
    assert events_of(db, shop, "breakout-ended") == [{"breakout": 1}]


def test_a_table_may_work_on_a_milestone_or_need_of_the_workshop_or_a_text(db: Database) -> None:
    tree = factories.tree(db)
    started = tables.start_breakout(
        db,
        tree.owner,
        tree.workshop.code,
        [
            {"name": "A", "scope": tree.milestone.id},
            {"name": "B", "scope": tree.need.id},
            {"name": "C", "scope": "Construction"},
        ],
        "choice",
    )
    assert [(t.scope_item_id, t.scope_text) for t in started] == [
        (tree.milestone.id, ""),
        (tree.need.id, ""),
        (None, "Construction"),
    ]


def _refused(
    client: TestClient,
    db: Database,
    shop: Workshop,
    method: str,
    path: str,
    api: dict[str, str],
    body: Any = None,
) -> tuple[int, str | None]:
    before = factories.event_count(db, shop)
    with db.read() as session:
        rows = (len(session.exec(select(Table)).all()), len(session.exec(select(Seating)).all()))
    response = client.request(method, path, json=body, headers=api)
    assert response.headers["content-type"] == "application/problem+json", response.text
    assert factories.event_count(db, shop) == before
    with db.read() as session:
        assert (len(session.exec(select(Table)).all()), len(session.exec(select(Seating)).all())) == rows
    return response.status_code, response.json().get("field")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"tables": table_names(1), "assign": "balanced"}, 422, "tables"),
        ({"tables": table_names(13), "assign": "balanced"}, 422, "tables"),
        ({"tables": [{"name": ""}, {"name": "B"}], "assign": "balanced"}, 422, "tables.0.name"),
        ({"tables": [{"name": "   "}, {"name": "B"}], "assign": "balanced"}, 422, "tables.0.name"),
        ({"tables": [{"name": "A"}, {"name": "B" * 61}], "assign": "balanced"}, 422, "tables.1.name"),
        ({"tables": [{"name": "A"}, {"name": " a "}], "assign": "balanced"}, 409, "tables.1.name"),
        ({"tables": table_names(2), "assign": "alphabetical"}, 422, "assign"),
    ],
)
def test_tables_that_cannot_be_set_up_are_refused_and_change_nothing(
    client: TestClient, db: Database, body: dict[str, Any], status: int, field: str
) -> None:
    shop, owner, _ = room(db, {None: 2})
    path = f"/api/v1/workshops/{shop.code}/tables"
    assert _refused(client, db, shop, "POST", path, bearer(db, owner.email), body) == (status, field)


def test_a_scope_of_another_workshop_or_of_the_wrong_kind_is_refused(
    client: TestClient, db: Database
) -> None:
    tree, other = factories.tree(db), factories.tree(db)
    api = bearer(db, tree.owner.email)
    path = f"/api/v1/workshops/{tree.workshop.code}/tables"
    for scope in (other.milestone.id, tree.measures[0].id, 999999):
        body = {"tables": [{"name": "A"}, {"name": "B", "scope": scope}], "assign": "balanced"}
        assert _refused(client, db, tree.workshop, "POST", path, api, body) == (409, "tables.1.scope")


def test_seating_at_a_missing_table_choosing_when_seated_and_ending_twice_are_refused(
    client: TestClient, db: Database
) -> None:
    shop, owner, (ann, _) = room(db, {None: 2})
    api = bearer(db, owner.email)
    path = f"/api/v1/workshops/{shop.code}/tables"
    # Nothing to move to, or end, before a breakout.
    assert _refused(client, db, shop, "PUT", f"{path}/seats/{ann.id}", api, {"table": 1}) == (409, "table")
    assert _refused(client, db, shop, "DELETE", path, api) == (409, "tables")
    client.post(path, json={"tables": table_names(2), "assign": "balanced"}, headers=api)
    assert _refused(client, db, shop, "PUT", f"{path}/seats/{ann.id}", api, {"table": 3}) == (409, "table")
    assert _refused(client, db, shop, "PUT", f"{path}/seats/999999", api, {"table": 1}) == (
        404,
        "participant_id",
    )
    assert _refused(client, db, shop, "PUT", f"{path}/seats/{ann.id}", api, {"table": 0})[0] == 422
    assert _refused(client, db, shop, "POST", path, api, {"tables": table_names(2), "assign": "random"}) == (
        409,
        "tables",
    )
    before = factories.event_count(db, shop)
    with pytest.raises(Conflict):
        tables.choose_table(db, ann, 2)  # the facilitator seats people at this breakout
    assert factories.event_count(db, shop) == before
    assert client.delete(path, headers=api).status_code == 200
    assert _refused(client, db, shop, "DELETE", path, api) == (409, "tables")


def test_deleting_a_participant_removes_them_from_the_seating(db: Database) -> None:
    shop, owner, (ann, bo) = room(db, {None: 2})
    tables.start_breakout(db, owner, shop.code, table_names(2), "balanced")
    tables.move_participant(db, owner, shop.code, ann.id, 2)
    participants.delete_participant(db, owner, shop.code, ann.id)  # type: ignore[arg-type]
    assert [p for p, *_ in seats(db)] == [bo.id]
    breakout = tables.breakout_for(db, owner, shop.code)
    assert breakout is not None and [[p.id for p in t.participants] for t in breakout.tables] == [[], [bo.id]]


def test_items_added_during_a_breakout_carry_their_table(db: Database) -> None:
    shop, owner, (ann, _) = room(db, {None: 2})
    factories.phase(db, shop, Phase.milestones)
    started = tables.start_breakout(db, owner, shop.code, table_names(2), "balanced")
    mine = items.add_item(db, ann, shop.code, kind="milestone", text="Repair cafés in every town", year=2035)
    facilitators = items.add_item(db, owner, shop.code, kind="milestone", text="Plenary", year=2035)
    assert (mine.table_id, facilitators.table_id) == (started[0].id, None)


def test_the_export_carries_the_tables_the_seating_and_each_item_s_table(
    client: TestClient, db: Database, tmp_path: Any
) -> None:
    shop, owner, (ann, bo) = room(db, {None: 2})
    factories.phase(db, shop, Phase.milestones)
    started = tables.start_breakout(
        db, owner, shop.code, [{"name": "Harbour", "scope": "Logistics"}, {"name": "Hill"}], "random", seed=42
    )
    table_of = {person_id: table_id for person_id, table_id, _, _ in seats(db)}
    added = items.add_item(db, ann, shop.code, kind="milestone", text="Repair cafés in every town", year=2035)
    tables.move_participant(db, owner, shop.code, bo.id, 1 if table_of[bo.id] == started[1].id else 2)
    tables.end_breakout(db, owner, shop.code)
    api = bearer(db, owner.email)

    def fetch(**params: str) -> bytes:
        response = client.get(f"/api/v1/workshops/{shop.code}/export", params=params, headers=api)
        assert response.status_code == 200, response.text
        return response.content

    document = json.loads(fetch(format="json"))
    assert [
        (t["table_id"], t["name"], t["scope_text"], t["assign"], t["seed"]) for t in document["tables"]
    ] == [
        (started[0].id, "Harbour", "Logistics", "random", 42),
        (started[1].id, "Hill", "", "random", 42),
    ]
    assert all(t["ended_at"] for t in document["tables"])
    assert [(s["how"], s["left_at"] is not None) for s in document["seating"]] == [
        ("random", True),
        ("random", True),
        ("moved", True),
    ]
    assert [(i["item_id"], i["table"]) for i in document["items"]] == [(added.id, table_of[ann.id])]

    with zipfile.ZipFile(io.BytesIO(fetch(format="datapackage"))) as archive:
        archive.extractall(tmp_path)
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    first = [fetch(format="csv", table=name) for name in ("tables", "seating", "items")] + [
        fetch(format="json")
    ]
    second = [fetch(format="csv", table=name) for name in ("tables", "seating", "items")] + [
        fetch(format="json")
    ]
    assert first == second
    assert first[0].decode("utf-8-sig").splitlines()[0] == (
        "table_id,breakout,number,name,scope_item_id,scope_text,assign,seed,started_at,ended_at"
    )


def test_a_participant_who_deletes_their_data_leaves_no_seat_of_theirs_in_the_log(db: Database) -> None:
    shop, owner, (ann, bo) = room(db, {None: 2})
    tables.start_breakout(db, owner, shop.code, table_names(2), "choice")
    tables.choose_table(db, ann, 1)
    tables.choose_table(db, bo, 2)
    participants.delete_own_data(db, ann)
    assert [e["participant_id"] for e in events_of(db, shop, "participant-seated")] == [bo.id]
    assert [p for p, *_ in seats(db)] == [bo.id]
