"""Signing in and out, and the first-run set-up page that creates the first account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from backcast.db import Database
from backcast.http.deps import get_db, get_settings, session_token
from backcast.http.limits import RateLimited, login_failed, login_succeeded, take_login
from backcast.i18n import gettext
from backcast.services import accounts
from backcast.services.errors import ServiceError
from backcast.settings import Settings
from backcast.web.deps import get_templates, safe_next, sign_in

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_page(request: Request, next: str = "/", db: Database = Depends(get_db)) -> Response:
    templates = get_templates(request)
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "next": safe_next(next),
            "error": None,
            "email": "",
            "needs_setup": accounts.facilitator_count(db) == 0,
        },
    )


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    db: Database = Depends(get_db),
) -> Response:
    try:
        take_login(request, email)
        facilitator = accounts.authenticate(db, email, password)
    except ServiceError as error:
        wait = error.retry_after if isinstance(error, RateLimited) else None
        if wait is None:
            login_failed(request, email)
        templates = get_templates(request)
        return templates.TemplateResponse(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "error": gettext(error.message, **error.params),
                "email": email[:254],
                "needs_setup": False,
            },
            status_code=401 if wait is None else 429,
            headers=None if wait is None else {"Retry-After": str(wait)},
        )
    login_succeeded(request, email)
    sign_in(request, facilitator)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, db: Database = Depends(get_db)) -> Response:
    token = session_token(request)
    if token is not None:
        accounts.end_session(db, token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/setup")
def setup_page(
    request: Request,
    token: str = "",
    db: Database = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    return _setup_response(request, db, settings, token, error=None, email="")


def _setup_response(
    request: Request,
    db: Database,
    settings: Settings,
    token: str,
    *,
    error: str | None,
    email: str,
    status: int = 200,
) -> Response:
    templates = get_templates(request)
    if accounts.facilitator_count(db) > 0:
        return templates.TemplateResponse(request, "setup_done.html", {}, status_code=410)
    if not accounts.setup_token_valid(settings, token):
        return templates.TemplateResponse(request, "setup_invalid.html", {}, status_code=403)
    return templates.TemplateResponse(
        request, "setup.html", {"token": token, "error": error, "email": email}, status_code=status
    )


@router.post("/setup")
def setup(
    request: Request,
    token: Annotated[str, Form(max_length=500)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    password_again: Annotated[str, Form(max_length=2000)] = "",
    db: Database = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Response:
    if not accounts.setup_token_valid(settings, token) or accounts.facilitator_count(db) > 0:
        return _setup_response(request, db, settings, token, error=None, email="")
    if password != password_again:
        error = gettext("The two passwords differ.")
        return _setup_response(request, db, settings, token, error=error, email=email[:254], status=422)
    try:
        facilitator = accounts.create_first_facilitator(db, email, password)
    except ServiceError as failure:
        error = gettext(failure.message, **failure.params)
        return _setup_response(request, db, settings, token, error=error, email=email[:254], status=422)
    sign_in(request, facilitator)
    return RedirectResponse("/", status_code=303)
