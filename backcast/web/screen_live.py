"""The projector's live view: the whole screen body, rendered once per change for every screen."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.templating import Jinja2Templates

from backcast import events as catalogue
from backcast import i18n
from backcast.db import Database
from backcast.live.views import Message
from backcast.models import EventRecord
from backcast.network import join_url, public_base_url
from backcast.queries.screen import ScreenView, screen_view
from backcast.queries.tables import TableScreen, table_screen
from backcast.settings import Settings
from backcast.web.qr import qr_svg

SCREEN = "screen"


class ScreenLive:
    name = SCREEN

    def __init__(self, db: Database, templates: Jinja2Templates, settings: Settings) -> None:
        self.db = db
        self.templates = templates
        self.settings = settings

    def messages(self, workshop_id: int, events: Sequence[EventRecord], language: str) -> list[Message]:
        return [Message("screen", self.render(workshop_id, language))]

    def render(self, workshop_id: int, language: str) -> str:
        token = i18n.current_language.set(language)
        try:
            view = screen_view(self.db, workshop_id)
            return self.templates.get_template("screen/_body.html").render(
                screen_context(self.settings, view)
            )
        finally:
            i18n.current_language.reset(token)


def screen_context(settings: Settings, view: ScreenView) -> dict[str, object]:
    workshop = view.workshop
    url = join_url(settings, workshop.code)
    return {
        "view": view,
        "workshop": workshop,
        "join_url": url,
        "join_short": public_base_url(settings).split("://", 1)[-1] + "/join",
        "qr": qr_svg(url, title=workshop.code),
    }


# Events that never change what a table's screen shows.
_NOT_ON_TABLE_SCREENS = frozenset(
    {
        catalogue.ItemRated.type,
        # A late joiner's seat comes as an event of its own.
        catalogue.ParticipantJoined.type,
        catalogue.DotsSet.type,
        catalogue.ParticipantGroupSet.type,
        catalogue.AgendaEntryAdded.type,
        catalogue.AgendaEntryUpdated.type,
        catalogue.AgendaEntryRemoved.type,
        catalogue.AgendaReordered.type,
        catalogue.ItemCoded.type,
    }
)


class TableScreenLive:
    """The screen of one breakout table (`/w/{code}/screen?table=N`), rendered once per change of
    that table for everyone watching it; another table's contributions do not wake it."""

    def __init__(self, db: Database, templates: Jinja2Templates, settings: Settings, number: int) -> None:
        self.db = db
        self.templates = templates
        self.settings = settings
        self.number = number
        self.name = f"{SCREEN}-table-{number}"

    def messages(self, workshop_id: int, events: Sequence[EventRecord], language: str) -> list[Message]:
        view = table_screen(self.db, workshop_id, self.number)
        mine = view.table.id if view.table else None

        def concerns(event: EventRecord) -> bool:
            if event.type in _NOT_ON_TABLE_SCREENS:
                return False
            if event.type == catalogue.ItemAdded.type:
                return event.data.get("table_id") == mine
            return True

        if not any(concerns(event) for event in events):
            return []
        return [Message("screen", self.render(view, language))]

    def render(self, view: TableScreen, language: str) -> str:
        token = i18n.current_language.set(language)
        try:
            return self.templates.get_template("screen/_table.html").render(
                table_context(self.settings, view)
            )
        finally:
            i18n.current_language.reset(token)


class TableScreens:
    """One live view per table number, made when a table's screen first connects."""

    def __init__(self, db: Database, templates: Jinja2Templates, settings: Settings) -> None:
        self.db = db
        self.templates = templates
        self.settings = settings
        self._views: dict[int, TableScreenLive] = {}

    def at(self, number: int) -> TableScreenLive:
        if number not in self._views:
            self._views[number] = TableScreenLive(self.db, self.templates, self.settings, number)
        return self._views[number]


def table_context(settings: Settings, view: TableScreen) -> dict[str, object]:
    workshop = view.workshop
    # The table's own join link: someone joining by it sits at this table where people choose.
    url = f"{join_url(settings, workshop.code)}?table={view.number}"
    return {
        "view": view,
        "workshop": workshop,
        "join_url": url,
        "join_short": public_base_url(settings).split("://", 1)[-1] + "/join",
        "qr": qr_svg(url, title=workshop.code),
    }
