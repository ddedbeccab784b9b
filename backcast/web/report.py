"""The printable report (`/facilitate/{code}/report`): one page for the browser to print or save
as PDF. Only the workshop's owners get it, as with the console."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from backcast.db import Database
from backcast.http.deps import get_db
from backcast.models import Workshop
from backcast.queries.report import report_view
from backcast.web.deps import get_templates, viewable
from backcast.web.locale import use_room_language

router = APIRouter(include_in_schema=False)


@router.get("/facilitate/{code}/report")
def report(
    request: Request, workshop: Workshop = Depends(viewable), db: Database = Depends(get_db)
) -> Response:
    """In the page's language, a handout for the room; with `?both=1` the headings and built-in
    labels carry the other of German and English beside them, for partners reading either."""
    assert workshop.id is not None
    use_room_language(request, workshop.language)
    both = request.query_params.get("both") == "1"
    context = {"view": report_view(db, workshop.id), "workshop": workshop, "bilingual": both}
    return get_templates(request).TemplateResponse(request, "report/page.html", context)
