"""A facilitator runs a workshop from the console in a real browser while the screen follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import server as real_server
from tests.browser import screenshot
from tests.live_helpers import PASSWORD, facilitator_token, sqlite_url

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def test_a_facilitator_creates_runs_and_moderates_while_the_screen_follows(  # type: ignore[no-untyped-def]
    browser, live: real_server.Server, tmp_path: Path
) -> None:
    facilitator_token(sqlite_url(tmp_path), "ana@example.org")
    console = browser.new_page(viewport=LAPTOP)
    console.goto(f"{live.base_url}/login")
    console.get_by_label("Email").fill("ana@example.org")
    console.get_by_label("Password").fill(PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.get_by_label("Title").fill("Circular region 2045")
    console.get_by_label("Guiding question").fill("How do small firms work in cycles by 2045?")
    console.locator("select#language").select_option("en")
    console.get_by_role("button", name="Create").click()
    console.get_by_role("heading", name="Circular region 2045").wait_for()
    code = console.locator(".code").inner_text()
    screenshot(console, "console-lobby")

    screen = browser.new_page(viewport=PROJECTOR)
    screen.goto(f"{live.base_url}/w/{code}/screen")
    expect(screen.locator(".join-code")).to_have_text(code)

    console.get_by_role("button", name="Vision →").click()
    expect(screen.locator(".screen-phase")).to_have_text("Vision", timeout=2000)
    console.get_by_label("Add as facilitator (Vision statement)").fill("Every firm shares its leftovers")
    console.get_by_role("button", name="Add", exact=True).click()
    expect(screen.locator(".sticky")).to_have_text(["Every firm shares its leftovers"], timeout=2000)
    console.get_by_label("Add as facilitator (Vision statement)").fill("Repairing beats buying new")
    console.get_by_role("button", name="Add", exact=True).click()
    expect(screen.locator(".sticky")).to_have_count(2, timeout=2000)

    console.locator("#items li", has_text="Repairing").get_by_role("button", name="Hide").click()
    expect(screen.locator(".sticky")).to_have_text(["Every firm shares its leftovers"], timeout=2000)
    console.get_by_role("button", name="Start timer").click()
    expect(screen.locator(".screen-timer")).to_have_text("4:59", timeout=3000)
    screenshot(console, "console-vision")
    screenshot(screen, "screen-vision-live")

    for name in ("Milestones", "Needs", "Measures", "Rating", "Prioritisation", "Results"):
        console.get_by_role("button", name=f"{name} →").click()
        expect(screen.locator(".screen-phase")).to_have_text(name, timeout=2000)
        screenshot(console, f"console-{name.lower()}")
    console.get_by_role("button", name="← Prioritisation").click()
    expect(screen.locator(".screen-phase")).to_have_text("Prioritisation", timeout=2000)
    console.close()
    screen.close()
