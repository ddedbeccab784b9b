"""The projector shows only what every participant may see, in the workshop's language."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.app import create_app
from backcast.db import Database
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Phase
from backcast.services import items, ratings, workshops
from backcast.settings import Settings
from tests import factories
from tests.test_console import sign_in

SHY = "\u00ad"


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
            # What the room reads: soft hyphens show only where a line breaks.
            (c.select_one(".year").get_text(), c.select_one(".sticky").get_text().replace(SHY, ""))
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


def test_built_in_labels_follow_the_language_of_the_screen_and_the_console(
    client: TestClient, db: Database
) -> None:
    """An English workshop read in German: the template's German criteria, scale ends and group
    names on the projector and the console; what the facilitator typed stays as typed."""
    tree = factories.tree(db, language="en")
    typed = factories.workshop(
        db,
        tree.owner,
        language="en",
        criteria=[
            CriterionSpec("impact", "Effect on the region", "none", "huge"),
            CriterionSpec("cost", "Cost to the district", "low", "high"),
        ],
        groups=[GroupSpec("sme", "Small firms of the Ems valley")],
    )
    typed_measure = items.add_item(db, tree.owner, typed.code, kind="measure", text="Repair café")
    for shop, measure in ((tree.workshop, tree.measures[0]), (typed, typed_measure)):
        factories.phase(db, shop, Phase.rating)
        for value in (2, 4, 4):
            person, _ = factories.join(db, shop, group="sme")
            keys = ("impact", "feasibility") if shop is tree.workshop else ("impact", "cost")
            ratings.rate_item(db, person, measure.id, dict.fromkeys(keys, value))
        factories.phase(db, shop, Phase.results)
        workshops.set_results_visible(db, tree.owner, shop.code, True)

    def page(path: str, language: str) -> BeautifulSoup:
        client.cookies.set("backcast_lang", language)  # the DE/EN switch of that browser
        response = client.get(path)
        assert response.status_code == 200
        return BeautifulSoup(response.text, "html.parser")

    def legend(shop_code: str, language: str) -> list[str]:
        return [
            li.get_text(strip=True)
            for li in page(f"/w/{shop_code}/screen", language).select(".spread-legend li")
        ]

    assert legend(tree.workshop.code, "de") == ["Wirkung", "Umsetzbarkeit", "Dringlichkeit"]
    assert legend(tree.workshop.code, "en") == ["Impact", "Feasibility", "Urgency"]
    square = page(f"/w/{tree.workshop.code}/screen", "de").select(".quadrant .axis-label")
    assert [label.get_text() for label in square] == ["Umsetzbarkeit →", "Wirkung →"]
    assert legend(typed.code, "de") == ["Effect on the region", "Cost to the district"]

    sign_in(client, tree.owner.email)
    for shop, name in (
        (tree.workshop, "Kleines oder mittleres Unternehmen"),
        (typed, "Small firms of the Ems valley"),
    ):
        console = page(f"/facilitate/{shop.code}", "de")
        assert [li.get_text(" ", strip=True) for li in console.select(".group-list li")] == [f"3 {name}"]
        people = page(f"/facilitate/{shop.code}/participants", "de")
        assert {
            row.select("td")[2].get_text(strip=True) for row in people.select("#participants tbody tr")
        } == {name}
    client.cookies.delete("backcast_lang")


def test_the_adopted_synthesis_leads_the_vision_wall(client: TestClient, db: Database) -> None:
    """Paged on a full wall, the synthesis the room adopted is never the one pushed to a later page."""
    tree = factories.tree(db)
    owner, code = tree.owner, tree.workshop.code
    for text in ("Repair is a trade again", "Ports handle secondary raw materials"):
        items.add_item(db, owner, code, kind="vision", text=text)
    synthesis = items.add_item(db, owner, code, kind="vision", text="A region where materials stay in use")
    items.moderate_item(db, owner, synthesis.id, adopted=True)  # type: ignore[arg-type]
    factories.phase(db, tree.workshop, Phase.vision)
    page = BeautifulSoup(client.get(f"/w/{code}/screen").text, "html.parser")
    assert [card.get_text() for card in page.select(".wall .sticky")] == [
        "A region where materials stay in use",
        "Repair is a trade again",
        "Ports handle secondary raw materials",
    ]


def test_long_words_on_the_screen_may_break_at_their_syllables_and_stay_whole_everywhere_else(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db, language="de")
    owner, code = tree.owner, tree.workshop.code
    text = "Kreislaufwirtschaftsnetzwerke in jeder Stadt"
    milestone = items.add_item(db, owner, code, kind="milestone", text=text, year=2030)
    factories.phase(db, tree.workshop, Phase.milestones)

    page = BeautifulSoup(client.get(f"/w/{code}/screen").text, "html.parser")
    stickies = [p.get_text() for p in page.select("ol.timeline .sticky")]
    # Breaks between the compound's words and syllables, none leaving a letter or two alone.
    assert f"Kreis{SHY}lauf{SHY}wirt{SHY}schafts{SHY}netz{SHY}werke in jeder Stadt" in stickies
    # The live fragment the projector swaps in reads the same.
    live = client.app.state.screen_live.render(tree.workshop.id, "de")  # type: ignore[attr-defined]
    assert f"Kreis{SHY}lauf{SHY}wirt{SHY}schafts{SHY}netz{SHY}werke" in live

    # An English workshop breaks English words by English rules.
    english = factories.tree(db, language="en")
    neighbourhood = "Neighbourhood infrastructure"
    items.add_item(db, english.owner, english.workshop.code, kind="milestone", text=neighbourhood, year=2031)
    factories.phase(db, english.workshop, Phase.milestones)
    assert (
        f"Neigh{SHY}bour{SHY}hood infra{SHY}struc{SHY}ture"
        in client.get(f"/w/{english.workshop.code}/screen").text
    )

    # What was typed is stored, exported, and shown through the API and on the console as typed.
    _, token = factories.join(db, tree.workshop)
    listed = client.get(f"/api/v1/workshops/{code}/items", headers={"Authorization": f"Bearer {token}"})
    assert [item["text"] for item in listed.json() if item["id"] == milestone.id] == [text]
    sign_in(client, owner.email)
    for url in (f"/facilitate/{code}", f"/facilitate/{code}/export?format=csv&table=items"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SHY not in response.text and "Kreislaufwirtschaftsnetzwerke" in response.text, url
