"""Server-sent events on the wire: one task per connection, and frames encoded once for everyone.

A stream sends whatever its source has ready as one chunk: the frames of a batch of events, or
of a rendered view, are built once and shared by every listener, so a listener costs one write
per batch, not a chain of tasks and queues per event. Between batches a comment keeps proxies
from closing the connection; a client that goes away ends its stream at once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Protocol

from starlette.background import BackgroundTask
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

HEARTBEAT_SECONDS = 15.0
HEARTBEAT = b": ping\n\n"
# Only these end a line in the format; `str.splitlines` would also split at U+2028 and the like.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def frame(
    *,
    data: str | None = None,
    event: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> bytes:
    """One event in the text/event-stream format; text with line breaks spans several lines."""
    lines: list[str] = []
    if comment is not None:
        lines += [f": {line}" for line in _lines(comment)]
    if event is not None:
        lines.append(f"event: {event}")
    if data is not None:
        lines += [f"data: {line}" for line in _lines(data)]
    if id is not None:
        lines.append(f"id: {id}")
    if retry is not None:
        lines.append(f"retry: {retry}")
    return ("\n".join(lines) + "\n\n").encode()


class FrameSource(Protocol):
    async def next_frames(self) -> bytes | None:
        """The frames to send next, or None to end the stream (the client then reconnects).

        Cancel-safe: a wait cut short for a heartbeat, or by the client leaving, loses nothing.
        """
        ...


class EventStream(Response):
    """A `text/event-stream` response fed by a `FrameSource`."""

    media_type = "text/event-stream"

    def __init__(
        self,
        source: FrameSource,
        *,
        opening: bytes = b"",
        headers: Mapping[str, str] | None = None,
        heartbeat: float = HEARTBEAT_SECONDS,
        status_code: int = 200,  # read by FastAPI for the API description
    ) -> None:
        # No body and so no Content-Length: the stream is sent in chunks until it ends.
        self.source = source
        self.opening = opening
        self.heartbeat = heartbeat
        self.status_code = status_code
        self.background: BackgroundTask | None = None
        # Proxies must pass each frame on at once rather than buffer it (nginx reads this header).
        self.init_headers({"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **(headers or {})})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        task = asyncio.current_task()
        assert task is not None
        gone, streaming = False, True

        async def until_gone() -> None:
            nonlocal gone
            while (await receive())["type"] != "http.disconnect":
                pass
            if streaming:
                gone = True
                task.cancel()

        # Sending to a client that left succeeds silently, so only reading tells that it left.
        watcher = asyncio.create_task(until_gone())
        try:
            if self.opening:
                await send({"type": "http.response.body", "body": self.opening, "more_body": True})
            while True:
                try:
                    async with asyncio.timeout(self.heartbeat):
                        frames = await self.source.next_frames()
                except TimeoutError:
                    frames = HEARTBEAT
                if frames is None:
                    break
                await send({"type": "http.response.body", "body": frames, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not gone:
                raise
            task.uncancel()
        finally:
            streaming = False
            watcher.cancel()
