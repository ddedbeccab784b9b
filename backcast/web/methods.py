"""HTTP methods answered as RFC 9110 says: HEAD wherever GET works, and a 405 that lists them all.

The router answers a method a path does not take with 405 and an `Allow` header naming only the
methods of the first route on that path (`PATCH` where `GET`, `PATCH` and `DELETE` all work), and
FastAPI's routes take no HEAD. This middleware asks every route which methods it would take for the
path, and answers HEAD as the GET it stands for, without the body.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(scope: Scope) -> list[str]:
    """The methods some route takes for this path."""
    routes = scope["app"].router.routes
    allowed = []
    for method in METHODS:
        probe = {**scope, "method": "GET" if method == "HEAD" else method}
        if any(route.matches(probe)[0] == Match.FULL for route in routes):
            allowed.append(method)
    return allowed


class Methods:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "app" not in scope:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD" and "GET" in allowed_methods(scope):
            await self._head(scope, receive, send)
            return

        async def with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                MutableHeaders(scope=message)["Allow"] = ", ".join(allowed_methods(scope))
            await send(message)

        await self.app(scope, receive, with_allow)

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The GET's status and headers; its body is dropped, and a body that would go on (an event
        stream) is ended by telling the app the client has gone."""
        finished = False

        async def headers_only(message: Message) -> None:
            nonlocal finished
            if finished:
                return
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body":
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def until_finished() -> Message:
            if finished:
                return {"type": "http.disconnect"}
            return await receive()

        await self.app({**scope, "method": "GET"}, until_finished, headers_only)
