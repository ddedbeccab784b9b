"""Request-scoped access to the database, settings and the signed-in facilitator."""

from __future__ import annotations

from fastapi import Request
from fastapi.templating import Jinja2Templates

from backcast.db import Database
from backcast.models import Facilitator
from backcast.services import accounts
from backcast.settings import Settings

SESSION_KEY = "facilitator_id"


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def session_facilitator(request: Request) -> Facilitator | None:
    facilitator_id = request.session.get(SESSION_KEY)
    if not isinstance(facilitator_id, int):
        return None
    return accounts.facilitator_by_id(get_db(request), facilitator_id)


class LoginRequired(Exception):
    """Raised by pages that need a signed-in facilitator; answered with a redirect to /login."""
