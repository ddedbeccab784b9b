"""The projector screen (`/w/{code}/screen`): no login, only what every participant may see."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from backcast.db import Database
from backcast.http.deps import get_db
from backcast.http.limits import guard_code
from backcast.live.stream import EventStream
from backcast.live.views import Listener
from backcast.models import Workshop
from backcast.queries.screen import screen_view
from backcast.services import workshops
from backcast.web.deps import get_templates
from backcast.web.live_stream import listening, live_stream
from backcast.web.locale import use_room_language
from backcast.web.screen_live import screen_context

router = APIRouter(include_in_schema=False)


def screen_workshop(code: str, request: Request, db: Database = Depends(get_db)) -> Workshop:
    """Anyone with the code may watch, so unknown codes count against the client's limit."""

    return guard_code(request, lambda: workshops.workshop_by_code(db, code))


@router.get("/w/{code}/screen")
def screen_page(
    request: Request, workshop: Workshop = Depends(screen_workshop), db: Database = Depends(get_db)
) -> Response:
    if request.path_params["code"] != workshop.code:
        return RedirectResponse(f"/w/{workshop.code}/screen", status_code=303)
    assert workshop.id is not None
    # Here, not in the dependency: a context variable set in a dependency's thread stays there.
    use_room_language(request, workshop.language)
    context = screen_context(request.app.state.settings, screen_view(db, workshop.id))
    return get_templates(request).TemplateResponse(request, "screen/page.html", context)


async def screen_listener(
    request: Request, workshop: Workshop = Depends(screen_workshop)
) -> AsyncIterator[Listener]:
    assert workshop.id is not None
    language = use_room_language(request, workshop.language)
    async with listening(request, request.app.state.screen_live, workshop.id, language) as listener:
        yield listener


@router.get("/w/{code}/screen/live", response_class=EventStream)
async def screen_live(listener: Listener = Depends(screen_listener)) -> EventStream:
    return live_stream(listener)
