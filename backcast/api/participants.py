"""Joining a workshop through the API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from backcast.api import schemas
from backcast.api.deps import current_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.models import Facilitator
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
    return schemas.JoinOut(
        participant_id=joined.participant.id,
        token=joined.token,
        workshop=joined.code,
        consented=joined.participant.consented_at is not None,
    )


@router.delete(
    "/workshops/{code}/participants/{participant_id}",
    status_code=204,
    responses=problems(401, 403, 404, s404="No workshop with this code, or no such participant in it."),
)
def delete_participant(
    code: str,
    participant_id: int,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """Deletes the participant's data: name, token, consent, group, ratings and dots. Their
    contributions stay without an author, and their entries in the event log are erased."""
    participants.delete_participant(db, facilitator, code, participant_id)
    return Response(status_code=204)
