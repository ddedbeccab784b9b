"""Joining a workshop, and knowing a participant again by their token."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from backcast import credentials
from backcast.db import Database
from backcast.enums import NamesMode
from backcast.events import (
    DotsSet,
    EntryErased,
    ItemRated,
    ParticipantDeleted,
    ParticipantGroupSet,
    ParticipantJoined,
    ParticipantsAnonymised,
    ParticipantSeated,
)
from backcast.i18n import N_
from backcast.models import (
    Dots,
    EventRecord,
    Facilitator,
    Item,
    Participant,
    Rating,
    StakeholderGroup,
    Workshop,
    utcnow,
)
from backcast.models import limits as L
from backcast.services import codes, tables, token_cache, validate, workshops
from backcast.services.errors import Conflict, Invalid, NotFound
from backcast.services.eventlog import actor_label, lock_workshop, record


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
    _check_group(group)
    if not isinstance(consent, bool):
        raise Invalid(N_("This must be true or false."), field="consent")
    token = credentials.new_token("bcp")

    with db.write() as tx:
        workshop = lock_workshop(tx, code=normalized)
        assert workshop.id is not None
        if workshop.joins_locked:
            raise Conflict(N_("This workshop takes no new participants right now."))
        if workshop.names == NamesMode.off:
            cleaned_name = ""  # the workshop promised anonymity: a name sent anyway is not kept
        elif workshop.names == NamesMode.required and not cleaned_name:
            raise Conflict(N_("Please enter your name."), field="name")
        group_row = _group_row(tx.session, workshop, group)
        # Consent to research use is asked, never required: taking part must not cost it
        # (GDPR Art. 7(4)). Someone who declines takes part fully; the exports leave them out.
        asks_consent = bool(workshop.consent_text)
        participant = Participant(
            workshop_id=workshop.id,
            token_hash=credentials.hash_token(token),
            name=cleaned_name or None,
            group_id=group_row.id if group_row else None,
            consent_version=workshop.consent_version if asks_consent else None,
            consent_text=workshop.consent_text if asks_consent else None,
            consented_at=utcnow() if asks_consent and consent else None,
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
                consented=participant.consented_at is not None,
            ),
            participant,
        )
        tables.seat_late_joiner(tx, workshop, participant)
    return Joined(participant, token, normalized)


def _check_group(group: object) -> None:
    if group is not None and not isinstance(group, str):
        raise Invalid(N_("This must be text."), field="group")
    if group and not validate.storable(group):
        raise Invalid(N_("Choose one of the workshop's groups."), field="group")


def _group_row(session: Session, workshop: Workshop, group: str | None) -> StakeholderGroup | None:
    if not group:
        return None
    found = session.exec(
        select(StakeholderGroup).where(
            StakeholderGroup.workshop_id == workshop.id, StakeholderGroup.key == group
        )
    ).first()
    if found is None:
        raise Conflict(N_("Choose one of the workshop's groups."), field="group")
    return found


def has_answered(session: Session, participant_id: int) -> bool:
    """Whether the participant has rated or placed a dot: from then on their group stays, so that
    no answer moves from one group's figures to another's."""
    rated = session.exec(
        select(Rating.item_id).where(Rating.participant_id == participant_id).limit(1)
    ).first()
    if rated is not None:
        return True
    return (
        session.exec(select(Dots.item_id).where(Dots.participant_id == participant_id).limit(1)).first()
        is not None
    )


def set_own_group(db: Database, participant: Participant, group: str | None) -> StakeholderGroup | None:
    """A participant chooses, changes or clears (None, "") their stakeholder group after joining;
    refused once they have rated or placed a dot. Returns the group now theirs."""
    _check_group(group)
    with db.write() as tx:
        workshop = lock_workshop(tx, workshop_id=participant.workshop_id)
        own = participant_in(tx.session, workshop, participant.id)
        assert own.id is not None
        group_row = _group_row(tx.session, workshop, group)
        new_id = group_row.id if group_row else None
        if new_id == own.group_id:
            return group_row  # a second tap on "Save" changes nothing and logs nothing
        if has_answered(tx.session, own.id):
            raise Conflict(
                N_("Your group can no longer change: your answers already count for it."), field="group"
            )
        own.group_id = new_id
        token_hash = own.token_hash
        tx.session.add(own)
        record(
            tx,
            workshop,
            ParticipantGroupSet(participant_id=own.id, group=group_row.key if group_row else None),
            own,
        )
    # This process's remembered participant carries the old group; others look it up afresh soon.
    token_cache.cache_of(db).forget(token_hash)
    return group_row


def in_research(workshop: Workshop, participant: Participant) -> bool:
    """Whether the participant's data may go into research exports: they agreed to the consent
    text they were shown, or they joined while the workshop asked for no consent and it asks none
    now. Someone who joined before a consent text was set was never asked, so is left out."""
    if participant.consented_at is not None:
        return True
    return participant.consent_version is None and not workshop.consent_text


def remembered_participant(db: Database, token: str) -> Participant | None:
    """The participant whose token this is, if it was looked up a moment ago; no database read."""
    if not isinstance(token, str) or not token:
        return None
    known = token_cache.cache_of(db).get(credentials.hash_token(token))
    return known[0] if known is not None else None


def participant_for_token(db: Database, token: str) -> Participant | None:
    """The participant whose token this is; looked up again after a few seconds (`token_cache`)."""
    known = _known(db, token)
    return known[0] if known is not None else None


def participant_of_workshop(db: Database, token: str, code: str) -> Participant | None:
    """The participant with this token, if they joined the workshop with this (canonical) code."""
    known = _known(db, token)
    return known[0] if known is not None and known[1] == code else None


def _known(db: Database, token: str) -> token_cache.Known | None:
    if not isinstance(token, str) or not token:
        return None
    token_hash = credentials.hash_token(token)
    cache = token_cache.cache_of(db)
    known = cache.get(token_hash)
    if known is None:
        with db.read() as session:
            row = session.exec(
                select(Participant, Workshop.code)
                .join(Workshop, col(Workshop.id) == col(Participant.workshop_id))
                .where(Participant.token_hash == token_hash)
            ).first()
        if row is None:
            return None
        known = (row[0], row[1])
        cache.put(token_hash, known)
    return known


# --- deleting and forgetting ---------------------------------------------------------------------

# The actor of log entries whose participant was deleted: the entry stays, who it was does not.
ERASED_ACTOR = "erased"
# Entries that are the participant's own data rather than the room's work.
_OWN_ENTRIES = frozenset(
    cls.type for cls in (ParticipantJoined, ParticipantGroupSet, ParticipantSeated, ItemRated, DotsSet)
)
# A stored token hash is 64 hex digits; this prefix can never be one, so no token matches it.
_NO_TOKEN = "erased-"


def participant_in(session: Session, workshop: Workshop, participant_id: object) -> Participant:
    found = (
        session.exec(
            select(Participant).where(
                Participant.workshop_id == workshop.id, Participant.id == participant_id
            )
        ).first()
        if validate.is_id(participant_id)
        else None
    )
    if found is None:
        raise NotFound(N_("There is no such participant in this workshop."), field="participant_id")
    return found


def delete_participants(db: Database, facilitator: Facilitator, code: str, participant_ids: list[int]) -> int:
    """Deletes several participants' data in one transaction (a burst of identities made to stuff
    the votes), each leaving its own event; returns how many were deleted."""
    with db.write() as tx:
        workshop = workshops.lock_owned(tx, facilitator, code)
        for participant_id in participant_ids:
            participant = participant_in(tx.session, workshop, participant_id)
            _erase(tx.session, workshop, participant, lambda event: record(tx, workshop, event, facilitator))
    token_cache.cache_of(db).clear()
    return len(participant_ids)


def delete_participant(db: Database, facilitator: Facilitator, code: str, participant_id: int) -> int:
    """Deletes one participant's data at the facilitator's request; returns how many of their
    contributions stay, without an author."""
    with db.write() as tx:
        workshop = workshops.lock_owned(tx, facilitator, code)
        participant = participant_in(tx.session, workshop, participant_id)
        kept = _erase(
            tx.session, workshop, participant, lambda event: record(tx, workshop, event, facilitator)
        )
    token_cache.cache_of(db).clear()
    return kept


def delete_own_data(db: Database, participant: Participant) -> int:
    """A participant deletes their own data from their phone; the same as the facilitator's delete."""
    with db.write() as tx:
        workshop = lock_workshop(tx, workshop_id=participant.workshop_id)
        own = participant_in(tx.session, workshop, participant.id)

        def log(event: ParticipantDeleted) -> None:
            record(tx, workshop, event, None, label=ERASED_ACTOR)

        kept = _erase(tx.session, workshop, own, log)
    token_cache.cache_of(db).clear()
    return kept


