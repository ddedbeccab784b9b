"""The language switcher: a remembered choice, which beats Accept-Language on every later page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from backcast import i18n
from backcast.http.deps import get_settings
from backcast.i18n import N_
from backcast.services.errors import Invalid
from backcast.settings import Settings
from backcast.web.deps import safe_next
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
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.served_over_https,
    )
    return response
