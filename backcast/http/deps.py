"""Request-scoped access to the database, settings and the signed-in facilitator's session."""

from __future__ import annotations

from starlette.requests import Request

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
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_token(request: Request) -> str | None:
    token = request.session.get(SESSION_KEY)
    return token if isinstance(token, str) and token else None


def session_facilitator(request: Request) -> Facilitator | None:
    token = session_token(request)
    if token is None:
        return None
    return accounts.facilitator_for_session(request.app.state.db, token)
