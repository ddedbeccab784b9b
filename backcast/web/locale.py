"""Sets the language of each request for gettext, by the one rule in `i18n.choose_language`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from backcast import i18n
from backcast.web.deps import safe_next

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


def return_path(request: Request) -> str:
    """Where the switcher brings a person back to: this page; or, for a page that answers a form
    (a failed sign-in, say), the page that holds the form, as the Referer names it. Going back to
    the form's own address would lose its query, such as the set-up token."""
    if request.method in {"GET", "HEAD"}:
        path, query = request.url.path, request.url.query
    else:
        referer = urlsplit(request.headers.get("referer", ""))
        same_site = referer.scheme in {"http", "https"} and referer.netloc == request.url.netloc
        path, query = (referer.path, referer.query) if same_site else (request.url.path, "")
    return safe_next(path + (f"?{query}" if query else ""))


def switcher(request: Request) -> dict[str, Any]:
    """What base.html needs for the switcher on every page."""
    return {
        "language_choices": [(code, i18n.language_name(code)) for code in i18n.available_languages()],
        "return_path": return_path(request),
    }
