"""Request-scoped access to the database, settings and the signed-in facilitator."""

from __future__ import annotations

from fastapi import Request
from fastapi.templating import Jinja2Templates

from backcast.db import Database
from backcast.models import Facilitator
from backcast.services import accounts
from backcast.settings import Settings

# The session cookie holds a random session token; the account it belongs to is looked up in the
# database on every request, so an ended session stops working at once.
SESSION_KEY = "session"


# Dependencies that only read app state are `async`: FastAPI runs a plain `def` dependency in a
# worker thread, a hop that cost more than the read on every request.
async def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def session_token(request: Request) -> str | None:
    token = request.session.get(SESSION_KEY)
    return token if isinstance(token, str) and token else None


def session_facilitator(request: Request) -> Facilitator | None:
    token = session_token(request)
    if token is None:
        return None
    return accounts.facilitator_for_session(request.app.state.db, token)


def sign_in(request: Request, facilitator: Facilitator) -> None:
    """Starts a server-side session for `facilitator` and puts its token into the cookie."""
    assert facilitator.id is not None
    settings = request.app.state.settings
    token = accounts.start_session(request.app.state.db, facilitator.id, settings.session_max_age)
    request.session.clear()
    request.session[SESSION_KEY] = token


class LoginRequired(Exception):
    """Raised by pages that need a signed-in facilitator; answered with a redirect to /login."""
