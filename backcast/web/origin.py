"""Cross-site request forgery: a form posted from another site is refused.

Session and participant cookies are SameSite=Lax already; this adds the browser's own word on
where a request comes from (`Sec-Fetch-Site`, else `Origin`). The JSON API is not covered here:
it takes bearer tokens, never cookies, so a forged request carries no credentials.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _same_origin(headers: dict[bytes, bytes]) -> bool:
    fetch_site = headers.get(b"sec-fetch-site", b"").decode("latin-1")
    if fetch_site:
        return fetch_site in {"same-origin", "none"}
    origin = headers.get(b"origin", b"").decode("latin-1")
    if not origin or origin == "null":
        # Old browsers and non-browser clients send neither; SameSite cookies still hold.
        return origin != "null"
    host = headers.get(b"host", b"").decode("latin-1")
    return urlsplit(origin).netloc == host


class OriginGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and not scope["path"].startswith("/api/")
            and not _same_origin(dict(scope.get("headers") or []))
        ):
            response = PlainTextResponse("Cross-site form posts are refused.", status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
