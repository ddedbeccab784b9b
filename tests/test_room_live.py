"""What phones and consoles receive live, from a real server: a phone is told to fetch, never
sent a heading it could show over another phase's body; the console hears every dot."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup

from backcast.http.participant import cookie_name
from tests import server as real_server
from tests.live_helpers import PASSWORD, Room, facilitator_token, open_room, sqlite_url
from tests.sse import open_stream


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path_factory.mktemp("room-live"))
    yield running
    running.stop()


@pytest.fixture
def room(live: real_server.Server, request: pytest.FixtureRequest) -> Room:
    token = facilitator_token(
        sqlite_url(Path(live.log).parent), email=f"{request.node.name[:40]}@example.org"
    )
    room = open_room(live.base_url, token)
    room.phase("vision")
    return room


def wait_until(condition: Callable[[], bool], seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def phone_cookie(room: Room) -> dict[str, str]:
    """A phone that joined through the join form, as a browser would."""
    joined = httpx.post(f"{room.base_url}/j/{room.code}", data={"consent": "yes"})
    assert joined.status_code == 303
    return {"Cookie": f"{cookie_name(room.code)}={joined.cookies[cookie_name(room.code)]}"}


def test_a_phase_change_tells_phones_to_fetch_heading_and_body_together(room: Room) -> None:
    phone = phone_cookie(room)
    stream = open_stream(f"{room.base_url}/w/{room.code}/live", phone)
    try:
        room.phase("milestones")
        assert wait_until(lambda: any(m.event == "phase" for m in stream.messages))
        time.sleep(0.5)  # anything sent with it has arrived too
    finally:
        stream.close()
    assert [(m.event, m.data) for m in stream.messages if m.event] == [("phase", "milestones")]

    fresh = BeautifulSoup(httpx.get(f"{room.base_url}/w/{room.code}/view", headers=phone).text, "html.parser")
    heading = fresh.select_one("[data-part=status] h1")
    body = fresh.select_one("[data-part=view]")
    assert (heading.get_text(), heading["data-phase"], body["data-phase"]) == (
        "Milestones",
        "milestones",
        "milestones",
    )
    assert fresh.select_one("[data-part=view] form[data-draft]")["data-draft"] == "milestone"


def test_every_dot_reaches_the_console_as_one_rendered_list(
    room: Room, request: pytest.FixtureRequest
) -> None:
    signed_in = httpx.post(
        f"{room.base_url}/login",
        data={"email": f"{request.node.name[:40]}@example.org", "password": PASSWORD},
    )
    assert signed_in.status_code == 303
    console = {"Cookie": "; ".join(f"{name}={value}" for name, value in signed_in.cookies.items())}
    someone = room.join()
    room.phase("measures")
    item = room.add(someone, kind="measure", text="Repair festival")["id"]
    room.phase("rating")
    room.phase("prioritisation")
    stream = open_stream(f"{room.base_url}/facilitate/{room.code}/live", console)
    try:
        response = httpx.put(f"{room.base_url}/api/v1/items/{item}/dots", json={"count": 2}, headers=someone)
        response.raise_for_status()
        assert wait_until(lambda: any(m.event == "candidates" for m in stream.messages))
    finally:
        stream.close()
    latest = {m.event: BeautifulSoup(m.data, "html.parser") for m in stream.messages if m.event}
    assert [li.get_text(" ", strip=True) for li in latest["candidates"].select(".candidates li")] == [
        "Repair festival 2 Add to agenda"
    ]
    assert latest["counters"].select_one(".dots-placed dd").get_text() == "2 of 5"
    assert latest["counters"].select_one(".voters dd").get_text() == "1 of 1 person"
