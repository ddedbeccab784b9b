"""Two researchers code a study's contributions in a real browser, one by keyboard and one by
clicking, see their agreement (Cohen's kappa with n) and settle a difference; the settled coding
is what the study keeps. Also writes the coding page's pictures at 1920×1080 and 390×844."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backcast.db import Database, make_engine
from backcast.services import accounts, coding, items, studies
from tests import server as real_server
from tests.browser import screenshot
from tests.live_helpers import facilitator_token, sqlite_url
from tests.test_study_browser import sign_in

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def test_two_researchers_code_see_kappa_and_settle(  # type: ignore[no-untyped-def]
    browser, live: real_server.Server, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path)
    for email in ("ana@example.org", "rita@example.org", "rolf@example.org"):
        facilitator_token(url, email)
    db = Database(make_engine(url))
    try:
        ana = accounts.facilitator_by_email(db, "ana@example.org")
        assert ana is not None
        study = studies.create_study(
            db,
            ana,
            title="Nordwest",
            themes=[
                studies.ThemeSpec(label_de="Logistik", label_en="Logistics"),
                studies.ThemeSpec(label_de="Energie", label_en="Energy"),
            ],
        )
        for email in ("rita@example.org", "rolf@example.org"):
            studies.add_member(db, ana, study.id, email, "researcher")
        bremen = studies.create_workshop_in_study(db, ana, study.id, title="Bremen")
        made = [
            items.add_item(db, ana, bremen.code, kind="milestone", text=text, year=2040)
            for text in ("Lastenräder für alle", "Solardächer auf jeder Halle", "Hafen als Drehscheibe")
        ]
        themes = studies.study_view(db, ana, study.id).themes
        base = f"{live.base_url}/studies/{study.id}"

        # Rita codes by keyboard: 1 (logistics), Enter to save and move on; 2, Enter; 1 and 2, Enter.
        rita = browser.new_page(viewport=DESKTOP)
        sign_in(rita, live.base_url, "rita@example.org")
        rita.goto(f"{base}/coding")
        for keys, text in (("1", "Lastenräder"), ("2", "Solardächer"), ("12", "Hafen")):
            expect(rita.locator(".coding-text")).to_contain_text(text)
            for key in keys:
                rita.keyboard.press(key)
            rita.keyboard.press("Enter")
            rita.wait_for_load_state()
        expect(rita.locator("#coding-progress")).to_contain_text("3 of 3 contributions coded by you")
        rita.keyboard.press("k")
        expect(rita.locator(".coding-text")).to_contain_text("Solardächer")
        rita.keyboard.press("j")
        expect(rita.locator(".coding-text")).to_contain_text("Hafen")
        screenshot(rita, "coding-desktop")

        # Rolf codes the list by clicking, and disagrees on the second contribution.
        rolf = browser.new_page(viewport=DESKTOP)
        sign_in(rolf, live.base_url, "rolf@example.org")
        rolf.goto(f"{base}/coding?mode=list")
        cards = rolf.locator(".coding-item")
        expect(cards).to_have_count(3)
        for index, labels in enumerate((["Logistics"], ["Logistics"], ["Logistics", "Energy"])):
            card = rolf.locator(".coding-item").nth(index)
            for label in labels:
                card.get_by_label(label).check()
            card.get_by_role("button", name="Save").click()
            rolf.wait_for_load_state()
        rolf.goto(f"{base}/agreement")
        table = rolf.locator("#kappa-table")
        # Logistics: yes,no,yes (Rita) and yes,yes,yes (Rolf): p_o 2/3, p_e 2/3 → kappa 0.
        # Energy: no,yes,yes and no,no,yes: p_o 2/3, p_e 4/9 → kappa 0.4. Mean 0.2.
        expect(table.locator("tbody tr").nth(0)).to_contain_text("Logistics")
        expect(table.locator("tbody tr").nth(0).locator("td").last).to_have_text("0.00")
        expect(table.locator("tbody tr").nth(1).locator("td").last).to_have_text("0.40")
        expect(rolf.locator("#kappa-mean td").last).to_have_text("0.20")
        expect(rolf.locator("#kappa").get_by_text("3 contributions coded by both.")).to_be_visible()
        differing = rolf.locator("#settle article")
        expect(differing).to_have_count(1)
        expect(differing).to_contain_text("Solardächer")
        differing.get_by_label("Energy").check()
        differing.get_by_label("Logistics").check()
        differing.get_by_role("button", name="Settle").click()
        expect(rolf.locator("#settle article")).to_contain_text("settled")
        screenshot(rolf, "coding-agreement-desktop")

        assert coding.settled_themes(db, study.id) == {made[1].id: {themes[0].id, themes[1].id}}  # type: ignore[index]

        for language, suffix in (("en", ""), ("de", "-de")):
            for name, viewport in (("1920", DESKTOP), ("390", PHONE)):
                context = browser.new_context(
                    viewport=viewport, locale=language, extra_http_headers={"Accept-Language": language}
                )
                page = context.new_page()
                sign_in(page, live.base_url, "rita@example.org")
                page.goto(f"{base}/coding")
                screenshot(page, f"coding-{name}{suffix}")
                page.goto(f"{base}/agreement")
                screenshot(page, f"agreement-{name}{suffix}")
                context.close()
    finally:
        db.dispose()
