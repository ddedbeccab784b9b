"""The language switcher: a remembered choice, which beats Accept-Language on every later page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from backcast import i18n
from backcast.i18n import N_
from backcast.services.errors import Invalid
from backcast.settings import Settings
from backcast.web.auth import _safe_next
from backcast.web.deps import get_settings
from backcast.web.locale import LANGUAGE_COOKIE

router = APIRouter(include_in_schema=False)

COOKIE_MAX_AGE = 365 * 24 * 3600


@router.post("/language")
def remember_language(
    language: Annotated[str, Form(max_length=20)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    settings: Settings = Depends(get_settings),
) -> Response:
    """The switcher's buttons post here; the cookie is read by `LocaleMiddleware` from then on.
    `next` is where the person was, and only ever a path on this site."""
    if language not in i18n.available_languages():
        options = ", ".join(i18n.available_languages())
        raise Invalid(N_("Choose one of: %(options)s."), field="language", options=options)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.served_over_https,
    )
    return response


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
    return _safe_next(path + (f"?{query}" if query else ""))


def switcher(request: Request) -> dict[str, Any]:
    """What base.html needs for the switcher on every page."""
    return {
        "language_choices": [(code, i18n.language_name(code)) for code in i18n.available_languages()],
        "return_path": return_path(request),
    }
