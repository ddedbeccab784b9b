"""The console's live parts, rendered once per change for every owner watching."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.templating import Jinja2Templates

from backcast import i18n
from backcast.db import Database
from backcast.live.views import Message
from backcast.models import EventRecord
from backcast.queries.console import console_view

CONSOLE = "console"


class ConsoleLive:
    name = CONSOLE

    def __init__(self, db: Database, templates: Jinja2Templates) -> None:
        self.db = db
        self.templates = templates

    def messages(self, workshop_id: int, events: Sequence[EventRecord], language: str) -> list[Message]:
        token = i18n.current_language.set(language)
        try:
            view = console_view(self.db, workshop_id)
            context = {"view": view, "workshop": view.workshop}
            return [
                Message("counters", self.templates.get_template("console/_counters.html").render(context)),
                Message("items", self.templates.get_template("console/_items.html").render(context)),
                Message(
                    "candidates", self.templates.get_template("console/_candidates.html").render(context)
                ),
                Message("tables", self.templates.get_template("console/_tables.html").render(context)),
            ]
        finally:
            i18n.current_language.reset(token)