def _erase(
    session: Session,
    workshop: Workshop,
    participant: Participant,
    log: Callable[[ParticipantDeleted], object],
) -> int:
    """Removes the participant and what is theirs: name, token, consent, group, ratings and dots
    (the last two by the database's cascade). Their items stay as the room's work: others rated,
    linked and merged them, and the results rest on them; only the author link goes. In the event
    log their joining, ratings and dots are erased in place (the numbering stays gap-free), and the
    other entries they caused (items added, edited, withdrawn) keep their content, not their actor."""
    assert participant.id is not None and workshop.id is not None
    label = actor_label(participant)
    for entry in session.exec(
        select(EventRecord).where(EventRecord.workshop_id == workshop.id, EventRecord.actor == label)
    ):
        entry.actor = ERASED_ACTOR
        if entry.type in _OWN_ENTRIES:
            entry.data = EntryErased(was=entry.type).model_dump(mode="json")
            entry.type = EntryErased.type
        elif entry.data.get("author_id") == participant.id:
            entry.data = {**entry.data, "author_id": None}
        session.add(entry)
    kept = session.exec(
        select(func.count())
        .select_from(Item)
        .where(Item.workshop_id == workshop.id, Item.author_id == participant.id)
    ).one()
    session.execute(
        update(Item)
        .where(col(Item.workshop_id) == workshop.id, col(Item.author_id) == participant.id)
        .values(author_id=None, client_key=None)
    )
    session.execute(delete(Participant).where(col(Participant.id) == participant.id))
    session.expunge(participant)
    log(ParticipantDeleted(participant_id=participant.id, items_kept=kept))
    return kept


