"""Request-scoped access to the database, settings and the signed-in facilitator."""

from __future__ import annotations

from fastapi import Request
from fastapi.templating import Jinja2Templates

from backcast.db import Database
from backcast.models import Facilitator
from backcast.services import accounts
from backcast.settings import Settings

SESSION_KEY = "facilitator_id"


# Dependencies that only read app state are `async`: FastAPI runs a plain `def` dependency in a
# worker thread, a hop that cost more than the read on every request.
async def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def session_facilitator(request: Request) -> Facilitator | None:
    facilitator_id = request.session.get(SESSION_KEY)
    if not isinstance(facilitator_id, int):
        return None
    return accounts.facilitator_by_id(request.app.state.db, facilitator_id)


class LoginRequired(Exception):
    """Raised by pages that need a signed-in facilitator; answered with a redirect to /login."""
