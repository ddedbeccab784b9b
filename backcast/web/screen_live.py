"""The projector's live view: the whole screen body, rendered once per change for every screen."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.templating import Jinja2Templates

from backcast import i18n
from backcast.db import Database
from backcast.live.views import Message
from backcast.models import EventRecord
from backcast.network import join_url, public_base_url
from backcast.queries.screen import ScreenView, screen_view
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
