"""The study pages (`/studies`, `/studies/{id}`): a facilitator's studies, creating one, and a
study's workshops, members and codebook. Every form returns to the page, or shows its refusal
there with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from backcast import i18n
from backcast.analysis.study import THEME_RULE, THEME_RULE_PARAMS
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.http.problems import status_of
from backcast.models import Facilitator
from backcast.queries.study import study_results
from backcast.services import carrying, studies, templates, workshops
from backcast.services.errors import ServiceError
from backcast.services.study_access import clean_details
from backcast.web.deps import console_facilitator, get_templates

router = APIRouter(include_in_schema=False)


def _message(error: ServiceError) -> str:
    return i18n.gettext(error.message, **error.params)


def _list_page(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    values: dict[str, str],
    error: ServiceError | None = None,
) -> Response:
    context = {
        "facilitator": facilitator,
        "studies": studies.studies_of(db, facilitator),
        "templates": templates.templates_for(db, facilitator),
        "workshops": workshops.workshops_of(db, facilitator),
        "values": values,
        "error": _message(error) if error else None,
    }
    status = status_of(error) if error else 200
    return get_templates(request).TemplateResponse(request, "studies/list.html", context, status_code=status)


@router.get("/studies")
def study_list(
    request: Request, facilitator: Facilitator = Depends(console_facilitator), db: Database = Depends(get_db)
) -> Response:
    return _list_page(request, db, facilitator, {})


@router.post("/studies")
def create_study(
    request: Request,
    title: Annotated[str, Form(max_length=1000)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
    source: Annotated[str, Form(max_length=100)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    # `source` is "template:<key>" or "workshop:<code>", one select for both kinds of start.
    kind, _, name = source.partition(":")
    try:
        study = studies.create_study(
            db,
            facilitator,
            title=title,
            description=description,
            template_key=name if kind == "template" else None,
            from_workshop=name if kind == "workshop" else None,
        )
    except ServiceError as error:
        values = {"title": title, "description": description, "source": source}
        return _list_page(request, db, facilitator, values, error)
    return RedirectResponse(f"/studies/{study.id}", status_code=303)


def study_page_response(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    study_id: int,
    values: dict[str, str] | None = None,
    error: ServiceError | None = None,
) -> Response:
    results = study_results(db, facilitator, study_id)  # not a member: refused as a whole page
    view = results.view
    own = [w for w in workshops.workshops_of(db, facilitator) if w.study_id is None]
    context: dict[str, Any] = {
        "facilitator": facilitator,
        "view": view,
        "study": view.study,
        "results": results,
        "printed": False,
        "THEME_RULE": THEME_RULE,
        "THEME_RULE_PARAMS": THEME_RULE_PARAMS,
        "attachable": own,
        "values": values or {},
        "error": _message(error) if error else None,
    }
    status = status_of(error) if error else 200
    return get_templates(request).TemplateResponse(request, "studies/page.html", context, status_code=status)


@router.get("/studies/{study_id}")
def study_page(
    study_id: int,
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return study_page_response(request, db, facilitator, study_id)


@router.get("/studies/{study_id}/report")
def study_report(
    study_id: int,
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """The comparison as a printable A4 report for any member; with `?both=1` its headings and
    rule carry the other of German and English too."""
    results = study_results(db, facilitator, study_id)
    context = {
        "facilitator": facilitator,
        "view": results.view,
        "study": results.view.study,
        "results": results,
        "printed": True,
        "bilingual": request.query_params.get("both") == "1",
        "THEME_RULE": THEME_RULE,
        "THEME_RULE_PARAMS": THEME_RULE_PARAMS,
    }
    return get_templates(request).TemplateResponse(request, "report/study.html", context)


def _change(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    study_id: int,
    change: Callable[[], object],
    values: dict[str, str] | None = None,
    anchor: str = "",
) -> Response:
    """Performs `change` and returns to the study page, or shows its refusal there."""
    try:
        change()
    except ServiceError as error:
        return study_page_response(request, db, facilitator, study_id, values, error)
    return RedirectResponse(f"/studies/{study_id}{anchor}", status_code=303)


@router.post("/studies/{study_id}/edit")
def edit_study(
    study_id: int,
    request: Request,
    title: Annotated[str, Form(max_length=1000)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return _change(
        request,
        db,
        facilitator,
        study_id,
        lambda: studies.edit_study(db, facilitator, study_id, title=title, description=description),
        {"edit_title": title, "edit_description": description},
    )


@router.post("/studies/{study_id}/delete")
def delete_study(
    study_id: int,
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    try:
        studies.delete_study(db, facilitator, study_id)
    except ServiceError as error:
        return study_page_response(request, db, facilitator, study_id, None, error)
    return RedirectResponse("/studies", status_code=303)


@router.post("/studies/{study_id}/workshops")
def create_workshop(
    study_id: int,
    request: Request,
    title: Annotated[str, Form(max_length=1000)] = "",
    language: Annotated[str, Form(max_length=8)] = "de",
    region: Annotated[str, Form(max_length=1000)] = "",
    sector: Annotated[str, Form(max_length=1000)] = "",
    held_on: Annotated[str, Form(max_length=40)] = "",
    venue: Annotated[str, Form(max_length=1000)] = "",
    carry_from: Annotated[str, Form(max_length=40)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    values = {
        "carry_from": carry_from,
        "title": title,
        "language": language,
        "region": region,
        "sector": sector,
        "held_on": held_on,
        "venue": venue,
    }
    try:
        workshop = studies.create_workshop_in_study(
            db,
            facilitator,
            study_id,
            title=title,
            language=language,
            details=clean_details(region, sector, held_on, venue),
            # Every vision statement and milestone of that workshop; the carry page picks some.
            carry=carrying.clean_request(carry_from) if carry_from else None,
        )
    except ServiceError as error:
        return study_page_response(request, db, facilitator, study_id, values, error)
    return RedirectResponse(f"/facilitate/{workshop.code}", status_code=303)


@router.post("/studies/{study_id}/attach")
def attach_workshop(
    study_id: int,
    request: Request,
    code: Annotated[str, Form(max_length=40)] = "",
    region: Annotated[str, Form(max_length=1000)] = "",
    sector: Annotated[str, Form(max_length=1000)] = "",
    held_on: Annotated[str, Form(max_length=40)] = "",
    venue: Annotated[str, Form(max_length=1000)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    values = {
        "attach_code": code,
        "attach_region": region,
        "attach_sector": sector,
        "attach_held_on": held_on,
    }
    values["attach_venue"] = venue
    return _change(
        request,
        db,
        facilitator,
        study_id,
        lambda: studies.attach_workshop(
            db, facilitator, study_id, code, clean_details(region, sector, held_on, venue)
        ),
        values,
        "#workshops",
    )


@router.post("/studies/{study_id}/detach")
def detach_workshop(
    study_id: int,
    request: Request,
    code: Annotated[str, Form(max_length=40)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return _change(
        request,
        db,
        facilitator,
        study_id,
        lambda: studies.detach_workshop(db, facilitator, code),
        None,
        "#workshops",
    )


@router.post("/studies/{study_id}/members")
def add_member(
    study_id: int,
    request: Request,
    email: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=20)] = "researcher",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return _change(
        request,
        db,
        facilitator,
        study_id,
        lambda: studies.add_member(db, facilitator, study_id, email, role),
        {"email": email, "role": role},
        "#members",
    )


@router.post("/studies/{study_id}/members/{facilitator_id}/remove")
def remove_member(
    study_id: int,
    facilitator_id: int,
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    try:
        studies.remove_member(db, facilitator, study_id, facilitator_id)
    except ServiceError as error:
        return study_page_response(request, db, facilitator, study_id, None, error)
    if facilitator_id == facilitator.id:  # left the study: its page is no longer theirs
        return RedirectResponse("/studies", status_code=303)
    return RedirectResponse(f"/studies/{study_id}#members", status_code=303)


@router.post("/studies/{study_id}/save-template")
def save_template(
    study_id: int,
    request: Request,
    name: Annotated[str, Form(max_length=1000)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    try:
        studies.save_codebook_as_template(db, facilitator, study_id, name)
    except ServiceError as error:
        return study_page_response(request, db, facilitator, study_id, {"template_name": name}, error)
    return RedirectResponse("/templates", status_code=303)


@router.post("/studies/{study_id}/themes")
def add_theme(
    study_id: int,
    request: Request,
    label_de: Annotated[str, Form(max_length=1000)] = "",
    label_en: Annotated[str, Form(max_length=1000)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """A new theme in the codebook, added in advance (the coding page adds them while coding)."""
    return _change(
        request,
        db,
        facilitator,
        study_id,
        lambda: studies.add_theme(
            db, facilitator, study_id, studies.ThemeSpec(label_de=label_de, label_en=label_en)
        ),
        {"theme_label_de": label_de, "theme_label_en": label_en},
        "#codebook",
    )
