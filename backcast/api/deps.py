"""Who is calling: a facilitator's API token or a participant's token, as a bearer token."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from backcast.db import Database
from backcast.http.deps import get_db, session_facilitator
from backcast.i18n import N_
from backcast.models import Facilitator, Participant
from backcast.services import accounts, participants
from backcast.services.errors import NotAllowed, NotAuthenticated


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(N_("Send a token as 'Authorization: Bearer <token>'."))
    return token.strip()


def actor_for_token(db: Database, token: str) -> Facilitator | Participant:
    # The prefix says whose token it is, so one lookup does (participants call far more often).
    actor: Facilitator | Participant | None = (
        participants.participant_for_token(db, token)
        if token.startswith("bcp_")
        else accounts.facilitator_for_token(db, token)
    )
    if actor is None:
        raise NotAuthenticated(N_("This token is not valid."))
    return actor


async def current_actor(request: Request, db: Database = Depends(get_db)) -> Facilitator | Participant:
    token = bearer_token(request)
    # A participant seen a moment ago is known at once; only a lookup goes to a worker thread.
    remembered = participants.remembered_participant(db, token)
    if remembered is not None:
        return remembered
    return await run_in_threadpool(actor_for_token, db, token)


def as_facilitator(actor: Facilitator | Participant) -> Facilitator:
    if not isinstance(actor, Facilitator):
        raise NotAllowed(N_("This needs a facilitator's API token."))
    return actor


async def current_facilitator(actor: Facilitator | Participant = Depends(current_actor)) -> Facilitator:
    return as_facilitator(actor)


async def current_participant(actor: Facilitator | Participant = Depends(current_actor)) -> Participant:
    if not isinstance(actor, Participant):
        raise NotAllowed(N_("This needs a participant's token."))
    return actor


def stream_facilitator(request: Request, db: Database = Depends(get_db)) -> Facilitator:
    """An API token, or the signed-in facilitator's session: a browser's EventSource sends no headers."""
    if request.headers.get("authorization"):
        return as_facilitator(actor_for_token(db, bearer_token(request)))
    facilitator = session_facilitator(request)
    if facilitator is None:
        raise NotAuthenticated(N_("Send a token as 'Authorization: Bearer <token>'."))
    return facilitator
