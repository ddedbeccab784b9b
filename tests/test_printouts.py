"""The print-outs for the room: the join sheet, the data-protection notice, paper cards and a
rating form, each one A4 page, in the workshop's language with the other one beside it."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from backcast.db import Database
from backcast.enums import Phase
from backcast.network import public_base_url
from backcast.services import configuration
from backcast.workshop_templates import model_text
from tests import factories
from tests.test_console import sign_in


def _sheets(client: TestClient, code: str) -> BeautifulSoup:
    response = client.get(f"/facilitate/{code}/print")
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def test_the_join_sheet_has_the_qr_code_the_address_the_code_and_a_wifi_field(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    sign_in(client, tree.owner.email)

    page = _sheets(client, tree.workshop.code)

    sheet = page.select_one("section.join-sheet")
    assert sheet.select_one(".join-qr svg title").get_text() == tree.workshop.code
    assert sheet.select_one(".join-code").get_text() == tree.workshop.code
    base = public_base_url(client.app.state.settings)  # type: ignore[attr-defined]
    assert sheet.select_one(".join-address").get_text() == f"{base}/join"
    assert [dt.get_text(" ", strip=True) for dt in sheet.select(".wifi dt")] == [
        "Wi-Fi / WLAN",
        "Password / Passwort",
    ]
    assert [section["class"][1] for section in page.select("section.sheet")] == [
        "join-sheet",
        "notice-sheet",
        "cards-sheet",
        "rating-sheet",
    ]


def test_the_notice_sheet_prints_the_workshop_s_notice_and_consent(client: TestClient, db: Database) -> None:
    tree = factories.tree(db, language="de")
    sign_in(client, tree.owner.email)
    current = configuration.current_setup(db, tree.owner, tree.workshop.code)
    privacy, consent = model_text("privacy", "de"), model_text("consent", "de")
    configuration.configure_workshop(
        db, tree.owner, tree.workshop.code, current.replace(privacy_text=privacy, consent_text=consent)
    )

    sheet = _sheets(client, tree.workshop.code).select_one("section.notice-sheet")

    assert sheet.select_one("h1").get_text(" ", strip=True) == "Datenschutzhinweis / Data-protection notice"
    assert [text.get_text() for text in sheet.select(".sheet-text")] == [privacy, consent]


def test_the_rating_form_lists_every_measure_up_for_rating_with_each_criterion_s_scale(
    client: TestClient, db: Database
) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    sign_in(client, tree.owner.email)

    sheet = _sheets(client, tree.workshop.code).select_one("section.rating-sheet")

    rows = sheet.select("table.rating-form tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == [m.text for m in tree.measures] + ["", "", ""]
    first = [[value.get_text() for value in cell.select(".value")] for cell in rows[0].select("td")]
    assert first == [["1", "2", "3", "4", "5", "☐ ?"]] * 3
    headings = [th.contents[0].strip() for th in sheet.select("thead th")[1:]]
    assert headings == ["Impact", "Feasibility", "Urgency"]
    cards = [
        card.h2.get_text(" ", strip=True)
        for card in _sheets(client, tree.workshop.code).select(".paper-card")
    ]
    assert cards == [
        "Vision statement / Visionsaussage",
        "Milestone / Meilenstein",
        "Need / Bedarf",
        "Measure / Maßnahme",
    ]


def test_only_the_workshop_s_owners_get_the_print_outs(client: TestClient, db: Database) -> None:
    tree = factories.tree(db)
    assert client.get(f"/facilitate/{tree.workshop.code}/print", follow_redirects=False).status_code == 303
    other = factories.facilitator(db)
    sign_in(client, other.email)
    assert client.get(f"/facilitate/{tree.workshop.code}/print").status_code == 403
