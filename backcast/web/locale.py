"""Sets the language of each request for gettext."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from backcast import i18n


class LocaleMiddleware:
    """Accept-Language picks the language for now; the participant's own choice and the
    workshop's language come first once the pages that know them exist."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1")
        token = i18n.current_language.set(i18n.negotiate(header))
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_language.reset(token)
