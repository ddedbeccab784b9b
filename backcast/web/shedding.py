"""Overload is refused at once, not queued: past `max_in_flight` requests in one process, a new one
gets 503 with `Retry-After` before any route runs.

A busy process otherwise lets requests wait behind each other for seconds, and a phone on the
room's Wi-Fi cannot tell a slow answer from a lost one. A quick 503 tells it to send again shortly
(static/phone.js does, keeping the tap on its card meanwhile). Event streams are long-lived and
would hold their slots for as long as a screen is open, so they are never counted, nor refused;
nor are `/healthz` (a load balancer must see a busy process as up) and the static files a page
needs to load at all.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from backcast import i18n
from backcast.http.problems import problem

BUSY = i18n.N_("The server is very busy right now. Please try again in a moment.")
RETRY_AFTER = 1
# /healthz, static files, and every live event stream: the phone's, the projector's, the
# console's (`/live`) and the API's (`/events`). tests/test_shedding.py checks that every route
# answering with an event stream is among them.
NEVER_SHED = re.compile(
    r"^/(healthz|static/.*|w/[^/]+/live|w/[^/]+/screen/live|facilitate/[^/]+/live|api/v1/workshops/[^/]+/events)$"
)


class Shedding:
    def __init__(self, app: ASGIApp, *, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.max_in_flight or NEVER_SHED.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        # One event loop runs every request of the process, so the count needs no lock.
        if self.in_flight >= self.max_in_flight:
            await self._refuse(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Imported here: the error page helpers live above this module in the web layer.
        from backcast.web.errors import error_page

        detail = i18n.gettext(BUSY)
        headers = {"Retry-After": str(RETRY_AFTER)}
        response: Response
        if scope["path"].startswith("/api/"):
            response = problem(503, "busy", detail, instance=scope["path"], headers=headers)
        else:
            response = error_page(Request(scope, receive), 503, detail, headers=headers)
        await response(scope, receive, send)
