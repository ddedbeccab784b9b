"""The projector shows only what every participant may see, in the workshop's language."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.app import create_app
from backcast.db import Database
from backcast.enums import Phase
from backcast.services import items, ratings, workshops
from backcast.settings import Settings
from tests import factories


def screen_text(client: TestClient, code: str) -> str:
    response = client.get(f"/w/{code}/screen")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)


def test_lobby_shows_code_qr_and_a_join_address_phones_can_reach(client: TestClient, db: Database) -> None:
    shop = factories.workshop(db)
    factories.join(db, shop, group="sme")
    page = BeautifulSoup(client.get(f"/w/{shop.code}/screen").text, "html.parser")

    assert page.select_one(".join-code").get_text() == shop.code
    assert page.select_one(".qr svg") is not None
    join = page.select_one(".join-url").get_text()
    assert join.endswith(":8000/join") and "127.0.0.1" not in join and "localhost" not in join
    assert [li.get_text(" ", strip=True) for li in page.select(".group-counts li")] == [
        "1 Small or medium-sized firm"
    ]


def test_hidden_items_never_reach_the_screen(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.measures)
    items.moderate_item(db, tree.owner, tree.measures[1].id, hidden=True)

    text = screen_text(client, tree.workshop.code)

    assert "Start a materials exchange" in text
    assert "Train waste officers" not in text


def test_results_stay_off_the_screen_until_revealed(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.prioritisation)
    person, _ = factories.join(db, tree.workshop)
    ratings.set_dots(db, person, tree.measures[0].id, 3)

    hidden = BeautifulSoup(client.get(f"/w/{tree.workshop.code}/screen").text, "html.parser")
    assert hidden.select(".bars") == []
    workshops.set_results_visible(db, tree.owner, tree.workshop.code, True)
    shown = BeautifulSoup(client.get(f"/w/{tree.workshop.code}/screen").text, "html.parser")
    assert [li.get_text(" ", strip=True) for li in shown.select(".bars li")] == [
        "Start a materials exchange 3",
        "Train waste officers in SMEs 0",
    ]


def test_the_screen_speaks_the_workshops_language_whatever_the_browser_says(
    sqlite_db: Database, settings: Settings
) -> None:
    shop = factories.workshop(sqlite_db, language="de")
    with TestClient(create_app(settings, db=sqlite_db)) as client:
        page = BeautifulSoup(
            client.get(f"/w/{shop.code}/screen", headers={"Accept-Language": "en-US"}).text, "html.parser"
        )
    assert page.html["lang"] == "de"
    assert page.select_one(".join-how").get_text() == "Mit dem Handy teilnehmen"


def test_an_unknown_code_is_a_404_page(client: TestClient) -> None:
    response = client.get("/w/ZZZZZZ/screen", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_revealed_results_rank_the_measures_on_screen_and_phone(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    people = [factories.join(db, tree.workshop)[0] for _ in range(3)]
    for person, (a, b) in zip(people, [(5, 2), (4, 1), (5, 2)], strict=True):
        ratings.rate_item(db, person, tree.measures[0].id, {"impact": b, "feasibility": b, "urgency": b})
        ratings.rate_item(db, person, tree.measures[1].id, {"impact": a, "feasibility": a, "urgency": a})
    factories.phase(db, tree.workshop, Phase.results)
    hidden = BeautifulSoup(client.get(f"/w/{tree.workshop.code}/screen").text, "html.parser")
    assert hidden.select(".ranking") == []

    workshops.set_results_visible(db, tree.owner, tree.workshop.code, True)
    shown = BeautifulSoup(client.get(f"/w/{tree.workshop.code}/screen").text, "html.parser")
    assert [li.select_one(".bar-label").get_text() for li in shown.select(".ranking li")] == [
        "Train waste officers in SMEs",
        "Start a materials exchange",
    ]
    assert [li.select_one(".bar-value").get_text() for li in shown.select(".ranking li")] == ["92", "17"]
    assert len(shown.select(".quadrant .point")) == 2


def test_the_phone_shows_my_ratings_beside_the_groups_once_revealed(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    tree = factories.tree(sqlite_db)
    sqlite_client.post(f"/j/{tree.workshop.code}", data={})
    factories.phase(sqlite_db, tree.workshop, Phase.rating)
    sqlite_client.post(
        f"/w/{tree.workshop.code}/items/{tree.measures[0].id}/rating",
        data={"criterion": "impact", "value": "4"},
    )
    others = [factories.join(sqlite_db, tree.workshop)[0] for _ in range(2)]
    for person in others:
        ratings.rate_item(sqlite_db, person, tree.measures[0].id, {"impact": 1})
    factories.phase(sqlite_db, tree.workshop, Phase.results)
    assert (
        BeautifulSoup(sqlite_client.get(f"/w/{tree.workshop.code}").text, "html.parser").select(".compare")
        == []
    )

    workshops.set_results_visible(sqlite_db, tree.owner, tree.workshop.code, True)
    page = BeautifulSoup(sqlite_client.get(f"/w/{tree.workshop.code}").text, "html.parser")
    first = page.select_one(".phone-results li")
    impact = first.select_one("tbody tr")
    assert first.select_one(".item-text").get_text().strip() == "1. Start a materials exchange"
    assert [cell.get_text() for cell in impact.find_all(["th", "td"])] == ["Impact", "4", "2.0"]


def test_the_phone_refuses_another_workshops_item_and_changes_nothing(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    mine, theirs = factories.tree(sqlite_db), factories.tree(sqlite_db)
    sqlite_client.post(f"/j/{mine.workshop.code}", data={})
    factories.phase(sqlite_db, mine.workshop, Phase.rating)
    before = (
        factories.event_count(sqlite_db, mine.workshop),
        factories.event_count(sqlite_db, theirs.workshop),
    )

    response = sqlite_client.post(
        f"/w/{mine.workshop.code}/items/{theirs.measures[0].id}/rating",
        data={"criterion": "impact", "value": "4"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    alert = BeautifulSoup(response.text, "html.parser").select_one("[role=alert]")
    assert alert is not None and alert.get_text() == "This item belongs to another workshop."
    assert (
        factories.event_count(sqlite_db, mine.workshop),
        factories.event_count(sqlite_db, theirs.workshop),
    ) == before


def test_the_timeline_labels_each_milestone_on_the_ruler_and_ends_with_the_adopted_synthesis(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db, language="de")
    owner, code = tree.owner, tree.workshop.code
    items.add_item(db, owner, code, kind="milestone", text="Erste Tauschbörse läuft", year=2030)
    synthesis = items.add_item(db, owner, code, kind="vision", text="Kreisläufe sind die Regel")
    items.add_item(db, owner, code, kind="vision", text="Nur ein Vorschlag")
    factories.phase(db, tree.workshop, Phase.milestones)

    def columns() -> list[tuple[str, str]]:
        page = BeautifulSoup(client.get(f"/w/{code}/screen").text, "html.parser")
        timeline = page.select_one("ol.timeline")
        assert timeline is not None and timeline["lang"] == "de"  # German words hyphenate as German
        return [
            (c.select_one(".year").get_text(), c.select_one(".sticky").get_text())
            for c in timeline.select(".column")
        ]

    assert columns()[-1] == ("2045", "Vision")
    items.moderate_item(db, owner, synthesis.id, adopted=True)  # type: ignore[arg-type]
    assert columns() == [
        ("2030", "Erste Tauschbörse läuft"),
        ("2035", "Half of all firms share materials"),
        ("2045", "Kreisläufe sind die Regel"),
    ]


def test_a_legend_explains_the_synthesis_colour_once_there_is_one(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    owner, code = tree.owner, tree.workshop.code
    first = items.add_item(db, owner, code, kind="vision", text="Materials stay in use")
    factories.phase(db, tree.workshop, Phase.vision)

    def legend() -> list[str]:
        page = BeautifulSoup(client.get(f"/w/{code}/screen").text, "html.parser")
        return [span.get_text() for span in page.select(".sticky-legend span")]

    assert legend() == []
    items.moderate_item(db, owner, first.id, adopted=True)  # type: ignore[arg-type]
    assert legend() == ["Synthesis the room adopted", "Statement"]
