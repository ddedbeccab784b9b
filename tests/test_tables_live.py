"""A breakout on a real server: six tables of eight phones, each table's screen watching. Every
phone hears of its own table's contributions and never of another table's; every table screen
shows its own table's and no other's; a phone moved to another table comes back on that one."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup

from backcast.http.participant import cookie_name
from tests import server as real_server
from tests.live_helpers import Room, facilitator_token, open_room, sqlite_url
from tests.sse import Stream, open_stream

TABLES = 6
PHONES_PER_TABLE = 8


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    # One test client is the whole room: its joins and streams come from one address.
    running = real_server.start(
        tmp_path_factory.mktemp("tables-live"),
        BACKCAST_JOIN_LIMIT="0",
        BACKCAST_CONTRIBUTION_LIMIT="0",
        BACKCAST_STREAMS_PER_ADDRESS="0",
    )
    yield running
    running.stop()


def wait_until(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def phone(room: Room) -> dict[str, str]:
    joined = httpx.post(f"{room.base_url}/j/{room.code}", data={"consent": "yes"})
    assert joined.status_code == 303
    return {"Cookie": f"{cookie_name(room.code)}={joined.cookies[cookie_name(room.code)]}"}


def say(room: Room, headers: dict[str, str], text: str) -> None:
    """A contribution sent from the phone's form."""
    sent = httpx.post(f"{room.base_url}/w/{room.code}/items", data={"text": text}, headers=headers)
    assert sent.status_code == 303, sent.text


def refreshes(stream: Stream) -> int:
    return sum(1 for m in stream.messages if m.event == "refresh")


def screen_texts(stream: Stream) -> list[str]:
    """What the table screen shows now: its newest rendering's notes."""
    screens = [m.data for m in stream.messages if m.event == "screen"]
    if not screens:
        return []
    page = BeautifulSoup(screens[-1], "html.parser")
    return [li.get_text(strip=True) for li in page.select(".table-wall li.sticky")]


def test_every_phone_and_table_screen_hears_its_own_table_only(live: real_server.Server) -> None:
    token = facilitator_token(sqlite_url(Path(live.log).parent))
    room = open_room(live.base_url, token)
    room.phase("vision")
    phones = [phone(room) for _ in range(TABLES * PHONES_PER_TABLE)]
    started = httpx.post(
        f"{room.base_url}/api/v1/workshops/{room.code}/tables",
        json={"tables": [{"name": f"Table {n}"} for n in range(1, TABLES + 1)], "assign": "balanced"},
        headers=room.facilitator,
    )
    assert started.status_code == 201, started.text
    tables = started.json()["tables"]
    assert [len(t["participants"]) for t in tables] == [PHONES_PER_TABLE] * TABLES
    # Which phone sits where: each phone's own page names its table.
    table_of: list[int] = []
    for headers in phones:
        page = BeautifulSoup(httpx.get(f"{room.base_url}/w/{room.code}", headers=headers).text, "html.parser")
        table_of.append(int(page.select_one("#table")["data-table"]))  # type: ignore[index]
    ids = [t["id"] for t in tables]
    assert sorted(table_of) == sorted(ids * PHONES_PER_TABLE)

    streams = [open_stream(f"{room.base_url}/w/{room.code}/live", headers) for headers in phones]
    screens = [
        open_stream(f"{room.base_url}/w/{room.code}/screen/live?table={n}") for n in range(1, TABLES + 1)
    ]
    try:
        assert wait_until(lambda: all(s.messages for s in streams + screens), 20)  # the opening comment
        # One contribution at each table, by its first phone, one after the other.
        for index, table_id in enumerate(ids):
            author = table_of.index(table_id)
            say(room, phones[author], f"Idea of table {index + 1}")
            mine = [s for s, t in zip(streams, table_of, strict=True) if t == table_id]
            assert wait_until(lambda mine=mine: all(refreshes(s) == 1 for s in mine)), index
            assert wait_until(lambda n=index: screen_texts(screens[n]) == [f"Idea of table {n + 1}"]), index
        time.sleep(0.5)  # anything that should not have come has had the time to
        assert [refreshes(s) for s in streams] == [1] * len(streams)
        assert [screen_texts(s) for s in screens] == [[f"Idea of table {n}"] for n in range(1, TABLES + 1)]
        # Each screen was rendered for its own table's contribution (and the start), no more.
        assert [sum(m.event == "screen" for m in s.messages) for s in screens] == [1] * TABLES
    finally:
        for stream in streams + screens:
            stream.close()


def test_a_moved_phone_comes_back_on_its_new_table_s_stream(live: real_server.Server) -> None:
    token = facilitator_token(sqlite_url(Path(live.log).parent), email="moves@example.org")
    room = open_room(live.base_url, token)
    room.phase("vision")
    phones = [phone(room) for _ in range(4)]
    started = httpx.post(
        f"{room.base_url}/api/v1/workshops/{room.code}/tables",
        json={"tables": [{"name": "One"}, {"name": "Two"}], "assign": "balanced"},
        headers=room.facilitator,
    ).json()
    # Balanced without groups deals the phones round the tables in the order they joined.
    first, second = started["tables"]
    mover = first["participants"][0]
    stream_of_mover = open_stream(f"{room.base_url}/w/{room.code}/live", phones[0])
    try:
        assert wait_until(lambda: bool(stream_of_mover.messages))
        moved = httpx.put(
            f"{room.base_url}/api/v1/workshops/{room.code}/tables/seats/{mover}",
            json={"table": 2},
            headers=room.facilitator,
        )
        assert moved.status_code == 200
        # The old table's stream tells the phone to fetch its view, then ends.
        assert wait_until(
            lambda: any(m.event == "phase" and m.data == "seating" for m in stream_of_mover.messages)
        )
        assert stream_of_mover.ended.wait(5)
    finally:
        stream_of_mover.close()
    again = open_stream(f"{room.base_url}/w/{room.code}/live", phones[0])
    try:
        assert wait_until(lambda: bool(again.messages))
        assert second["participants"][0] != mover
        say(room, phones[1], "From table two")
        assert wait_until(lambda: refreshes(again) == 1)
    finally:
        again.close()
