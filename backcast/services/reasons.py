"""Reasons (Delphi): from round 2 on, a participant whose answer lies outside the previous round's
IQR (or, as the workshop is set up, who changed their answer) is asked why. The room sees the
reasons without their authors; the facilitator moderates them like contributions."""

from __future__ import annotations

import statistics

from sqlmodel import col, select

from backcast.db import Database, Transaction
from backcast.enums import Phase, ReasonMode, ReasonTrigger
from backcast.events import ReasonModerated, ReasonStated
from backcast.i18n import N_
from backcast.models import Criterion, Facilitator, Participant, Rating, Reason, Workshop, utcnow
from backcast.models import limits as L
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid, NotFound, PhaseClosed
from backcast.services.eventlog import lock_workshop, record, require_participant
from backcast.services.ratings import round_closed
from backcast.services.workshops import lock_owned


def quartiles(values: list[int]) -> tuple[float, float] | None:
    """The first and third quartile by Hyndman & Fan's definition 7, as the results compute them
    (`analysis.stats`, a layer above this one); Python's "inclusive" method is that definition."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0]), float(values[0])
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


def asks_reason(
    workshop: Workshop,
    value: int | None,
    previous: int | None,
    answered_before: bool,
    spread: tuple[float, float] | None,
) -> bool:
    """Whether an answer of round 2 or later asks for a reason: outside the previous round's IQR of
    the room's values, or (as set up) any answer that differs from the participant's previous one."""
    if workshop.current_round < 2 or workshop.reason_mode == ReasonMode.off:
        return False
    if workshop.reason_trigger == ReasonTrigger.changed:
        return answered_before and value != previous
    return value is not None and spread is not None and not spread[0] <= value <= spread[1]


def _rating_state(
    tx: Transaction, workshop: Workshop, participant: Participant, item_id: int, criterion_id: int
) -> tuple[bool, int | None, int | None, bool, list[int]]:
    """(rated now, value now, previous value, answered before, the room's previous values)."""
    rows = tx.session.exec(
        select(Rating.participant_id, Rating.round, Rating.value).where(
            Rating.workshop_id == workshop.id,
            Rating.item_id == item_id,
            Rating.criterion_id == criterion_id,
            col(Rating.round).in_((workshop.current_round, workshop.current_round - 1)),
        )
    ).all()
    now = [value for who, round_, value in rows if who == participant.id and round_ == workshop.current_round]
    before = [
        value for who, round_, value in rows if who == participant.id and round_ < workshop.current_round
    ]
    room = sorted(value for _, round_, value in rows if round_ < workshop.current_round and value is not None)
    return bool(now), now[0] if now else None, before[0] if before else None, bool(before), room


def give_reason(
    db: Database, participant: Participant, item_id: int, criterion: str, text: object
) -> Reason | None:
    """Stores the participant's reason for their answer on one criterion in the current round;
    empty text takes it back where the workshop does not require one. Returns the reason kept."""
    if not validate.is_id(item_id):
        raise NotFound(N_("There is no such item."), field="item")
    with db.write() as tx:
        workshop = lock_workshop(tx, workshop_id=participant.workshop_id)
        require_participant(tx, participant)
        if workshop.phase != Phase.rating or not workshop.input_open or round_closed(workshop):
            raise PhaseClosed(N_("Rating is closed right now."))
        found = tx.session.exec(
            select(Criterion).where(Criterion.workshop_id == workshop.id, Criterion.key == criterion)
        ).first()
        if found is None or found.id is None:
            raise Conflict(N_("There is no criterion %(key)s."), field="criterion", key=str(criterion)[:40])
        rated, value, previous, answered, room = _rating_state(tx, workshop, participant, item_id, found.id)
        if not rated:
            raise Conflict(N_("Rate this first; then say why."), field="reason")
        if not asks_reason(workshop, value, previous, answered, quartiles(room)):
            raise Conflict(N_("This answer needs no reason."), field="reason")
        cleaned = validate.text(text, "reason", max_length=L.REASON_MAX, required=False)
        if not cleaned and workshop.reason_mode == ReasonMode.required:
            raise Invalid(N_("This workshop asks for a reason here: say in a few words why."), field="reason")
        assert participant.id is not None
        reason = tx.session.exec(
            select(Reason).where(
                Reason.participant_id == participant.id,
                Reason.item_id == item_id,
                Reason.criterion_id == found.id,
                Reason.round == workshop.current_round,
            )
        ).first()
        if (reason.text if reason else "") == cleaned:
            return reason
        if not cleaned:
            assert reason is not None
            tx.session.delete(reason)
            reason = None
        elif reason is None:
            reason = Reason(
                workshop_id=workshop.id or 0,
                participant_id=participant.id,
                item_id=item_id,
                criterion_id=found.id,
                round=workshop.current_round,
                text=cleaned,
            )
            tx.session.add(reason)
        else:
            reason.text, reason.updated_at = cleaned, utcnow()
            tx.session.add(reason)
        record(
            tx,
            workshop,
            ReasonStated(
                item_id=item_id,
                participant_id=participant.id,
                criterion=found.key,
                round=workshop.current_round,
                text=cleaned,
            ),
            participant,
        )
        return reason


def moderate_reason(
    db: Database,
    facilitator: Facilitator,
    code: str,
    reason_id: object,
    hidden: object = None,
    text: object = None,
) -> Reason:
    """Hides or shows a reason again, or edits its text, as with contributions."""
    if not validate.is_id(reason_id):
        raise NotFound(N_("There is no such reason."), field="reason")
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        reason = tx.session.get(Reason, reason_id)
        if reason is None or reason.workshop_id != workshop.id:
            raise NotFound(N_("There is no such reason."), field="reason")
        if hidden is not None:
            if not isinstance(hidden, bool):
                raise Invalid(N_("This must be true or false."), field="hidden")
            if reason.hidden != hidden:
                reason.hidden = hidden
                record(
                    tx,
                    workshop,
                    ReasonModerated(reason_id=reason_id, action="hide" if hidden else "show"),
                    facilitator,
                )
        if text is not None:
            cleaned = validate.text(text, "text", max_length=L.REASON_MAX)
            if cleaned != reason.text:
                reason.text = cleaned
                record(
                    tx,
                    workshop,
                    ReasonModerated(reason_id=reason_id, action="edit", text=cleaned),
                    facilitator,
                )
        reason.updated_at = utcnow()
        tx.session.add(reason)
        return reason