def anonymise_closed_workshops(db: Database, days: int, now: datetime | None = None) -> dict[str, int]:
    """Retention: in every workshop closed for at least `days` days, removes the participants'
    names and tokens. Closed means nothing has happened in it (no event) for that long. Consent,
    group, contributions, ratings and dots stay, so the research data stays whole. Returns how
    many participants changed, per workshop code; nothing when `days` is 0."""
    if days <= 0:
        return {}
    cutoff = (now or utcnow()) - timedelta(days=days)
    with db.read() as session:
        candidates = list(
            session.exec(
                select(Workshop.id)
                .where(Workshop.updated_at < cutoff)
                .where(
                    select(Participant.id)
                    .where(
                        Participant.workshop_id == Workshop.id,
                        (col(Participant.name).is_not(None))
                        | ~col(Participant.token_hash).startswith(_NO_TOKEN),
                    )
                    .exists()
                )
                .order_by(col(Workshop.id))
            )
        )
    changed: dict[str, int] = {}
    for workshop_id in candidates:
        # One workshop per transaction: a long run never holds the write lock for long.
        with db.write() as tx:
            workshop = lock_workshop(tx, workshop_id=workshop_id)
            if workshop.updated_at >= cutoff:
                continue  # it came back to life since the query
            people = list(
                tx.session.exec(
                    select(Participant).where(
                        Participant.workshop_id == workshop_id,
                        (col(Participant.name).is_not(None))
                        | ~col(Participant.token_hash).startswith(_NO_TOKEN),
                    )
                )
            )
            for person in people:
                person.name = None
                person.token_hash = _NO_TOKEN + secrets.token_hex(28)
                tx.session.add(person)
            record(tx, workshop, ParticipantsAnonymised(participants=len(people), days=days), None)
            changed[workshop.code] = len(people)
    if changed:
        token_cache.cache_of(db).clear()
    return changed
