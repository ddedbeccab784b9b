"""The facilitator's home: their workshops, and creating one."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from backcast import i18n
from backcast.db import Database
from backcast.http.deps import get_db, session_facilitator
from backcast.http.numbers import whole_number
from backcast.models import Facilitator
from backcast.services import templates, workshops
from backcast.services.errors import ServiceError
from backcast.web.deps import get_templates, login_url
from backcast.workshop_templates import DEFAULT

router = APIRouter(include_in_schema=False)


def _home(
    request: Request, db: Database, facilitator: Facilitator, values: dict[str, Any], error: str | None = None
) -> Response:
    context = {
        "facilitator": facilitator,
        "workshops": workshops.workshops_of(db, facilitator),
        "templates": templates.templates_for(db, facilitator),
        "values": values,
        "error": error,
        "this_year": date.today().year,
    }
    return get_templates(request).TemplateResponse(
        request, "home.html", context, status_code=422 if error else 200
    )


@router.get("/")
def home(
    request: Request, template: str = Query("", max_length=60), db: Database = Depends(get_db)
) -> Response:
    facilitator = session_facilitator(request)
    if facilitator is None:
        return RedirectResponse(login_url("/"), status_code=303)
    return _home(request, db, facilitator, {"template": template} if template else {})


@router.post("/")
def create(
    request: Request,
    title: Annotated[str, Form(max_length=1000)] = "",
    template: Annotated[str, Form(max_length=100)] = "",
    question: Annotated[str, Form(max_length=5000)] = "",
    present_year: Annotated[str, Form(max_length=10)] = "",
    vision_year: Annotated[str, Form(max_length=10)] = "",
    dot_budget: Annotated[str, Form(max_length=10)] = "",
    language: Annotated[str, Form(max_length=8)] = "de",
    names: Annotated[str, Form(max_length=10)] = "",
    consent_text: Annotated[str, Form(max_length=20000)] = "",
    db: Database = Depends(get_db),
) -> Response:
    facilitator = session_facilitator(request)
    if facilitator is None:
        return RedirectResponse(login_url("/"), status_code=303)
    values = {
        "title": title,
        "template": template,
        "question": question,
        "present_year": present_year,
        "vision_year": vision_year,
        "dot_budget": dot_budget,
        "language": language,
        "names": names,
        "consent_text": consent_text,
    }
    try:
        workshop = workshops.create_workshop(
            db,
            facilitator,
            title=title,
            template=templates.find_template(db, facilitator, template or DEFAULT),
            language=language,
            # What is left empty comes from the template.
            question=question or None,
            present_year=whole_number(present_year),
            vision_year=whole_number(vision_year),
            dot_budget=whole_number(dot_budget),
            names=names or None,
            consent_text=consent_text or None,
        )
    except ServiceError as error:
        return _home(request, db, facilitator, values, i18n.gettext(error.message, **error.params))
    return RedirectResponse(f"/facilitate/{workshop.code}", status_code=303)
