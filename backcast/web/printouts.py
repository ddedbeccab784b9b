"""Printable pages for the room (`/facilitate/{code}/print`): the join sheet with its QR code, the
data-protection notice, and paper cards and a rating form for someone without a phone or without
consent. One A4 page each, for the browser to print; only the workshop's owners get them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from backcast.db import Database
from backcast.http.deps import get_db
from backcast.models import Workshop
from backcast.network import join_url, public_base_url
from backcast.queries.phone import rated_items
from backcast.services import workshops
from backcast.web.deps import get_templates, viewable
from backcast.web.labels import KIND_NAMES, PARENT_QUESTIONS
from backcast.web.locale import use_room_language
from backcast.web.qr import qr_svg

router = APIRouter(include_in_schema=False)

# Blank rows on the rating form: for measures written on paper, or before any are up for rating.
BLANK_ROWS = 3


@router.get("/facilitate/{code}/print")
def printouts(
    request: Request, workshop: Workshop = Depends(viewable), db: Database = Depends(get_db)
) -> Response:
    use_room_language(request, workshop.language)
    _, criteria, groups, _ = workshops.workshop_details(db, workshop.code)
    with db.read() as session:
        up_for_rating = rated_items(session, workshop)
    settings = request.app.state.settings
    url = join_url(settings, workshop.code)
    context = {
        "workshop": workshop,
        "criteria": criteria,
        "groups": groups,
        "measures": up_for_rating,
        "blank_rows": BLANK_ROWS,
        "join_url": url,
        "join_page": f"{public_base_url(settings)}/join",
        "qr": qr_svg(url, title=workshop.code),
        "kind_names": KIND_NAMES,
        "parent_questions": PARENT_QUESTIONS,
    }
    return get_templates(request).TemplateResponse(request, "print/page.html", context)
