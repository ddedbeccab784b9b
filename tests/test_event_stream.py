"""The event-stream response on a real uvicorn: what a listener sees, and that leaving frees it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from backcast.live.stream import EventStream, frame
from tests.server import free_port
from tests.sse import Connection, Message, parse


class Scripted:
    """A source that hands out what the test puts in, and notes when its stream has let go."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.waiting = 0

    async def next_frames(self) -> bytes | None:
        self.waiting += 1
        try:
            return await self.queue.get()
        finally:
            self.waiting -= 1


class Harness:
    def __init__(self, heartbeat: float) -> None:
        self.sources: list[Scripted] = []
        self.loop: asyncio.AbstractEventLoop | None = None

        async def stream(request: Request) -> EventStream:
            self.loop = asyncio.get_running_loop()
            source = Scripted()
            self.sources.append(source)
            return EventStream(source, opening=frame(retry=1000, comment="open"), heartbeat=heartbeat)

        app = Starlette(routes=[Route("/stream", stream)])
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Harness:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def put(self, source: Scripted, frames: bytes | None) -> None:
        assert self.loop is not None
        self.loop.call_soon_threadsafe(source.queue.put_nowait, frames)

    def connect(self) -> Connection:
        return Connection(f"http://127.0.0.1:{self.port}/stream")


def messages(chunks: Iterator[bytes], count: int) -> list[Message]:
    text, found = "", []
    while len(found) < count:
        text += next(chunks).decode()
        while "\n\n" in text and len(found) < count:
            block, text = text.split("\n\n", 1)
            found.append(parse(block.split("\n")))
    return found


def wait_until(condition: object, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_a_batch_arrives_whole_and_text_keeps_its_line_breaks_and_separators() -> None:
    with Harness(heartbeat=30) as harness:
        connection = harness.connect()
        try:
            assert connection.status == 200
            assert connection.headers["content-type"].startswith("text/event-stream")
            assert connection.headers["cache-control"] == "no-cache"
            assert connection.headers["x-accel-buffering"] == "no"
            chunks = connection.body()
            opening = messages(chunks, 1)[0]
            assert (opening.retry, opening.comments) == (1000, ["open"])
            tricky = "first line\nsecond line\r\nthird\u2028still third"
            batch = frame(id="1", event="a", data="one") + frame(id="2", event="b", data=tricky)
            harness.put(harness.sources[0], batch)
            first, second = messages(chunks, 2)
            assert (first.id, first.event, first.data) == ("1", "a", "one")
            assert (second.id, second.event) == ("2", "b")
            assert second.data == "first line\nsecond line\nthird\u2028still third"
        finally:
            connection.close()


def test_an_idle_stream_sends_heartbeats_and_loses_nothing_waiting() -> None:
    with Harness(heartbeat=0.2) as harness:
        connection = harness.connect()
        try:
            chunks = connection.body()
            messages(chunks, 1)
            beats = messages(chunks, 2)
            assert [m.comments for m in beats] == [["ping"], ["ping"]]
            # Each heartbeat cut a wait short; what arrives afterwards is still delivered.
            harness.put(harness.sources[0], frame(event="after", data="kept"))
            later = [m for m in messages(chunks, 3) if m.event]
            assert later and later[0].data == "kept"
        finally:
            connection.close()


@pytest.mark.parametrize("ending", ["client leaves", "source ends"])
def test_the_stream_lets_go_at_once_when_either_side_ends(ending: str) -> None:
    with Harness(heartbeat=30) as harness:
        connection = harness.connect()
        chunks = connection.body()
        messages(chunks, 1)
        source = harness.sources[0]
        assert wait_until(lambda: source.waiting == 1)
        started = time.monotonic()
        if ending == "client leaves":
            connection.close()
        else:
            harness.put(source, None)
            assert list(chunks) == []  # the response ends cleanly: the last, empty chunk
            connection.close()
        # Long before the next heartbeat (30 s) would have found the client gone.
        assert wait_until(lambda: source.waiting == 0, seconds=3)
        assert time.monotonic() - started < 3
