"""A real `backcast serve` closes connections that send nothing, stall halfway through their
headers or sit idle after a response, and one client address holds only so many event streams."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from backcast.db import Database, make_engine
from tests import factories
from tests import server as real_server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    running = real_server.start(
        tmp_path_factory.mktemp("connections"),
        BACKCAST_HEADER_TIMEOUT="1",
        BACKCAST_KEEP_ALIVE_TIMEOUT="1",
        BACKCAST_STREAMS_PER_ADDRESS="2",
    )
    yield running
    running.stop()


def connect(server: real_server.Server) -> socket.socket:
    address = urlsplit(server.base_url)
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed the connection, reading whatever it sent; None if it did not."""
    started = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_a_connection_that_sends_nothing_is_closed(live: real_server.Server) -> None:
    with connect(live) as silent:
        waited = closed_within(silent, 5)
    assert waited is not None and waited < 3


def test_a_request_stalled_halfway_through_its_headers_is_closed(live: real_server.Server) -> None:
    with connect(live) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        waited = closed_within(slow, 5)
    assert waited is not None and waited < 3


def test_a_slow_but_complete_request_is_answered(live: real_server.Server) -> None:
    with connect(live) as sock:
        for part in (b"GET /healthz HTTP/1.1\r\n", b"Host: localhost\r\n", b"Connection: close\r\n\r\n"):
            sock.sendall(part)
            time.sleep(0.3)
        sock.settimeout(5)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_an_idle_keep_alive_connection_is_closed(live: real_server.Server) -> None:
    with connect(live) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        waited = closed_within(sock, 5)
    assert waited is not None and waited < 3


def open_stream(server: real_server.Server, path: str) -> tuple[socket.socket, bytes]:
    sock = connect(server)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n".encode())
    sock.settimeout(5)
    return sock, sock.recv(65536)


def test_one_address_holds_only_so_many_event_streams(live: real_server.Server) -> None:
    db = Database(make_engine(f"sqlite:///{Path(live.log).parent / 'backcast.sqlite3'}"))
    try:
        code = factories.workshop(db).code
    finally:
        db.dispose()
    path = f"/w/{code}/screen/live"

    with contextlib.ExitStack() as streams:
        heads = []
        for _ in range(3):
            sock, head = open_stream(live, path)
            streams.callback(sock.close)
            heads.append((sock, head))
        (first, first_head), (_, second_head), (_, third_head) = heads
        assert first_head.startswith(b"HTTP/1.1 200 ") and second_head.startswith(b"HTTP/1.1 200 ")
        assert third_head.startswith(b"HTTP/1.1 429 ")
        assert b"\r\nretry-after: 10\r\n" in third_head.lower()

        first.close()  # a stream that ends gives its slot back
        deadline = time.monotonic() + 5
        while True:
            again, again_head = open_stream(live, path)
            again.close()
            if again_head.startswith(b"HTTP/1.1 200 ") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert again_head.startswith(b"HTTP/1.1 200 ")
