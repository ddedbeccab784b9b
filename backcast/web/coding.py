"""The coding pages of a study: `/studies/{id}/coding` codes contributions with the study's
themes one at a time or as a list (number keys toggle themes, j/k move; every action is also a
plain form), and `/studies/{id}/agreement` shows two coders' agreement and settles their
differences. Each form returns to its page, or shows its refusal there with nothing changed."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from backcast import i18n
from backcast.db import Database
from backcast.enums import ItemKind
from backcast.http.deps import get_db
from backcast.http.numbers import whole_number, whole_numbers
from backcast.http.problems import status_of
from backcast.models import Facilitator
from backcast.services import coding, studies
from backcast.services.errors import ServiceError
from backcast.web.deps import console_facilitator, get_templates

router = APIRouter(include_in_schema=False)

MODES = ("one", "list")


def _filters(workshop: str, kind: str, mode: str, at: int) -> dict[str, Any]:
    return {
        "workshop": workshop[:40],
        "kind": kind if kind in {k.value for k in ItemKind} else "",
        "mode": mode if mode in MODES else "one",
        "at": max(at, 0),
    }


def _coding_url(study_id: int, filters: dict[str, Any], anchor: str = "") -> str:
    query = {k: v for k, v in filters.items() if v not in ("", None, 0) or (k == "at" and v)}
    return f"/studies/{study_id}/coding" + (f"?{urlencode(query)}" if query else "") + anchor


def _coding_page(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    study_id: int,
    filters: dict[str, Any],
    error: ServiceError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    view = studies.study_view(db, facilitator, study_id)  # not a member: refused as a whole page
    found = coding.items_to_code(
        db, facilitator, study_id, workshop_code=filters["workshop"] or None, kind=filters["kind"] or None
    )
    at = min(filters["at"], max(len(found) - 1, 0))
    filters = {**filters, "at": at}
    shown = found if filters["mode"] == "list" else found[at : at + 1]
    context = {
        "facilitator": facilitator,
        "view": view,
        "study": view.study,
        "themes": view.themes,
        "found": found,
        "shown": shown,
        "coded": sum(1 for entry in found if entry.mine is not None),
        "filters": filters,
        "kinds": [k.value for k in ItemKind],
        "previous_url": _coding_url(study_id, {**filters, "at": at - 1}) if at > 0 else None,
        "next_url": _coding_url(study_id, {**filters, "at": at + 1}) if at + 1 < len(found) else None,
        "values": values or {},
        "error": i18n.gettext(error.message, **error.params) if error else None,
    }
    status = status_of(error) if error else 200
    return get_templates(request).TemplateResponse(
        request, "studies/coding.html", context, status_code=status
    )


@router.get("/studies/{study_id}/coding")
def coding_page(
    study_id: int,
    request: Request,
    workshop: Annotated[str, Query(max_length=40)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    mode: Annotated[str, Query(max_length=10)] = "one",
    at: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return _coding_page(request, db, facilitator, study_id, _filters(workshop, kind, mode, at))


def _hidden_filters(workshop: str, kind: str, mode: str, at: str) -> dict[str, Any]:
    position = whole_number(at)
    return _filters(workshop, kind, mode, position if isinstance(position, int) else 0)


# Before the item route, whose id would otherwise meet the word "themes".
@router.post("/studies/{study_id}/coding/themes")
def add_theme(
    study_id: int,
    request: Request,
    label_de: Annotated[str, Form(max_length=1000)] = "",
    label_en: Annotated[str, Form(max_length=1000)] = "",
    workshop: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=1000)] = "",
    mode: Annotated[str, Form(max_length=1000)] = "one",
    at: Annotated[str, Form(max_length=1000)] = "0",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """A new theme, added while coding; back to the same contribution."""
    filters = _hidden_filters(workshop, kind, mode, at)
    try:
        studies.add_theme(db, facilitator, study_id, studies.ThemeSpec(label_de=label_de, label_en=label_en))
    except ServiceError as error:
        values = {"theme_label_de": label_de, "theme_label_en": label_en}
        return _coding_page(request, db, facilitator, study_id, filters, error, values)
    return RedirectResponse(_coding_url(study_id, filters), status_code=303)


@router.post("/studies/{study_id}/coding/{study_item_id}")
def code_item(
    study_id: int,
    study_item_id: int,
    request: Request,
    theme: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 - FastAPI copies defaults
    workshop: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=1000)] = "",
    mode: Annotated[str, Form(max_length=1000)] = "one",
    at: Annotated[str, Form(max_length=1000)] = "0",
    advance: Annotated[str, Form(max_length=10)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """Saves the coder's themes for the item; one at a time, moves on to the next item."""
    filters = _hidden_filters(workshop, kind, mode, at)
    try:
        coding.code_item(db, facilitator, study_id, study_item_id, whole_numbers(theme))
    except ServiceError as error:
        return _coding_page(request, db, facilitator, study_id, filters, error)
    if filters["mode"] == "one" and advance:
        filters["at"] += 1
    anchor = f"#item-{study_item_id}" if filters["mode"] == "list" else ""
    return RedirectResponse(_coding_url(study_id, filters, anchor), status_code=303)


