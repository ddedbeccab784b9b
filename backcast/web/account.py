"""A facilitator's own account (`/account`): the password, the API tokens, and signing out in
every browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from backcast import i18n
from backcast.db import Database
from backcast.http.deps import get_db, session_token
from backcast.models import Facilitator
from backcast.services import accounts
from backcast.services.errors import Invalid, ServiceError
from backcast.web.deps import console_facilitator, get_templates

router = APIRouter(include_in_schema=False)

# What a redirect back to the page may announce; anything else is ignored.
_DONE = {"password", "revoked"}


def _page(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    *,
    done: str | None = None,
    error: ServiceError | None = None,
) -> Response:
    assert facilitator.id is not None
    context = {
        "facilitator": facilitator,
        "tokens": accounts.api_tokens(db, facilitator.id),
        "done": done if done in _DONE else None,
        "error": i18n.gettext(error.message, **error.params) if error else None,
    }
    return get_templates(request).TemplateResponse(
        request, "account.html", context, status_code=422 if error else 200
    )


@router.get("/account")
def account_page(
    request: Request,
    done: str | None = Query(None, max_length=20),
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return _page(request, db, facilitator, done=done)


@router.post("/account/password")
def change_password(
    request: Request,
    current_password: Annotated[str, Form(max_length=2000)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    password_again: Annotated[str, Form(max_length=2000)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    assert facilitator.id is not None
    try:
        if password != password_again:
            raise Invalid(i18n.N_("The two passwords differ."), field="password_again")
        accounts.change_password(
            db,
            facilitator.id,
            password,
            current_password=current_password,
            keep_session=session_token(request),
            via="account",
        )
    except ServiceError as error:
        return _page(request, db, facilitator, error=error)
    return RedirectResponse("/account?done=password", status_code=303)


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere(
    request: Request, facilitator: Facilitator = Depends(console_facilitator), db: Database = Depends(get_db)
) -> Response:
    assert facilitator.id is not None
    accounts.end_all_sessions(db, facilitator.id)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: int,
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    assert facilitator.id is not None
    try:
        accounts.revoke_api_token(db, token_id, owner_id=facilitator.id, via="account")
    except ServiceError as error:
        return _page(request, db, facilitator, error=error)
    return RedirectResponse("/account?done=revoked", status_code=303)
