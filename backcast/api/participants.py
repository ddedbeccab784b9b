"""Joining a workshop through the API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from backcast.api import schemas
from backcast.api.problems import problems
from backcast.db import Database
from backcast.services import participants
from backcast.web.deps import get_db
from backcast.web.limits import guard_code

router = APIRouter(tags=["participants"], responses=problems(404))


@router.post(
    "/join",
    status_code=201,
    response_model=schemas.JoinOut,
    responses=problems(
        429, s429="Too many wrong codes from this address; `Retry-After` says how long to wait."
    ),
)
def join(body: schemas.JoinIn, request: Request, db: Database = Depends(get_db)) -> schemas.JoinOut:
    """Unknown codes count against the client's limit: after too many, 429 with Retry-After."""
    joined = guard_code(
        request,
        lambda: participants.join_workshop(
            db, body.code, name=body.name, group=body.group, consent=body.consent
        ),
    )
    assert joined.participant.id is not None
    return schemas.JoinOut(participant_id=joined.participant.id, token=joined.token, workshop=joined.code)
