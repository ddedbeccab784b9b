"""Sets the language of each request for gettext, by the one rule in `i18n.choose_language`."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from backcast import i18n

LANGUAGE_COOKIE = "backcast_lang"


def language_of(connection: HTTPConnection, workshop_language: str | None = None) -> str:
    """The language for this request: the switcher's cookie, then Accept-Language, then the
    workshop's language where there is one, then English (see `i18n.choose_language`)."""
    return i18n.choose_language(
        connection.cookies.get(LANGUAGE_COOKIE), connection.headers.get("accept-language"), workshop_language
    )


def use_workshop_language(connection: HTTPConnection, workshop_language: str) -> str:
    """For the pages of one workshop (phone, screen, console): call it before rendering, once the
    workshop is known, so that its language counts as a further fallback. The middleware cannot
    know the workshop, so it decides without it. Returns the language now in use."""
    language = language_of(connection, workshop_language)
    i18n.current_language.set(language)
    return language


class LocaleMiddleware:
    """Decides the language before any route or error handler runs, so API problem details,
    error pages and templates all speak it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = i18n.current_language.set(language_of(HTTPConnection(scope)))
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_language.reset(token)


def use_room_language(connection: HTTPConnection, workshop_language: str) -> str:
    """For the projector and the console: the facilitator's own choice on this browser, else the
    workshop's language. The room's browser settings do not decide what the room reads."""
    chosen = connection.cookies.get(LANGUAGE_COOKIE)
    language = chosen if chosen in i18n.available_languages() else workshop_language
    if language not in i18n.available_languages():
        language = i18n.DEFAULT_LANGUAGE
    i18n.current_language.set(language)
    return language
