"""A real server, a real browser: the first facilitator sets up an account and signs in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import server as real_server
from tests.browser import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def test_first_facilitator_sets_up_and_signs_in(browser, live: real_server.Server) -> None:  # type: ignore[no-untyped-def]
    link = live.setup_link()
    assert link.startswith(live.base_url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    for name, size in (("phone", {"width": 390, "height": 844}), ("laptop", {"width": 1366, "height": 768})):
        page = browser.new_page(viewport=size)
        page.goto(link)
        page.screenshot(path=str(SCREENSHOTS / f"setup-{name}.png"), full_page=True)
        page.close()

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(link)
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password (at least 10 characters)").fill("a long password")
    page.get_by_label("Password again").fill("a long password")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live.base_url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "My workshops"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live.base_url}/login")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Email or password is wrong."
    page.screenshot(path=str(SCREENSHOTS / "login-error-phone.png"), full_page=True)

    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live.base_url}/")
    page.close()

    page = browser.new_page()
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Set-up is done"
    page.close()
