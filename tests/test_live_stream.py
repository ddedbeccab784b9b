"""The JSON event stream against a real server process: live, resumable, exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests import server as real_server
from tests.live_helpers import Room, facilitator_token, open_room, sqlite_url
from tests.sse import open_stream


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    # The writers here add as fast as they can, far past a person's contribution limit.
    running = real_server.start(tmp_path_factory.mktemp("live"), BACKCAST_CONTRIBUTION_LIMIT="0")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def token(live: real_server.Server) -> str:
    return facilitator_token(sqlite_url(Path(live.log).parent))


@pytest.fixture
def room(live: real_server.Server, token: str) -> Room:
    room = open_room(live.base_url, token)
    room.phase("vision")
    return room


def test_a_contribution_reaches_the_stream_within_a_second(room: Room) -> None:
    stream = open_stream(room.events_url(), room.facilitator)
    try:
        assert stream.status == 200
        history = stream.wait_for(lambda events: len(events) >= 3)
        assert [m.event for m in history] == ["workshop-created", "owner-added", "phase-changed"]
        phone = room.join()
        started = time.monotonic()
        room.add(phone, kind="vision", text="Every firm shares its leftovers")
        arrived = stream.wait_for(lambda events: any(m.event == "item-added" for m in events), timeout=1.0)
        assert time.monotonic() - started < 1.0
    finally:
        stream.close()
    added = next(m for m in arrived if m.event == "item-added")
    envelope = added.json()
    assert (added.id, envelope["seq"], envelope["type"]) == (
        str(envelope["seq"]),
        int(added.id),
        "item-added",
    )
    assert envelope["data"]["text"] == "Every firm shares its leftovers"
    assert envelope["actor"].startswith("participant:")


def test_the_stream_sends_a_retry_hint_first(room: Room) -> None:
    stream = open_stream(room.events_url(), room.facilitator)
    try:
        stream.wait_for(lambda events: len(events) >= 1)
        assert stream.messages[0].retry == 2000
    finally:
        stream.close()


def test_resume_is_exactly_once_with_writes_racing_the_reconnect(room: Room) -> None:
    phones = [room.join() for _ in range(4)]
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        n = 0
        while not stop.is_set():
            room.add(phones[n % 4], kind="vision", text=f"Statement {n}")
            written.append(n)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    seen: list[int] = []
    try:
        for _ in range(6):
            stream = open_stream(room.events_url(last_event_id=seen[-1] if seen else None), room.facilitator)
            target = len(seen) + 5
            events = stream.wait_for(lambda events, target=target: len(seen) + len(events) >= target)
            stream.close()
            seen.extend(int(m.id) for m in events if m.id)
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join()

    # One last resume collects everything written after the final disconnect.
    newest = httpx.get(f"{room.base_url}/api/v1/workshops/{room.code}", headers=room.facilitator).json()[
        "last_seq"
    ]
    stream = open_stream(room.events_url(last_event_id=seen[-1]), room.facilitator)
    try:
        tail = stream.wait_for(lambda events: bool(events) and int(events[-1].id or 0) >= newest)
    finally:
        stream.close()
    seen.extend(int(m.id) for m in tail if m.id)

    assert seen == list(range(1, newest + 1))  # no gap, no duplicate, in order
    assert len(written) > 20


def test_last_event_id_header_resumes_after_that_event(room: Room) -> None:
    stream = open_stream(room.events_url(), room.facilitator | {"Last-Event-ID": "2"})
    try:
        events = stream.wait_for(lambda events: len(events) >= 1)
    finally:
        stream.close()
    assert [m.id for m in events] == ["3"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer nope"}, 401),
        ({"Last-Event-ID": "x"}, 422),
        ({"Last-Event-ID": "-1"}, 422),
        ({"Last-Event-ID": "1_0"}, 422),  # `int()` reads 10: the one number parser does not
        ({"Last-Event-ID": "9" * 5000}, 422),
    ],
)
def test_the_stream_refuses_strangers_and_bad_ids(room: Room, headers: dict[str, str], status: int) -> None:
    if "Last-Event-ID" in headers:
        headers = room.facilitator | headers
    response = httpx.get(room.events_url(), headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_another_facilitator_cannot_listen(live: real_server.Server, room: Room) -> None:
    other = facilitator_token(sqlite_url(Path(live.log).parent), "bob@example.org")
    response = httpx.get(room.events_url(), headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 403
