"""A facilitator builds a study in a real browser, in German: creates it, a workshop in it, adds a
researcher, and is told in the page why a workshop with other criteria cannot join; the researcher
then opens the study and reads the workshop's console without its controls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from backcast.db import Database, make_engine
from backcast.defaults import CriterionSpec
from backcast.services import accounts
from tests import factories
from tests import server as real_server
from tests.browser import screenshot
from tests.live_helpers import PASSWORD, facilitator_token, sqlite_url

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 900}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def sign_in(page, base_url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def test_a_study_is_built_in_german_and_read_by_its_researcher(  # type: ignore[no-untyped-def]
    browser, live: real_server.Server, tmp_path: Path
) -> None:
    url = sqlite_url(tmp_path)
    facilitator_token(url, "ana@example.org")
    facilitator_token(url, "rita@example.org")
    db = Database(make_engine(url))
    try:
        ana = accounts.facilitator_by_email(db, "ana@example.org")
        assert ana is not None
        odd = factories.workshop(
            db, ana, title="Sonderfall", criteria=[CriterionSpec(key="kosten", label="Kosten")]
        )
    finally:
        db.dispose()

    context = browser.new_context(
        viewport=LAPTOP, locale="de-DE", extra_http_headers={"Accept-Language": "de"}
    )
    page = context.new_page()
    sign_in(page, live.base_url, "ana@example.org")
    page.get_by_role("link", name="Studien").click()
    page.get_by_label("Titel").fill("Kreislauf im Nordwesten")
    page.get_by_role("button", name="Studie anlegen").click()
    page.get_by_role("heading", name="Kreislauf im Nordwesten").wait_for()

    page.locator("#new-title").fill("Bremen")
    page.locator("#new-region").fill("Bremen")
    page.locator("#new-sector").fill("Ernährung")
    page.get_by_role("button", name="Workshop anlegen").click()
    page.wait_for_url(f"{live.base_url}/facilitate/*")
    page.get_by_role("link", name="Studie", exact=True).click()
    page.locator("#attach-code").select_option(odd.code)
    page.get_by_role("button", name="Zuordnen").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Kriterium 'impact' gibt es in der Studie, aber nicht in diesem Workshop."
    )
    page.locator("#member-email").fill("rita@example.org")
    page.get_by_role("button", name="Mitglied hinzufügen").click()
    expect(page.locator("#members li span")).to_have_text(
        ["ana@example.org (Sie) · Moderation", "rita@example.org · Forschung"]
    )
    expect(page.locator("#workshops tbody tr td:nth-child(3)")).to_have_text(["Bremen"])
    screenshot(page, "study-page-de")
    context.close()

    researcher = browser.new_page(viewport=LAPTOP)
    sign_in(researcher, live.base_url, "rita@example.org")
    researcher.get_by_role("link", name="Studies").click()
    researcher.get_by_role("link", name="Kreislauf im Nordwesten").click()
    researcher.get_by_role("link", name="Bremen").click()
    expect(researcher.locator("#read-only")).to_be_visible()
    expect(researcher.locator("form[action$='/phase']")).to_have_count(0)
    screenshot(researcher, "study-researcher-console-en")
