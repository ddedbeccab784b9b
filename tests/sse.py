"""A small client for server-sent event streams over a plain socket, reading in its own thread.

A plain socket, so that `close()` can cut a blocked read at once (shutdown wakes the reader),
which an HTTP library's blocking stream cannot promise from another thread.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Message:
    event: str | None = None
    id: str | None = None
    data: str = ""
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.data)


def parse(lines: list[str]) -> Message:
    message = Message()
    data: list[str] = []
    for line in lines:
        if line.startswith(":"):
            message.comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            message.event = value
        elif name == "id":
            message.id = value
        elif name == "data":
            data.append(value)
        elif name == "retry":
            message.retry = int(value)
    message.data = "\n".join(data)
    return message


class Connection:
    """One GET with HTTP/1.1 on a socket; the body is read as it arrives (chunked or not)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 80), timeout=timeout
        )
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "Accept: text/event-stream"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        head = self._read_until(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        self.sock.settimeout(None)

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.buffer += chunk

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def body(self) -> Iterator[bytes]:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int(self._read_until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    return
                yield self._read_exactly(size)
                self._read_exactly(2)
        else:
            length = int(self.headers.get("content-length", "-1"))
            if length >= 0:
                yield self._read_exactly(length)
                return
            while True:
                if self.buffer:
                    yield self.buffer
                    self.buffer = b""
                self._fill()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class Stream(threading.Thread):
    """Opens `url` and collects every message until closed or the server ends the stream."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.headers = headers or {}
        self.messages: list[Message] = []
        self.status: int | None = None
        self.ended = threading.Event()
        self.opened = threading.Event()
        self._changed = threading.Condition()
        self._connection: Connection | None = None

    def run(self) -> None:
        try:
            self._connection = Connection(self.url, self.headers)
            self.status = self._connection.status
            self.opened.set()
            text = ""
            for chunk in self._connection.body():
                text += chunk.decode()
                while "\n\n" in text:
                    block, text = text.split("\n\n", 1)
                    with self._changed:
                        self.messages.append(parse(block.split("\n")))
                        self._changed.notify_all()
        except (OSError, EOFError, ValueError):
            pass  # closed from outside, or the server went away
        finally:
            self.opened.set()
            self.ended.set()
            with self._changed:
                self._changed.notify_all()

    def events(self) -> list[Message]:
        with self._changed:
            return [m for m in self.messages if m.id is not None]

    def wait_for(self, predicate: Callable[[list[Message]], bool], timeout: float = 5.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate([m for m in self.messages if m.id is not None]):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.ended.is_set():
                    break
                self._changed.wait(remaining)
            return [m for m in self.messages if m.id is not None]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self.join(timeout=5)
        assert not self.is_alive(), "the stream reader did not stop"


def open_stream(url: str, headers: dict[str, str] | None = None) -> Stream:
    stream = Stream(url, headers)
    stream.start()
    stream.opened.wait(10)
    return stream
