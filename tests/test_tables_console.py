"""The console during a breakout: the tables side by side with who sits there, what each has
contributed, its last items and whether it has gone quiet; starting, moving and ending from there."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.enums import Phase
from backcast.queries.tables import table_overview
from backcast.services import items, tables
from tests import factories
from tests.test_console import sign_in


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def texts(page: BeautifulSoup, selector: str) -> list[str]:
    return [" ".join(node.get_text(" ", strip=True).split()) for node in page.select(selector)]


def test_the_console_starts_a_breakout_and_shows_the_tables_side_by_side(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    shop, owner = tree.workshop, tree.owner
    ann, _ = factories.join(db, shop, name="Ann")
    factories.join(db, shop, name="Bo")
    factories.phase(db, shop, Phase.needs)
    sign_in(client, owner.email)
    started = client.post(
        f"/facilitate/{shop.code}/tables",
        data={"names": "Harbour | Logistics\n\nHill", "per": "", "assign": "balanced"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    items.add_item(db, ann, shop.code, kind="need", text="Shared forklifts", links=[tree.milestone.id])
    page = soup(client.get(f"/facilitate/{shop.code}").text)
    assert texts(page, ".table-summary h3") == ["1 · Harbour", "2 · Hill"]
    assert texts(page, ".table-summary .people") == ["Ann", "Bo"]
    assert texts(page, ".table-summary .kind-counts") == ["1 Need", ""]
    assert texts(page, ".table-summary .last-items") == ["Shared forklifts"]
    assert page.select(".breakout-form") == []

    moved = client.post(
        f"/facilitate/{shop.code}/tables/seat",
        data={"participant_id": str(ann.id), "table": "2"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert texts(soup(client.get(f"/facilitate/{shop.code}").text), ".table-summary .people") == [
        "Nobody yet",
        "Bo, Ann",
    ]

    assert client.post(f"/facilitate/{shop.code}/tables/end", follow_redirects=False).status_code == 303
    again = client.post(f"/facilitate/{shop.code}/tables/end", follow_redirects=False)
    assert again.status_code == 422  # the console answers every refusal so
    assert "No breakout is on." in texts(soup(again.text), "[role=alert]")[0]
    assert tables.breakout_for(db, owner, shop.code) is None


def test_one_table_per_milestone_takes_the_milestones_as_scopes(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    sign_in(client, tree.owner.email)
    later = items.add_item(
        db, tree.owner, tree.workshop.code, kind="milestone", text="Every town repairs", year=2040
    )
    client.post(
        f"/facilitate/{tree.workshop.code}/tables", data={"names": "", "per": "milestone", "assign": "choice"}
    )
    breakout = tables.breakout_for(db, tree.owner, tree.workshop.code)
    assert breakout is not None
    assert [(t.table.name, t.table.scope_item_id) for t in breakout.tables] == [
        ("Half of all firms share materials", tree.milestone.id),
        ("Every town repairs", later.id),
    ]


def test_a_table_with_nothing_new_for_five_minutes_is_pointed_out(db: Database) -> None:
    tree = factories.tree(db)
    shop, owner = tree.workshop, tree.owner
    ann, _ = factories.join(db, shop)
    factories.join(db, shop)
    factories.phase(db, shop, Phase.needs)
    started = tables.start_breakout(db, owner, shop.code, [{"name": "A"}, {"name": "B"}], "balanced")
    added = items.add_item(
        db, ann, shop.code, kind="need", text="Shared forklifts", links=[tree.milestone.id]
    )
    with db.read() as session:
        later = started[0].started_at + timedelta(minutes=4)
        assert [s.quiet for s in table_overview(session, shop.id, later).tables] == [False, False]  # type: ignore[arg-type, union-attr]
        # Five minutes after the start: the table that added since is not quiet, the other is.
        assert added.created_at > started[0].started_at
        later = started[0].started_at + timedelta(minutes=5)
        assert [s.quiet for s in table_overview(session, shop.id, later).tables] == [False, True]  # type: ignore[arg-type, union-attr]