# --- agreement and settling ------------------------------------------------------------------------


def _agreement_page(
    request: Request,
    db: Database,
    facilitator: Facilitator,
    study_id: int,
    coder_a: object,
    coder_b: object,
    show: str,
    error: ServiceError | None = None,
) -> Response:
    view = studies.study_view(db, facilitator, study_id)
    found = coding.agreement(db, facilitator, study_id, coder_a, coder_b)
    items = {entry.item.id: entry for entry in coding.items_to_code(db, facilitator, study_id)}
    a_id = found.coder_a.id if found.coder_a else None
    b_id = found.coder_b.id if found.coder_b else None
    compared = []
    for item_id, entry in items.items():
        codings: dict[int | None, set[int]] = {coder: themes for coder, themes in entry.others.items()}
        if entry.mine is not None:
            codings[facilitator.id] = entry.mine
        a, b = codings.get(a_id), codings.get(b_id)
        if a is None or b is None:
            continue
        if show != "all" and a == b:
            continue
        compared.append({"entry": entry, "a": a, "b": b, "agreed": a & b, "item_id": item_id})
    context = {
        "facilitator": facilitator,
        "view": view,
        "study": view.study,
        "themes": view.themes,
        "theme_by_id": {t.id: t for t in view.themes},
        "found": found,
        "coders": coding.coders_of(db, facilitator, study_id),
        "compared": compared,
        "show": show,
        "rule": coding.AGREEMENT_RULE,
        "error": i18n.gettext(error.message, **error.params) if error else None,
    }
    status = status_of(error) if error else 200
    return get_templates(request).TemplateResponse(
        request, "studies/agreement.html", context, status_code=status
    )


@router.get("/studies/{study_id}/agreement")
def agreement_page(
    study_id: int,
    request: Request,
    coder_a: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    coder_b: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    show: Annotated[str, Query(max_length=10)] = "differing",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    return _agreement_page(request, db, facilitator, study_id, coder_a, coder_b, show)


@router.post("/studies/{study_id}/settle/{study_item_id}")
def settle_item(
    study_id: int,
    study_item_id: int,
    request: Request,
    theme: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 - FastAPI copies defaults
    coder_a: Annotated[str, Form(max_length=1000)] = "",
    coder_b: Annotated[str, Form(max_length=1000)] = "",
    show: Annotated[str, Form(max_length=1000)] = "differing",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """The settled coding of the item, chosen on the compare view."""
    a, b = whole_number(coder_a), whole_number(coder_b)
    try:
        coding.settle_item(db, facilitator, study_id, study_item_id, whole_numbers(theme))
    except ServiceError as error:
        return _agreement_page(request, db, facilitator, study_id, a, b, show, error)
    query = urlencode({k: v for k, v in (("coder_a", a), ("coder_b", b), ("show", show)) if v})
    return RedirectResponse(f"/studies/{study_id}/agreement?{query}#item-{study_item_id}", status_code=303)


@router.post("/studies/{study_id}/settle-agreed")
def settle_agreed(
    study_id: int,
    request: Request,
    coder_a: Annotated[str, Form(max_length=1000)] = "",
    coder_b: Annotated[str, Form(max_length=1000)] = "",
    show: Annotated[str, Form(max_length=1000)] = "differing",
    facilitator: Facilitator = Depends(console_facilitator),
    db: Database = Depends(get_db),
) -> Response:
    """Settles every contribution the two coders coded alike, in one go."""
    a, b = whole_number(coder_a), whole_number(coder_b)
    try:
        coding.settle_agreed(db, facilitator, study_id, a, b)
    except ServiceError as error:
        return _agreement_page(request, db, facilitator, study_id, a, b, show, error)
    query = urlencode({k: v for k, v in (("coder_a", a), ("coder_b", b), ("show", show)) if v})
    return RedirectResponse(f"/studies/{study_id}/agreement?{query}#settle", status_code=303)
