"""A facilitator runs a workshop from the console in a real browser while the screen follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests import server as real_server
from tests.browser import screenshot
from tests.live_helpers import PASSWORD, facilitator_token, open_room, sqlite_url

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def sign_in(page, base_url: str, email: str = "ana@example.org") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def test_a_facilitator_creates_runs_and_moderates_while_the_screen_follows(  # type: ignore[no-untyped-def]
    browser, live: real_server.Server, tmp_path: Path
) -> None:
    facilitator_token(sqlite_url(tmp_path), "ana@example.org")
    console = browser.new_page(viewport=LAPTOP)
    sign_in(console, live.base_url)
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
    expect(screen.locator(".screen-timer")).to_have_text("4:59 left", timeout=3000)
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


def test_a_facilitator_creates_from_a_template_and_edits_the_criteria(  # type: ignore[no-untyped-def]
    browser, live: real_server.Server, tmp_path: Path
) -> None:
    facilitator_token(sqlite_url(tmp_path), "ana@example.org")
    console = browser.new_page(viewport=LAPTOP)
    sign_in(console, live.base_url)
    console.get_by_label("Title").fill("Kreislauf Nordwest 2045")
    console.get_by_label("Template").select_option("regional-circular-economy")
    console.locator("select#language").select_option("en")
    screenshot(console, "home-create")
    console.get_by_role("button", name="Create").click()
    console.get_by_role("heading", name="Kreislauf Nordwest 2045").wait_for()
    console.get_by_role("link", name="Set-up").click()

    labels = console.locator("input[name^='criteria-'][name$='-label']")

    def values() -> list[str]:
        return [labels.nth(index).input_value() for index in range(labels.count())]

    assert values() == ["Contribution to saving resources", "Feasibility for SMEs", "Cost", "Time to effect"]
    console.get_by_role("button", name="Add a criterion").click()
    expect(console.get_by_role("status")).to_have_text(
        "Not saved yet: save the set-up to keep these changes."
    )
    console.locator("input[name='criteria-4-label']").fill("Jobs in the region")
    console.locator("input[name='criteria-4-scale_max']").fill("7")
    console.locator("button[value='up-criteria-4']").click()
    console.locator("button[value='remove-criteria-1']").click()
    assert values() == ["Contribution to saving resources", "Cost", "Jobs in the region", "Time to effect"]
    screenshot(console, "console-setup")
    console.get_by_role("button", name="Save the set-up").click()
    expect(console.get_by_role("status")).to_have_text("The set-up is saved.")
    expect(console.locator("input[name='criteria-2-key']")).to_have_value("jobs_in_the_region")
    expect(console.locator("input[name='criteria-2-scale_max']")).to_have_value("7")

    console.goto(f"{live.base_url}/templates")
    screenshot(console, "templates")
    console.close()


def test_a_facilitator_edits_merges_and_links_in_the_console(  # type: ignore[no-untyped-def]
    browser, live: real_server.Server, tmp_path: Path
) -> None:
    token = facilitator_token(sqlite_url(tmp_path), "ana@example.org")
    room = open_room(live.base_url, token)
    room.phase("milestones")
    early = room.add(room.facilitator, kind="milestone", text="Firms share machines", year=2030)
    late = room.add(room.facilitator, kind="milestone", text="Repair is normal", year=2040)
    room.phase("needs")
    need = room.add(room.facilitator, kind="need", text="A shared workshop spce", links=[early["id"]])
    twin = room.add(room.facilitator, kind="need", text="Shared workshop space", links=[late["id"]])

    console = browser.new_page(viewport=LAPTOP)
    sign_in(console, live.base_url)
    console.goto(f"{live.base_url}/facilitate/{room.code}")
    console.locator(f"#moderate-{need['id']}").get_by_role("link", name="Edit or merge").click()
    console.get_by_label("Text").fill("A shared workshop space")
    console.get_by_role("button", name="Save", exact=True).click()
    console.locator(f"#moderate-{need['id']}", has_text="A shared workshop space").wait_for()

    console.locator(f"#moderate-{need['id']}").get_by_role("link", name="Edit or merge").click()
    console.get_by_label("Repair is normal").check()
    console.get_by_role("button", name="Save the links").click()
    console.locator(f"#moderate-{twin['id']}").get_by_role("link", name="Edit or merge").click()
    console.get_by_label("Merge this duplicate into").select_option(str(need["id"]))
    console.get_by_role("button", name="Merge").click()
    console.locator(f"#moderate-{twin['id']}").wait_for(state="detached")
    screenshot(console, "console-moderated")

    items = {
        item["id"]: item
        for item in httpx.get(
            f"{live.base_url}/api/v1/workshops/{room.code}/items", headers=room.facilitator
        ).json()
    }
    assert items[need["id"]]["text"] == "A shared workshop space"
    assert sorted(items[need["id"]]["links"]) == sorted([early["id"], late["id"]])
    assert twin["id"] not in items or items[twin["id"]]["merged_into"] == need["id"]
    console.close()
