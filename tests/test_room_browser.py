"""A real room in Chromium: the console, the projector and phones follow the room live, and a
phone catches up by itself after the venue's network drops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests import server as real_server
from tests.browser import PHONE
from tests.live_helpers import PASSWORD, Room, facilitator_token, open_room, sqlite_url

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path_factory.mktemp("room"))
    yield running
    running.stop()


@pytest.fixture
def room(live: real_server.Server, request: pytest.FixtureRequest) -> Room:
    email = f"{request.node.name[:40]}@example.org"
    token = facilitator_token(sqlite_url(Path(live.log).parent), email=email)
    return open_room(live.base_url, token, dot_budget=5, title=email, consent_text="For research.")


def sign_in(page, room: Room) -> None:  # type: ignore[no-untyped-def]
    email = httpx.get(f"{room.base_url}/api/v1/workshops/{room.code}", headers=room.facilitator).json()
    page.goto(f"{room.base_url}/login")
    page.get_by_label("Email").fill(email["title"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{room.base_url}/")


def measures_up_for_dots(room: Room, texts: list[str]) -> list[int]:
    """A room in prioritisation with these measures to spread dots over."""
    someone = room.join()
    room.phase("measures")
    ids = [room.add(someone, kind="measure", text=text)["id"] for text in texts]
    room.phase("rating")
    room.phase("prioritisation")
    return ids


def place_dots(room: Room, participant: dict[str, str], item_id: int, count: int) -> None:
    response = httpx.put(
        f"{room.base_url}/api/v1/items/{item_id}/dots", json={"count": count}, headers=participant
    )
    response.raise_for_status()


def test_the_console_follows_the_dots_live(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    repair, exchange = measures_up_for_dots(room, ["Repair festival", "Materials exchange"])
    console = browser.new_page(viewport=LAPTOP)
    sign_in(console, room)
    console.goto(f"{room.base_url}/facilitate/{room.code}")
    candidates = console.locator(".candidates li")
    expect(candidates).to_have_text(["Repair festival 0 Add to agenda", "Materials exchange 0 Add to agenda"])

    ana, ben = room.join(), room.join()
    place_dots(room, ana, exchange, 3)
    place_dots(room, ben, exchange, 1)
    place_dots(room, ben, repair, 2)
    # No reload: the list, its order and the room's counters follow the phones.
    expect(candidates).to_have_text(
        ["Materials exchange 4 Add to agenda", "Repair festival 2 Add to agenda"], timeout=3000
    )
    expect(console.locator(".counters .dots-placed dd")).to_have_text("6 of 15")
    expect(console.locator(".counters .voters dd")).to_have_text("2 of 3 people")
    console.close()


def join_on_a_phone(browser, room: Room):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{room.base_url}/j/{room.code}")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(f"{room.base_url}/w/{room.code}")
    return context, page


def expect_phase(page, heading: str, field: str) -> None:  # type: ignore[no-untyped-def]
    """The heading and the body show the same phase."""
    expect(page.locator("h1.phase-name")).to_have_text(heading)
    expect(page.locator("#compose label").first).to_have_text(field)


def test_a_failed_fetch_never_leaves_a_mixed_page_and_is_retried(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    room.phase("vision")
    context, page = join_on_a_phone(browser, room)
    expect_phase(page, "Vision", "Vision statement")
    failures = []

    def flaky(route):  # type: ignore[no-untyped-def]
        if len(failures) < 2:  # the venue's proxy answers 503 twice
            failures.append(route.request.url)
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    page.route("**/view", flaky)
    room.phase("milestones")
    expect(page.locator("#catching-up")).to_be_visible()
    expect_phase(page, "Vision", "Vision statement")  # behind, but not mixed
    # Retried by itself, long before the next phase change.
    expect_phase(page, "Milestones", "Milestone")
    expect(page.locator("#catching-up")).to_be_hidden()
    assert len(failures) == 2
    context.close()


def test_a_phone_cut_off_catches_up_when_the_network_is_back(browser, room: Room) -> None:  # type: ignore[no-untyped-def]
    room.phase("milestones")
    context, page = join_on_a_phone(browser, room)
    expect_phase(page, "Milestones", "Milestone")
    context.set_offline(True)
    room.phase("needs")
    room.input(False)
    room.input(True)
    # Chromium keeps the live stream open offline: the phone hears of the change, cannot fetch.
    expect(page.locator("#catching-up")).to_be_visible()
    page.wait_for_timeout(2000)
    expect_phase(page, "Milestones", "Milestone")
    context.set_offline(False)
    expect_phase(page, "Needs", "Need")
    expect(page.locator("#catching-up")).to_be_hidden()
    context.close()
