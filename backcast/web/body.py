"""Request bodies are capped: a larger one is refused with 413 before any route reads it.

Nothing backcast takes in comes near the cap (the longest text field is a few thousand characters),
so a bigger body is a mistake or an attack. A body announced too large by Content-Length is refused
without reading it; one sent in chunks is counted as it arrives and refused once it passes the cap.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backcast import i18n
from backcast.http.problems import problem
from backcast.i18n import N_

TOO_LARGE = N_("The request is too large: at most %(size)d KB are accepted.")


DRAIN_MAX = 1024 * 1024


class BodyLimit:
    """`max_size` for every path, except the few in `larger` that take files (a template import)."""

    def __init__(self, app: ASGIApp, *, max_size: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_size = max_size
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_size = max(self.max_size, self.larger.get(scope["path"], 0))
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                announced = int(length)
            except ValueError:
                announced = -1
            if announced > max_size:
                await self._refuse(scope, receive, send, max_size)
                return
        # Read the whole (small) body first, counting; the app then gets it as one message, and
        # whatever comes after it (a disconnect) from the server as usual.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_size:
                await self._drain(receive, message, size)
                await self._refuse(scope, receive, send, max_size)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body_message: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body_message], None, receive), send)

    async def _drain(self, receive: Receive, message: Message, size: int) -> None:
        """Reads on to the end of a modestly oversized body, so that the client, still sending,
        gets to read the 413 rather than a reset connection. Beyond DRAIN_MAX the connection just
        closes after the answer."""
        while message.get("more_body", False) and size <= DRAIN_MAX:
            message = await receive()
            if message["type"] != "http.request":
                return
            size += len(message.get("body", b""))

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, max_size: int) -> None:
        # Imported here: the error page helpers live above this module in the web layer.
        from backcast.web.errors import error_page

        request = Request(scope, receive)
        detail = i18n.gettext(TOO_LARGE, size=max_size // 1024)
        headers = {"Connection": "close"}
        response: Response
        if scope["path"].startswith("/api/"):
            response = problem(413, "too-large", detail, instance=scope["path"], headers=headers)
        else:
            response = error_page(request, 413, detail, headers=headers)
        await response(scope, receive, send)


def _replay(messages: list[Message], pending: Message | None, receive: Receive) -> Receive:
    queue = [*messages, *([pending] if pending else [])]

    async def replayed() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replayed
