"""The print-outs for the room: the join sheet, the data-protection notice, paper cards and a
rating form, each one A4 page, in the workshop's language with the other one beside it."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pypdf import PdfReader

from backcast.db import Database, make_engine
from backcast.enums import Phase
from backcast.network import public_base_url
from backcast.services import accounts, configuration, items, workshops
from backcast.workshop_templates import model_text
from tests import factories
from tests import server as real_server
from tests.browser import SCREENSHOTS, screenshot
from tests.live_helpers import PASSWORD, sqlite_url
from tests.test_console import sign_in

EMAIL = "ana@example.org"
MEASURES = [
    "Materialbörse der Kammern für Reststoffe",
    "Reparaturnetzwerk mit dem Handwerk",
    "Gemeinsame Logistik zwischen Gewerbegebieten",
]


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


# --- printed in a real browser -------------------------------------------------------------------


@pytest.fixture
def printable(tmp_path: Path) -> Iterator[tuple[real_server.Server, str]]:
    real_server.start(tmp_path).stop()  # creates and migrates the store
    db = Database(make_engine(sqlite_url(tmp_path)))
    try:
        owner = accounts.add_facilitator(db, EMAIL, PASSWORD)
        shop = workshops.create_workshop(
            db,
            owner,
            title="Kreislaufwirtschaft Weser-Ems 2045",
            present_year=2026,
            vision_year=2045,
            language="de",
            consent_text=model_text("consent", "de"),
            privacy_text=model_text("privacy", "de"),
        )
        for text in MEASURES:
            items.add_item(db, owner, shop.code, kind="measure", text=text)
        workshops.set_phase(db, owner, shop.code, Phase.rating)
    finally:
        db.dispose()
    running = real_server.start(tmp_path)
    yield running, shop.code
    running.stop()


@pytest.mark.browser
def test_the_print_outs_print_as_four_a4_pages(browser, printable) -> None:  # type: ignore[no-untyped-def]
    server, code = printable
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{server.base_url}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server.base_url}/facilitate/{code}")
    page.get_by_role("link", name="Ausdrucke für den Raum").click()  # the console speaks the room's language
    page.locator("section.join-sheet").wait_for()
    screenshot(page, "print-outs-laptop")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = PdfReader(io.BytesIO(page.pdf(path=str(SCREENSHOTS / "print-outs.pdf"), prefer_css_page_size=True)))
    page.close()

    # Join sheet, notice, cards, rating form: one A4 page each (595 × 842 points).
    assert len(pdf.pages) == 4
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages} == {
        (595, 842)
    }
    # NFKC undoes the ligatures the PDF's fonts use ("ﬀ" in "Reststoffe").
    texts = [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in pdf.pages]
    assert code in texts[0] and "Mit dem Handy teilnehmen" in texts[0] and "WLAN" in texts[0]
    assert "Datenschutzhinweis (Art. 13 DSGVO)" in texts[1] and "Meine Daten löschen" in texts[1]
    assert all(kind in texts[2] for kind in ("Meilenstein", "Bedarf", "Maßnahme"))
    assert all(measure in texts[3] for measure in MEASURES)
