"""Knowing the participant on a phone: a per-workshop cookie holding their token."""

from __future__ import annotations

from fastapi import Request, Response

from backcast.db import Database
from backcast.models import Participant
from backcast.services import codes, participants

COOKIE_PREFIX = "bcp_"
COOKIE_MAX_AGE = 60 * 24 * 3600  # a workshop series may span weeks; the phone should still know them


def cookie_name(code: str) -> str:
    return f"{COOKIE_PREFIX}{code}"


def remember(response: Response, request: Request, code: str, token: str) -> None:
    response.set_cookie(
        cookie_name(code),
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def participant_for(request: Request, db: Database, workshop_id: int, code: str) -> Participant | None:
    """The participant this phone joined as, if it joined this workshop."""
    token = request.cookies.get(cookie_name(code))
    if not token:
        return None
    participant = participants.participant_for_token(db, token)
    if participant is None or participant.workshop_id != workshop_id:
        return None
    return participant


def participant_for_code(request: Request, db: Database, code: str) -> Participant | None:
    """The participant this phone joined as, for a workshop's code as it stands in an address."""
    normalized = codes.normalize_code(code)
    if normalized is None:
        return None
    token = request.cookies.get(cookie_name(normalized))
    return participants.participant_of_workshop(db, token, normalized) if token else None


def forget(response: Response, request: Request, code: str) -> None:
    response.delete_cookie(
        cookie_name(code), httponly=True, samesite="lax", secure=request.url.scheme == "https", path="/"
    )
