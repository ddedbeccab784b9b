"""What phones receive live: the shared status line, rendered once per change for all of them."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from fastapi.templating import Jinja2Templates

from backcast import events, i18n
from backcast.db import Database
from backcast.live.views import Message
from backcast.models import EventRecord, Workshop

PHONE = "phone"


class OnPhones(Enum):
    """What an event does to the phones of a workshop."""

    # A different screen: the phone fetches its own view again.
    VIEW = "view"
    # The shared status line changes (the timer); it is rendered once for every phone.
    STATUS = "status"
    # What a phone lists may change (its own items, the items to rate or to link to).
    ITEMS = "items"
    # As ITEMS, but only for an item a facilitator added.
    ITEMS_BY_FACILITATOR = "items-by-facilitator"
    # Who sits where changed: the phones concerned fetch their view, and their streams end so that
    # each reconnects to its own table's channel.
    SEATING = "seating"
    # As ITEMS, but only for the phones at the table the item was added at (and a facilitator's
    # item for all).
    ITEMS_AT_TABLE = "items-at-table"
    # Nothing a phone shows: screens and consoles follow it, or it concerns an account.
    NOTHING = "nothing"


# Every event type, classified: a test checks none is missing, so a new one cannot be forgotten.
ON_PHONES: dict[type[events.Event], OnPhones] = {
    events.PhaseChanged: OnPhones.VIEW,
    events.InputOpened: OnPhones.VIEW,
    events.InputClosed: OnPhones.VIEW,
    events.ResultsShown: OnPhones.VIEW,
    events.ResultsHidden: OnPhones.VIEW,
    events.TimerSet: OnPhones.STATUS,
    events.ItemHidden: OnPhones.ITEMS,
    events.ItemUnhidden: OnPhones.ITEMS,
    events.ItemMerged: OnPhones.ITEMS,
    events.ItemEdited: OnPhones.ITEMS,
    events.ItemWithdrawn: OnPhones.ITEMS,
    events.ItemAdded: OnPhones.ITEMS_AT_TABLE,
    events.WorkshopCreated: OnPhones.NOTHING,
    events.WorkshopConfigured: OnPhones.NOTHING,
    events.OwnerAdded: OnPhones.NOTHING,
    events.OwnerRemoved: OnPhones.NOTHING,
    events.RoomLocked: OnPhones.NOTHING,
    events.ParticipantJoined: OnPhones.NOTHING,
    events.ParticipantGroupSet: OnPhones.NOTHING,
    events.ParticipantDeleted: OnPhones.NOTHING,
    events.EntryErased: OnPhones.NOTHING,
    events.ParticipantsAnonymised: OnPhones.NOTHING,
    events.ItemLinksSet: OnPhones.NOTHING,
    events.ItemRated: OnPhones.NOTHING,
    events.DotsSet: OnPhones.NOTHING,
    events.ItemAdopted: OnPhones.NOTHING,
    events.AgendaEntryAdded: OnPhones.NOTHING,
    events.AgendaEntryUpdated: OnPhones.NOTHING,
    events.AgendaEntryRemoved: OnPhones.NOTHING,
    events.AgendaReordered: OnPhones.NOTHING,
    events.FacilitatorAdded: OnPhones.NOTHING,
    events.ApiTokenIssued: OnPhones.NOTHING,
    events.ApiTokenRevoked: OnPhones.NOTHING,
    events.PasswordChanged: OnPhones.NOTHING,
    events.SessionsEnded: OnPhones.NOTHING,
    events.WorkshopDeleted: OnPhones.NOTHING,
    events.TemplateSaved: OnPhones.NOTHING,
    events.TemplateDeleted: OnPhones.NOTHING,
    events.StudyCreated: OnPhones.NOTHING,
    events.StudyEdited: OnPhones.NOTHING,
    events.StudyDeleted: OnPhones.NOTHING,
    events.StudyThemeAdded: OnPhones.NOTHING,
    events.StudyMemberAdded: OnPhones.NOTHING,
    events.StudyMemberRemoved: OnPhones.NOTHING,
    events.WorkshopAttached: OnPhones.NOTHING,
    events.WorkshopDetached: OnPhones.NOTHING,
    events.StudyDetailsSet: OnPhones.NOTHING,
    events.ItemCoded: OnPhones.NOTHING,
    events.BreakoutStarted: OnPhones.SEATING,
    events.BreakoutEnded: OnPhones.SEATING,
    events.ParticipantSeated: OnPhones.SEATING,
}
_BY_TYPE = {cls.type: effect for cls, effect in ON_PHONES.items()}


def on_phones(event: EventRecord, table_id: int | None = None) -> OnPhones:
    """What the event does to the phones at `table_id` (None: those not at a table)."""
    effect = _BY_TYPE.get(event.type, OnPhones.NOTHING)
    if effect is OnPhones.ITEMS_BY_FACILITATOR:
        return OnPhones.ITEMS if event.data.get("by_facilitator") else OnPhones.NOTHING
    if effect is OnPhones.ITEMS_AT_TABLE:
        if event.data.get("by_facilitator"):
            return OnPhones.ITEMS
        at = event.data.get("table_id")
        return OnPhones.ITEMS if at is not None and at == table_id else OnPhones.NOTHING
    if effect is OnPhones.SEATING and event.type == events.ParticipantSeated.type:
        # Only the stream the participant was on: their old table's, or the plenary's.
        return OnPhones.SEATING if event.data.get("previous_table_id") == table_id else OnPhones.NOTHING
    return effect


class PhoneLive:
    """The phones of a workshop, or of one breakout table (`table_id`): each table's phones are a
    view of their own, so a table hears of its own contributions and never of another's."""

    def __init__(self, db: Database, templates: Jinja2Templates, table_id: int | None = None) -> None:
        self.db = db
        self.templates = templates
        self.table_id = table_id
        self.name = PHONE if table_id is None else f"{PHONE}-table-{table_id}"
        self._tables: dict[int, PhoneLive] = {}

    def at_table(self, table_id: int | None) -> PhoneLive:
        if table_id is None or self.table_id is not None:
            return self
        if table_id not in self._tables:
            self._tables[table_id] = PhoneLive(self.db, self.templates, table_id)
        return self._tables[table_id]

    def messages(self, workshop_id: int, events: Sequence[EventRecord], language: str) -> list[Message]:
        effects = {on_phones(event, self.table_id) for event in events}
        if OnPhones.SEATING in effects:
            # The phone fetches its view and its stream ends: it comes back on its table's.
            return [Message("phase", "seating", ends=True)]
        found: list[Message] = []
        if OnPhones.VIEW in effects:
            # No status here: the phone fetches heading and body together (phone.js), so a fetch
            # that fails cannot leave the new heading over the old body.
            phase = next((e.data["phase"] for e in reversed(events) if "phase" in e.data), "changed")
            found.append(Message("phase", phase))
        elif OnPhones.STATUS in effects:
            found.append(Message("status", self.render_status(workshop_id, language)))
        if OnPhones.VIEW not in effects and OnPhones.ITEMS in effects:
            found.append(Message("refresh", "items"))
        return found

    def render_status(self, workshop_id: int, language: str) -> str:
        with self.db.read() as session:
            workshop = session.get(Workshop, workshop_id)
        token = i18n.current_language.set(language)
        try:
            return self.templates.get_template("phone/_status.html").render(workshop=workshop)
        finally:
            i18n.current_language.reset(token)
