"""The phone's pages as a participant reads them: labels, their own contributions, their group."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.defaults import CriterionSpec, GroupSpec
from backcast.enums import Phase
from backcast.services import items, ratings, workshops
from tests import factories

GERMAN_BROWSER = "de-DE,de;q=0.9,en;q=0.8"


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def text(page: BeautifulSoup, selector: str) -> str:
    found = page.select_one(selector)
    assert found is not None, selector
    return found.get_text(" ", strip=True)


# --- labels in the reader's language ----------------------------------------------------------


def test_a_german_phone_in_an_english_workshop_reads_the_built_in_labels_in_german(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    tree = factories.tree(sqlite_db, language="en")
    code = tree.workshop.code
    sqlite_client.headers["accept-language"] = GERMAN_BROWSER

    join = soup(sqlite_client.get(f"/j/{code}").text)
    assert [option.get_text() for option in join.select("#group option")][1:3] == ["KMU", "Großunternehmen"]

    sqlite_client.post(f"/j/{code}", data={"group": "sme"})
    factories.phase(sqlite_db, tree.workshop, Phase.rating)
    card = soup(sqlite_client.get(f"/w/{code}").text).select_one(f"#item-{tree.measures[0].id}")
    assert card is not None
    assert [legend.get_text() for legend in card.select("legend")] == [
        "Wirkung",
        "Umsetzbarkeit",
        "Dringlichkeit",
    ]
    assert text(card, ".ends") == "sehr gering sehr hoch"

    # The answer to a tap is in German too.
    rated = soup(
        sqlite_client.post(
            f"/w/{code}/items/{tree.measures[0].id}/rating",
            data={"criterion": "impact", "value": "4"},
            headers={"hx-request": "true"},
        ).text
    )
    assert text(rated, "legend") == "Wirkung"

    for _ in range(2):
        other, _token = factories.join(sqlite_db, tree.workshop)
        ratings.rate_item(sqlite_db, other, tree.measures[0].id, {"impact": 2})
    factories.phase(sqlite_db, tree.workshop, Phase.results)
    workshops.set_results_visible(sqlite_db, tree.owner, code, True)
    page = soup(sqlite_client.get(f"/w/{code}").text)
    assert [th.get_text() for th in page.select(".phone-results li")[0].select("tbody th")] == [
        "Wirkung",
        "Umsetzbarkeit",
        "Dringlichkeit",
    ]


def test_labels_the_facilitator_typed_stay_as_typed_in_every_language(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    owner = factories.facilitator(sqlite_db)
    shop = factories.workshop(
        sqlite_db,
        owner,
        language="en",
        criteria=[CriterionSpec("impact", "Effect on the region", "none", "huge")],
        groups=[GroupSpec("sme", "Small firms of the Ems valley")],
    )
    items.add_item(sqlite_db, owner, shop.code, kind="measure", text="Start a materials exchange")
    sqlite_client.headers["accept-language"] = GERMAN_BROWSER
    join = soup(sqlite_client.get(f"/j/{shop.code}").text)
    assert [option.get_text() for option in join.select("#group option")][1:] == [
        "Small firms of the Ems valley"
    ]
    sqlite_client.post(f"/j/{shop.code}", data={})
    factories.phase(sqlite_db, shop, Phase.rating)
    page = soup(sqlite_client.get(f"/w/{shop.code}").text)
    assert [legend.get_text() for legend in page.select(".rating-card legend")] == ["Effect on the region"]
    assert text(page, ".rating-card .ends") == "none huge"
