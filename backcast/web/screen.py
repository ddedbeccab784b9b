"""The projector screen (`/w/{code}/screen`): no login, only what every participant may see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from backcast.db import Database
from backcast.http.deps import get_db
from backcast.http.limits import guard_code
from backcast.http.numbers import whole_number
from backcast.i18n import N_
from backcast.live.stream import EventStream
from backcast.live.views import Listener
from backcast.models import Workshop
from backcast.models.limits import TABLES_MAX
from backcast.queries.screen import screen_view
from backcast.queries.tables import table_screen
from backcast.services import workshops
from backcast.services.errors import NotFound
from backcast.web.deps import get_templates
from backcast.web.live_stream import listening, live_stream
from backcast.web.locale import use_room_language
from backcast.web.screen_live import screen_context, table_context

router = APIRouter(include_in_schema=False)


def screen_workshop(code: str, request: Request, db: Database = Depends(get_db)) -> Workshop:
    """Anyone with the code may watch, so unknown codes count against the client's limit."""

    return guard_code(request, lambda: workshops.workshop_by_code(db, code))


def table_number(table: Annotated[str, Query(max_length=10)] = "") -> int | None:
    """The table whose screen this is (`?table=N`), None for the projector's; a number no table can
    have is a page that does not exist."""
    if not table:
        return None
    number = whole_number(table)
    if not isinstance(number, int) or not 1 <= number <= TABLES_MAX:
        raise NotFound(N_("There is no such table."), field="table")
    return number


@router.get("/w/{code}/screen")
def screen_page(
    request: Request,
    workshop: Workshop = Depends(screen_workshop),
    number: int | None = Depends(table_number),
    db: Database = Depends(get_db),
) -> Response:
    if request.path_params["code"] != workshop.code:
        suffix = f"?table={number}" if number else ""
        return RedirectResponse(f"/w/{workshop.code}/screen{suffix}", status_code=303)
    assert workshop.id is not None
    # Here, not in the dependency: a context variable set in a dependency's thread stays there.
    use_room_language(request, workshop.language)
    settings = request.app.state.settings
    if number is not None:
        context = table_context(settings, table_screen(db, workshop.id, number))
        return get_templates(request).TemplateResponse(request, "screen/table.html", context)
    context = screen_context(settings, screen_view(db, workshop.id))
    return get_templates(request).TemplateResponse(request, "screen/page.html", context)


async def screen_listener(
    request: Request,
    workshop: Workshop = Depends(screen_workshop),
    number: int | None = Depends(table_number),
) -> AsyncIterator[Listener]:
    assert workshop.id is not None
    language = use_room_language(request, workshop.language)
    state = request.app.state
    view = state.screen_live if number is None else state.table_screens.at(number)
    async with listening(request, view, workshop.id, language) as listener:
        yield listener


@router.get("/w/{code}/screen/live", response_class=EventStream)
async def screen_live(listener: Listener = Depends(screen_listener)) -> EventStream:
    return live_stream(listener)
