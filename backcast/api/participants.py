"""Joining a workshop through the API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from backcast.api import schemas
from backcast.api.deps import current_facilitator, current_participant
from backcast.api.problems import problems
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.http.limits import guard_code, join_refused, take_join
from backcast.http.participant import cookie_name
from backcast.models import Facilitator, Participant
from backcast.services import codes, participants
from backcast.services.errors import ServiceError

router = APIRouter(tags=["participants"], responses=problems(404))


def _already_joined(request: Request, db: Database, code: str) -> tuple[Participant, str] | None:
    """The participant this client already is in the workshop, by the phone's cookie for it or a
    participant token it sends, with that token."""
    normalized = codes.normalize_code(code) if isinstance(code, str) else None
    if normalized is None:
        return None
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    candidates = [
        request.cookies.get(cookie_name(normalized)),
        bearer.strip() if scheme.lower() == "bearer" else None,
    ]
    for token in candidates:
        if token and token.startswith("bcp_"):
            participant = participants.participant_of_workshop(db, token, normalized)
            if participant is not None:
                return participant, token
    return None


def _join(request: Request, db: Database, body: schemas.JoinIn) -> participants.Joined:
    code = codes.normalize_code(body.code) or body.code
    take_join(request, code)
    try:
        return participants.join_workshop(
            db, body.code, name=body.name, group=body.group, consent=body.consent
        )
    except ServiceError:
        join_refused(request, code)
        raise


@router.post(
    "/join",
    status_code=201,
    response_model=schemas.JoinOut,
    responses={
        200: {
            "model": schemas.JoinOut,
            "description": "This client had joined already: the same participant.",
        },
        **problems(
            409,
            429,
            s409="The facilitator locked the room: no new participants.",
            s429="Too many wrong codes, or too many joins to this workshop, from this address; "
            "`Retry-After` says how long to wait.",
        ),
    },
)
def join(
    body: schemas.JoinIn, request: Request, response: Response, db: Database = Depends(get_db)
) -> schemas.JoinOut:
    """Unknown codes count against the client's limit: after too many, 429 with Retry-After. A
    client that already joined (the phone's cookie, or its participant token) gets that participant
    back, 200, rather than a new one; each address may make `BACKCAST_JOIN_LIMIT` per window."""
    existing = _already_joined(request, db, body.code)
    if existing is not None:
        participant, token = existing
        assert participant.id is not None
        response.status_code = 200
        return schemas.JoinOut(
            participant_id=participant.id,
            token=token,
            workshop=codes.normalize_code(body.code) or "",
            consented=participant.consented_at is not None,
        )
    joined = guard_code(request, lambda: _join(request, db, body))
    assert joined.participant.id is not None
    return schemas.JoinOut(
        participant_id=joined.participant.id,
        token=joined.token,
        workshop=joined.code,
        consented=joined.participant.consented_at is not None,
    )


@router.put(
    "/participants/me/group",
    response_model=schemas.OwnGroupOut,
    responses=problems(
        401, 403, 409, 422, s409="The participant has already rated or placed a dot: their group stays."
    ),
)
def set_own_group(
    body: schemas.OwnGroupIn,
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> schemas.OwnGroupOut:
    """The calling participant chooses, changes or clears their stakeholder group, until their
    first rating or dot."""
    group = participants.set_own_group(db, participant, body.group)
    assert participant.id is not None
    return schemas.OwnGroupOut(participant_id=participant.id, group=group.key if group else None)


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
