"""A German browser on a real server: the pages speak German, and the switcher works on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import server as real_server
from tests.browser import SCREENSHOTS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def test_german_pages_on_phone_and_laptop(browser, live: real_server.Server) -> None:  # type: ignore[no-untyped-def]
    link = live.setup_link()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, size in (("phone", PHONE), ("laptop", LAPTOP)):
        context = browser.new_context(viewport=size, locale="de-DE")
        page = context.new_page()
        for path, heading in ((link, "Willkommen bei backcast"), (f"{live.base_url}/login", "Anmelden")):
            page.goto(path)
            assert page.locator("html").get_attribute("lang") == "de"
            assert page.get_by_role("heading", level=1).inner_text() == heading
            switcher = page.get_by_role("form", name="Sprache").bounding_box()
            assert switcher is not None and switcher["x"] + switcher["width"] <= size["width"], name
            shot = "setup" if path == link else "login"
            page.screenshot(path=str(SCREENSHOTS / f"{shot}-de-{name}.png"), full_page=True)
        context.close()

    # Signed in, the top bar holds account, sign-out and switcher; on a phone it must not overflow.
    context = browser.new_context(viewport=PHONE, locale="de-DE")
    page = context.new_page()
    page.goto(link)
    page.get_by_label("E-Mail-Adresse").fill("ana.musterfrau-beispiel@example.org")
    page.get_by_label("Passwort (mindestens 10 Zeichen)").fill("a long password")
    page.get_by_label("Passwort wiederholen").fill("a long password")
    page.get_by_role("button", name="Konto anlegen").click()
    page.wait_for_url(f"{live.base_url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Workshops"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_role("button", name="Abmelden").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "home-de-phone.png"), full_page=True)
    context.close()


def test_the_switcher_works_without_javascript_on_a_phone(browser, live: real_server.Server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    page.goto(live.setup_link())
    page.get_by_label("E-Mail-Adresse").fill("ana@example.org")
    page.get_by_label("Passwort (mindestens 10 Zeichen)").fill("a long password")
    page.get_by_label("Passwort wiederholen").fill("another password")
    page.get_by_role("button", name="Konto anlegen").click()
    assert page.get_by_role("alert").inner_text() == "Die beiden Passwörter stimmen nicht überein."

    page.get_by_role("button", name="English").click()

    # Back on the set-up page, in English, with its link still working; and it stays English.
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome to backcast"
    assert page.locator("html").get_attribute("lang") == "en"
    page.reload()
    assert page.get_by_role("button", name="English").get_attribute("aria-current") == "true"
    page.screenshot(path=str(SCREENSHOTS / "setup-switched-en-phone.png"), full_page=True)

    page.get_by_role("button", name="Deutsch").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Willkommen bei backcast"
    context.close()
