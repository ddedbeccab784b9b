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
    events.ItemAdded: OnPhones.ITEMS_BY_FACILITATOR,
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
    events.AgendaStatusChanged: OnPhones.NOTHING,
    events.ActorAdded: OnPhones.NOTHING,
    events.ActorEdited: OnPhones.NOTHING,
    events.ActorsMerged: OnPhones.NOTHING,
    events.RolesSet: OnPhones.NOTHING,
    events.NeedClassified: OnPhones.ITEMS,
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
}
_BY_TYPE = {cls.type: effect for cls, effect in ON_PHONES.items()}


def on_phones(event: EventRecord) -> OnPhones:
    effect = _BY_TYPE.get(event.type, OnPhones.NOTHING)
    if effect is OnPhones.ITEMS_BY_FACILITATOR:
        return OnPhones.ITEMS if event.data.get("by_facilitator") else OnPhones.NOTHING
    return effect


class PhoneLive:
    name = PHONE

    def __init__(self, db: Database, templates: Jinja2Templates) -> None:
        self.db = db
        self.templates = templates

    def messages(self, workshop_id: int, events: Sequence[EventRecord], language: str) -> list[Message]:
        effects = {on_phones(event) for event in events}
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
