"""The projector in a real browser: a rating on a phone shows on the screen at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests import server as real_server
from tests.browser import screenshot
from tests.live_helpers import facilitator_token, open_room, sqlite_url

pytestmark = pytest.mark.browser
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path)
    yield running
    running.stop()


def test_a_rating_shows_on_the_screen_within_a_second(
    browser, live: real_server.Server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    room = open_room(live.base_url, facilitator_token(sqlite_url(tmp_path)))
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(f"{live.base_url}/w/{room.code}/screen")
    assert page.locator(".join-code").inner_text() == room.code
    screenshot(page, "screen-lobby-live")

    phone = room.join()
    page.locator(".big-number", has_text="1").wait_for(timeout=1000)
    room.phase("measures")
    measure = room.add(room.facilitator, kind="measure", text="Start a materials exchange")
    room.phase("rating")
    page.locator(".big-number", has_text="0%").wait_for(timeout=2000)

    started = time.monotonic()
    response = httpx.put(
        f"{live.base_url}/api/v1/items/{measure['id']}/ratings",
        json={"impact": 4, "feasibility": 3, "urgency": None},
        headers=phone,
    )
    assert response.status_code == 200
    page.locator(".big-number", has_text="100%").wait_for(timeout=1000)
    assert time.monotonic() - started < 1.0
    screenshot(page, "screen-rating-live")
    page.close()
