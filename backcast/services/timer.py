"""The workshop's timer: start, pause, add a minute, clear. Screens and phones count down themselves."""

from __future__ import annotations

from datetime import timedelta

from backcast.db import Database
from backcast.events import TimerSet
from backcast.i18n import N_
from backcast.models import Facilitator, Workshop, utcnow
from backcast.services import validate
from backcast.services.errors import Invalid
from backcast.services.eventlog import record
from backcast.services.workshops import lock_owned

MAX_SECONDS = 4 * 3600
ACTIONS = ("start", "pause", "resume", "add_minute", "clear")


def seconds_left(workshop: Workshop) -> int | None:
    if workshop.timer_ends_at is not None:
        return max(0, round((workshop.timer_ends_at - utcnow()).total_seconds()))
    return workshop.timer_paused_seconds


def set_timer(
    db: Database, facilitator: Facilitator, code: str, action: str, seconds: object = None
) -> Workshop:
    """`start` runs it for `seconds`; `pause` keeps what is left; `resume` runs it again;
    `add_minute` adds 60 seconds, running or paused; `clear` removes it."""
    if action not in ACTIONS:
        raise Invalid(N_("Choose one of: %(options)s."), field="action", options=", ".join(ACTIONS))
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        left = seconds_left(workshop)
        if action == "start":
            duration = validate.integer(seconds, "seconds", minimum=1, maximum=MAX_SECONDS)
            workshop.timer_ends_at, workshop.timer_paused_seconds = (
                utcnow() + timedelta(seconds=duration),
                None,
            )
        elif action == "pause":
            if workshop.timer_ends_at is None:
                raise Invalid(N_("The timer is not running."), field="action")
            workshop.timer_ends_at, workshop.timer_paused_seconds = None, left
        elif action == "resume":
            if workshop.timer_paused_seconds is None:
                raise Invalid(N_("The timer is not paused."), field="action")
            resumed = utcnow() + timedelta(seconds=workshop.timer_paused_seconds)
            workshop.timer_ends_at, workshop.timer_paused_seconds = resumed, None
        elif action == "add_minute":
            if workshop.timer_ends_at is not None:
                workshop.timer_ends_at = max(workshop.timer_ends_at, utcnow()) + timedelta(seconds=60)
            elif workshop.timer_paused_seconds is not None:
                workshop.timer_paused_seconds = min(workshop.timer_paused_seconds + 60, MAX_SECONDS)
            else:
                raise Invalid(N_("Start the timer first."), field="action")
        else:
            workshop.timer_ends_at, workshop.timer_paused_seconds = None, None
        ends = workshop.timer_ends_at.isoformat() if workshop.timer_ends_at else None
        record(
            tx,
            workshop,
            TimerSet(action=action, ends_at=ends, paused_seconds=workshop.timer_paused_seconds),
            facilitator,
        )
        return workshop
