"""What the web's route modules share: templates, signing in, and the dependencies that send a
person to sign in or to join. Route modules import these, never each other."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from backcast.db import Database
from backcast.http.deps import SESSION_KEY, get_db, session_facilitator
from backcast.models import Facilitator, Workshop
from backcast.services import accounts, workshops


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def sign_in(request: Request, facilitator: Facilitator) -> None:
    """Starts a server-side session for `facilitator` and puts its token into the cookie."""
    assert facilitator.id is not None
    settings = request.app.state.settings
    token = accounts.start_session(request.app.state.db, facilitator.id, settings.session_max_age)
    request.session.clear()
    request.session[SESSION_KEY] = token


class LoginRequired(Exception):
    """Raised by pages that need a signed-in facilitator; answered with a redirect to /login."""


class NotJoined(Exception):
    """Raised by phone pages for a phone that has not joined; answered with a redirect to /j/{code}."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def safe_next(target: str | None) -> str:
    # Only a path on this site: an absolute or protocol-relative URL would be an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def login_url(next_path: str) -> str:
    return "/login?" + urlencode({"next": next_path})


def console_facilitator(request: Request) -> Facilitator:
    facilitator = session_facilitator(request)
    if facilitator is None:
        raise LoginRequired()
    return facilitator


def owned(
    code: str, facilitator: Facilitator = Depends(console_facilitator), db: Database = Depends(get_db)
) -> Workshop:
    return workshops.owned_workshop(db, facilitator, code)


def viewable(
    code: str, facilitator: Facilitator = Depends(console_facilitator), db: Database = Depends(get_db)
) -> Workshop:
    """For the pages that only read: those who run the workshop, and its study's researchers."""
    return workshops.viewable_workshop(db, facilitator, code)
