"""Joining a workshop, and knowing a participant again by their token."""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import select

from backcast import credentials
from backcast.db import Database
from backcast.enums import NamesMode
from backcast.events import ParticipantJoined
from backcast.i18n import N_
from backcast.models import Participant, StakeholderGroup, Workshop, utcnow
from backcast.models import limits as L
from backcast.services import codes, validate
from backcast.services.errors import Invalid, NotFound
from backcast.services.eventlog import lock_workshop, record


class Joined(NamedTuple):
    participant: Participant
    token: str  # shown once; only its hash is stored
    code: str


def join_workshop(
    db: Database,
    code: str,
    *,
    name: str | None = None,
    group: str | None = None,
    consent: bool = False,
) -> Joined:
    """A new participant of the workshop, with their token."""
    normalized = codes.normalize_code(code) if isinstance(code, str) else None
    if normalized is None:
        raise NotFound(N_("There is no workshop with this code."), field="code")
    cleaned_name = validate.text(name, "name", max_length=L.NAME_MAX, required=False, multiline=False)
    if group is not None and not isinstance(group, str):
        raise Invalid(N_("This must be text."), field="group")
    if group and not validate.storable(group):
        raise Invalid(N_("Choose one of the workshop's groups."), field="group")
    if not isinstance(consent, bool):
        raise Invalid(N_("This must be true or false."), field="consent")
    token = credentials.new_token("bcp")

    with db.write() as tx:
        workshop = lock_workshop(tx, code=normalized)
        assert workshop.id is not None
        if workshop.names == NamesMode.off:
            cleaned_name = ""  # the workshop promised anonymity: a name sent anyway is not kept
        elif workshop.names == NamesMode.required and not cleaned_name:
            raise Invalid(N_("Please enter your name."), field="name")
        group_row = None
        if group:
            group_row = tx.session.exec(
                select(StakeholderGroup).where(
                    StakeholderGroup.workshop_id == workshop.id, StakeholderGroup.key == group
                )
            ).first()
            if group_row is None:
                raise Invalid(N_("Choose one of the workshop's groups."), field="group")
        asks_consent = bool(workshop.consent_text)
        if asks_consent and not consent:
            raise Invalid(N_("Please agree to the terms to take part."), field="consent")
        participant = Participant(
            workshop_id=workshop.id,
            token_hash=credentials.hash_token(token),
            name=cleaned_name or None,
            group_id=group_row.id if group_row else None,
            consent_version=workshop.consent_version if asks_consent else None,
            consent_text=workshop.consent_text if asks_consent else None,
            consented_at=utcnow() if asks_consent else None,
        )
        tx.session.add(participant)
        tx.session.flush()
        assert participant.id is not None
        record(
            tx,
            workshop,
            ParticipantJoined(
                participant_id=participant.id,
                group=group_row.key if group_row else None,
                named=participant.name is not None,
                consented=asks_consent,
            ),
            participant,
        )
    return Joined(participant, token, normalized)


def participant_for_token(db: Database, token: str) -> Participant | None:
    if not isinstance(token, str) or not token:
        return None
    with db.read() as session:
        return session.exec(
            select(Participant).where(Participant.token_hash == credentials.hash_token(token))
        ).first()


def participant_of_workshop(db: Database, token: str, code: str) -> Participant | None:
    """The participant with this token, if they joined the workshop with this (canonical) code."""
    if not isinstance(token, str) or not token:
        return None
    with db.read() as session:
        return session.exec(
            select(Participant)
            .join(Workshop, Workshop.id == Participant.workshop_id)  # type: ignore[arg-type]
            .where(Participant.token_hash == credentials.hash_token(token), Workshop.code == code)
        ).first()
