"""The carry-over page (`/studies/{id}/carry`): a new workshop of the study that starts from the
vision statements and milestones of another one, chosen item by item. The study page's own form
carries all of them; this page is for picking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from backcast import i18n
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.http.numbers import whole_numbers
from backcast.http.problems import status_of
from backcast.models import Facilitator
from backcast.services import carrying, studies
from backcast.services.errors import ServiceError
from backcast.services.study_access import clean_details
from backcast.web.deps import console_facilitator, get_templates

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    study_id: int,
    source: str,
    values: dict[str, Any],
    error: ServiceError | None = None,
) -> Response:
    view = studies.study_view(db, facilitator, study_id)  # not a member: refused as a whole page
    offered = None
    if source:
        try:
            offered = carrying.offer(db, facilitator, study_id, source)
        except ServiceError as refused:
            error = error or refused
    context = {
        "facilitator": facilitator,
        "view": view,
        "study": view.study,
        "source": source,
        "offered": offered,
        "values": values,
        "error": i18n.gettext(error.message, **error.params) if error else None,
        "error_field": error.field if error else None,
    }
    status = status_of(error) if error else 200
    return get_templates(request).TemplateResponse(request, "studies/carry.html", context, status_code=status)


@router.get("/studies/{study_id}/carry")
def carry_page(
    study_id: int,
    request: Request,
    source: str = Query("", alias="from", max_length=40),
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return _page(request, db, facilitator, study_id, source, {})


@router.post("/studies/{study_id}/carry")
async def carry(
    study_id: int,
    request: Request,
    source: Annotated[str, Form(alias="from", max_length=40)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    language: Annotated[str, Form(max_length=8)] = "de",
    region: Annotated[str, Form(max_length=1000)] = "",
    sector: Annotated[str, Form(max_length=1000)] = "",
    held_on: Annotated[str, Form(max_length=40)] = "",
    venue: Annotated[str, Form(max_length=1000)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    form = await request.form()
    ticked = [value for value in form.getlist("items") if isinstance(value, str)]
    values: dict[str, Any] = {
        "title": title,
        "language": language,
        "region": region,
        "sector": sector,
        "held_on": held_on,
        "venue": venue,
        "items": ticked,
    }
    try:
        carrying.require_facilitator(db, facilitator, study_id)
        workshop = studies.create_workshop_in_study(
            db,
            facilitator,
            study_id,
            title=title,
            language=language,
            details=clean_details(region, sector, held_on, venue),
            carry=carrying.clean_request(source, whole_numbers(ticked)),
        )
    except ServiceError as error:
        return _page(request, db, facilitator, study_id, source, values, error)
    return RedirectResponse(f"/facilitate/{workshop.code}", status_code=303)
