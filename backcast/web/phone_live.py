"""What phones receive live: the shared status line, rendered once per change for all of them."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.templating import Jinja2Templates

from backcast import i18n
from backcast.db import Database
from backcast.live.views import Message
from backcast.models import EventRecord, Workshop

PHONE = "phone"

# Events after which a phone shows a different screen: it fetches its own view again.
PHASE_EVENTS = frozenset({"phase-changed", "input-opened", "input-closed", "results-shown", "results-hidden"})
# Moderation that may change what a phone lists (its own items, the items to rate or to link to).
REFRESH_EVENTS = frozenset({"item-hidden", "item-unhidden", "item-merged", "item-edited", "item-withdrawn"})


class PhoneLive:
    name = PHONE

    def __init__(self, db: Database, templates: Jinja2Templates) -> None:
        self.db = db
        self.templates = templates

    def messages(self, workshop_id: int, events: Sequence[EventRecord], language: str) -> list[Message]:
        types = {event.type for event in events}
        facilitator_added = any(e.type == "item-added" and e.data.get("by_facilitator") for e in events)
        found: list[Message] = []
        if types & PHASE_EVENTS:
            # No status here: the phone fetches heading and body together (phone.js), so a fetch
            # that fails cannot leave the new heading over the old body.
            phase = next((e.data["phase"] for e in reversed(events) if "phase" in e.data), "changed")
            found.append(Message("phase", phase))
        elif "timer-set" in types:
            found.append(Message("status", self.render_status(workshop_id, language)))
        if not types & PHASE_EVENTS and (types & REFRESH_EVENTS or facilitator_added):
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
