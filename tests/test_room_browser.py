"""A real room in Chromium: the console, the projector and phones follow the room live, and a
phone catches up by itself after the venue's network drops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from tests import server as real_server
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
    return open_room(live.base_url, token, dot_budget=5, title=email)


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
