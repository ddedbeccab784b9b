"""The participant's phone: join, then one screen per phase (`/join`, `/j/{code}`, `/w/{code}`).

Every form works as a plain POST; htmx, when it runs, swaps just the part that changed.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from backcast import i18n
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.http.limits import (
    RateLimited,
    guard_code,
    join_refused,
    take_change,
    take_contribution,
    take_join,
)
from backcast.http.numbers import whole_number, whole_number_or_text
from backcast.http.participant import forget, participant_for, participant_for_code, remember
from backcast.http.problems import status_of
from backcast.i18n import N_
from backcast.live.stream import EventStream
from backcast.live.views import Listener
from backcast.models import Participant, Workshop
from backcast.queries.labels import Labels
from backcast.queries.phone import GroupChoice, PhoneView, group_choice, phone_view, rating_card
from backcast.services import codes, items, participants, ratings, tables, workshops
from backcast.services.errors import NotFound, ServiceError
from backcast.services.items import UNSET
from backcast.web.deps import NotJoined, get_templates
from backcast.web.live_stream import listening, live_stream
from backcast.web.locale import language_of, use_workshop_language

router = APIRouter(include_in_schema=False)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _message(error: ServiceError) -> str:
    return i18n.gettext(error.message, **error.params)


# --- joining -----------------------------------------------------------------------------------


@router.get("/join")
def join_page(request: Request) -> Response:
    return get_templates(request).TemplateResponse(request, "phone/join.html", {"error": None, "code": ""})


@router.post("/join")
def join_code(
    request: Request, code: Annotated[str, Form(max_length=100)] = "", db: Database = Depends(get_db)
) -> Response:
    templates = get_templates(request)
    if not code.strip():  # an empty tap on "Join" guesses nothing, and does not count
        error = i18n.gettext("Please enter the code.")
        return templates.TemplateResponse(
            request, "phone/join.html", {"error": error, "code": code}, status_code=422
        )
    normalized = codes.normalize_code(code)
    try:
        workshop = guard_code(request, lambda: workshops.workshop_by_code(db, normalized or ""))
    except RateLimited as limited:
        return templates.TemplateResponse(
            request,
            "phone/join.html",
            {"error": _message(limited), "code": code},
            status_code=429,
            headers={"Retry-After": str(limited.retry_after)},
        )
    except NotFound:
        error = i18n.gettext("There is no workshop with this code. Please check it.")
        return templates.TemplateResponse(
            request, "phone/join.html", {"error": error, "code": code}, status_code=422
        )
    return RedirectResponse(f"/j/{workshop.code}", status_code=303)


def _workshop_or_404(request: Request, db: Database, code: str) -> Workshop:
    """The workshop of a code from an address; unknown codes count against the client's limit."""

    return guard_code(request, lambda: workshops.workshop_by_code(db, code))


@router.get("/j/{code}")
def join_workshop_page(
    code: str,
    request: Request,
    table: Annotated[str, Query(max_length=10)] = "",
    db: Database = Depends(get_db),
) -> Response:
    """The join form; `?table=N` (a table screen's QR code) seats the newcomer there where people
    choose their tables."""
    workshop = _workshop_or_404(request, db, code)
    suffix = f"?table={table}" if isinstance(whole_number(table), int) else ""
    if workshop.code != code:
        return RedirectResponse(f"/j/{workshop.code}{suffix}", status_code=303)
    assert workshop.id is not None
    if participant_for(request, db, workshop.id, workshop.code) is not None:
        return RedirectResponse(f"/w/{workshop.code}", status_code=303)
    return _join_form(request, db, workshop, {"table": table if suffix else ""}, None)


def _join_form(
    request: Request, db: Database, workshop: Workshop, values: dict[str, Any], error: ServiceError | None
) -> Response:
    _, _, groups, _ = workshops.workshop_details(db, workshop.code)
    use_workshop_language(request, workshop.language)
    context = {
        "workshop": workshop,
        "groups": groups,
        "labels": Labels.of(workshop),
        "values": values,
        "error": _message(error) if error else None,
        "error_field": error.field if error else None,
    }
    status = status_of(error) if error else 200
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return get_templates(request).TemplateResponse(
        request, "phone/join_workshop.html", context, status_code=status, headers=headers
    )


@router.post("/j/{code}")
def join_workshop(
    code: str,
    request: Request,
    name: Annotated[str, Form(max_length=1000)] = "",
    group: Annotated[str, Form(max_length=100)] = "",
    consent: Annotated[str, Form(max_length=10)] = "",
    table: Annotated[str, Form(max_length=10)] = "",
    db: Database = Depends(get_db),
) -> Response:
    workshop = _workshop_or_404(request, db, code)
    assert workshop.id is not None
    if participant_for(request, db, workshop.id, workshop.code) is not None:
        return RedirectResponse(f"/w/{workshop.code}", status_code=303)  # a second tap on "Join"
    try:
        take_join(request, workshop.code)
        try:
            joined = participants.join_workshop(
                db, workshop.code, name=name or None, group=group or None, consent=consent == "yes"
            )
        except ServiceError:
            join_refused(request, workshop.code)
            raise
    except ServiceError as error:
        values = {"name": name, "group": group, "consent": consent, "table": table}
        return _join_form(request, db, workshop, values, error)
    number = whole_number(table)
    if isinstance(number, int):
        # Joined by a table's own code: sit there if people choose; otherwise the rule seated them.
        with contextlib.suppress(ServiceError):
            tables.choose_table(db, joined.participant, number)
    response = RedirectResponse(f"/w/{workshop.code}", status_code=303)
    remember(response, request, workshop.code, joined.token)
    return response


# --- the participant's screen ------------------------------------------------------------------


def current_participant(code: str, request: Request, db: Database = Depends(get_db)) -> Participant:
    # A phone that joined is known by its token and never meets the wrong-code limit, however
    # many neighbours behind the same address mistype; only strangers' lookups are counted.
    participant = participant_for_code(request, db, code)
    if participant is not None:
        return participant
    raise NotJoined(_workshop_or_404(request, db, code).code)


def _render_view(
    request: Request,
    view: PhoneView,
    *,
    template: str = "phone/page.html",
    error: ServiceError | None = None,
    draft: dict[str, Any] | None = None,
    group: GroupChoice | None = None,
    group_error: ServiceError | None = None,
    table_error: ServiceError | None = None,
    status_code: int = 200,
) -> Response:
    use_workshop_language(request, view.workshop.language)
    context = {
        "group_choice": group,
        "group_error": _message(group_error) if group_error else None,
        "table_error": _message(table_error) if table_error else None,
        "view": view,
        "workshop": view.workshop,
        "client_key": uuid.uuid4().hex,
        "error": _message(error) if error else None,
        "error_field": error.field if error else None,
        "draft": draft or {},
    }
    refusal = error or group_error or table_error
    if refusal is not None and status_code == 200:
        status_code = status_of(refusal)
    response = get_templates(request).TemplateResponse(request, template, context, status_code=status_code)
    if error is not None and template == "phone/_compose.html":
        # A refused contribution re-shows the form, with what was typed, in place of the form only.
        response.headers["HX-Retarget"] = "#compose"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@router.get("/w/{code}")
def phone_page(
    request: Request, participant: Participant = Depends(current_participant), db: Database = Depends(get_db)
) -> Response:
    return _render_view(request, phone_view(db, participant), group=group_choice(db, participant))


@router.post("/w/{code}/group")
def set_group(
    request: Request,
    group: Annotated[str, Form(max_length=100)] = "",
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> Response:
    """Chooses, changes or clears the participant's own group, until their first rating or dot."""
    try:
        participants.set_own_group(db, participant, group or None)
    except ServiceError as error:
        view = phone_view(db, participant)
        choice = group_choice(db, participant)
        template = "phone/_group.html" if _is_htmx(request) else "phone/page.html"
        return _render_view(request, view, template=template, group=choice, group_error=error)
    if _is_htmx(request):
        return _render_view(
            request,
            phone_view(db, participant),
            template="phone/_group.html",
            group=group_choice(db, participant),
        )
    return RedirectResponse(f"/w/{request.path_params['code']}", status_code=303)


@router.get("/w/{code}/view")
def phone_fragment(
    request: Request, participant: Participant = Depends(current_participant), db: Database = Depends(get_db)
) -> Response:
    return _render_view(request, phone_view(db, participant), template="phone/_fresh.html")


@router.get("/w/{code}/mine")
def phone_mine(
    request: Request, participant: Participant = Depends(current_participant), db: Database = Depends(get_db)
) -> Response:
    return _render_view(request, phone_view(db, participant), template="phone/_personal.html")


@router.get("/w/{code}/parents")
def phone_parents(
    request: Request, participant: Participant = Depends(current_participant), db: Database = Depends(get_db)
) -> Response:
    """The list a new contribution links to, fetched again when the room adds to it; the phone
    keeps its ticks (phone.js)."""
    return _render_view(request, phone_view(db, participant), template="phone/_parents.html")


def _after_change(
    request: Request, db: Database, participant: Participant, code: str, template: str
) -> Response:
    if _is_htmx(request):
        return _render_view(request, phone_view(db, participant), template=template)
    return RedirectResponse(f"/w/{code}", status_code=303)


def _refused(
    request: Request,
    db: Database,
    participant: Participant,
    error: ServiceError,
    template: str,
    draft: dict[str, Any],
) -> Response:
    view = phone_view(db, participant)
    return _render_view(
        request, view, template=template if _is_htmx(request) else "phone/page.html", error=error, draft=draft
    )


@router.post("/w/{code}/items")
def add_item(
    code: str,
    request: Request,
    text: Annotated[str, Form(max_length=5000)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    links: Annotated[list[int] | None, Form()] = None,
    client_key: Annotated[str, Form(max_length=64)] = "",
    table: Annotated[str, Form(max_length=12)] = "",
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> Response:
    view = phone_view(db, participant)
    draft = {"text": text, "year": year, "links": links or []}
    try:
        if view.kind is None:
            raise NotFound(N_("Contributions of this kind are closed right now."))
        take_contribution(request, participant.id)
        items.add_item(
            db,
            participant,
            view.workshop.code,
            kind=view.kind,
            text=text,
            year=whole_number(year),
            links=links or [],
            client_key=client_key or None,
            table=whole_number(table),
        )
    except ServiceError as error:
        if error.field == "table":
            # Moved meanwhile: the whole view again, with the new table and the text kept.
            htmx = _is_htmx(request)
            template = "phone/_view.html" if htmx else "phone/page.html"
            moved = _render_view(
                request, phone_view(db, participant), template=template, error=error, draft=draft
            )
            if htmx:
                moved.headers["HX-Retarget"] = "#view"
                moved.headers["HX-Reswap"] = "innerHTML"
            return moved
        refused = _refused(request, db, participant, error, "phone/_compose.html", draft)
        if isinstance(error, RateLimited):
            refused.headers["Retry-After"] = str(error.retry_after)
        return refused
    return _after_change(request, db, participant, view.workshop.code, "phone/_contribute.html")


@router.post("/w/{code}/items/{item_id}/edit")
def edit_item(
    item_id: int,
    request: Request,
    text: Annotated[str, Form(max_length=5000)] = "",
    year: Annotated[str | None, Form(max_length=10)] = None,
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> Response:
    """The author's change of their text, and of a milestone's year (only its form has the field)."""
    try:
        items.edit_own_item(
            db, participant, item_id, text=text, year=UNSET if year is None else whole_number(year)
        )
    except ServiceError as error:
        return _refused(request, db, participant, error, "phone/_personal.html", {})
    return _after_change(request, db, participant, request.path_params["code"], "phone/_personal.html")


@router.post("/w/{code}/items/{item_id}/withdraw")
def withdraw_item(
    item_id: int,
    request: Request,
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> Response:
    try:
        items.withdraw_item(db, participant, item_id)
    except ServiceError as error:
        return _refused(request, db, participant, error, "phone/_personal.html", {})
    return _after_change(request, db, participant, request.path_params["code"], "phone/_personal.html")


def _refused_change(
    request: Request, db: Database, participant: Participant, error: ServiceError
) -> Response:
    refused = _refused(request, db, participant, error, "phone/_personal.html", {})
    if isinstance(error, RateLimited):
        refused.headers["Retry-After"] = str(error.retry_after)
    return refused


@router.post("/w/{code}/items/{item_id}/rating")
def rate_item(
    item_id: int,
    request: Request,
    criterion: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=10)] = "",
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> Response:
    given = None if value == "none" else whole_number_or_text(value)
    try:
        take_change(request, participant.id)
        ratings.rate_item(db, participant, item_id, {criterion: given})
    except ServiceError as error:
        return _refused_change(request, db, participant, error)
    if not _is_htmx(request):
        return RedirectResponse(f"/w/{request.path_params['code']}#item-{item_id}", status_code=303)
    view, card = rating_card(db, participant, item_id)
    use_workshop_language(request, view.workshop.language)
    context = {
        "view": view,
        "workshop": view.workshop,
        "card": card,
        "criterion": next(c for c in view.criteria if c.key == criterion),
        "error": None,
        "draft": {},
        "client_key": "",
    }
    return get_templates(request).TemplateResponse(request, "phone/_rated.html", context)


@router.post("/w/{code}/items/{item_id}/dots")
def set_dots(
    item_id: int,
    request: Request,
    count: Annotated[str, Form(max_length=10)] = "0",
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> Response:
    try:
        take_change(request, participant.id)
        ratings.set_dots(db, participant, item_id, whole_number_or_text(count))
    except ServiceError as error:
        return _refused_change(request, db, participant, error)
    return _after_change(request, db, participant, request.path_params["code"], "phone/_personal.html")


@router.post("/w/{code}/table")
def choose_table(
    request: Request,
    table: Annotated[str, Form(max_length=12)] = "",
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> Response:
    """A phone picks its breakout table, when the facilitator lets people choose."""
    try:
        tables.choose_table(db, participant, whole_number_or_text(table))
    except ServiceError as error:
        view = phone_view(db, participant)
        use_workshop_language(request, view.workshop.language)
        return _render_view(request, view, group=group_choice(db, participant), table_error=error)
    return RedirectResponse(f"/w/{request.path_params['code']}", status_code=303)


# --- live --------------------------------------------------------------------------------------


@router.get("/w/{code}/forget")
def forget_page(
    request: Request, participant: Participant = Depends(current_participant), db: Database = Depends(get_db)
) -> Response:
    workshop = _workshop_or_404(request, db, request.path_params["code"])
    use_workshop_language(request, workshop.language)
    return get_templates(request).TemplateResponse(request, "phone/forget.html", {"workshop": workshop})


@router.post("/w/{code}/forget")
def forget_me(
    request: Request, participant: Participant = Depends(current_participant), db: Database = Depends(get_db)
) -> Response:
    """Deletes the participant's own data, as the facilitator could, and forgets the phone's token."""
    workshop = _workshop_or_404(request, db, request.path_params["code"])
    participants.delete_own_data(db, participant)
    use_workshop_language(request, workshop.language)
    response = get_templates(request).TemplateResponse(
        request, "phone/forgotten.html", {"workshop": workshop}
    )
    forget(response, request, workshop.code)
    return response


def phone_language(code: str, request: Request, db: Database = Depends(get_db)) -> str:
    """The language this phone's stream is rendered in (a dependency, so the read stays off the loop)."""
    return language_of(request, workshops.workshop_by_code(db, code).language)


def phone_table(
    participant: Participant = Depends(current_participant), db: Database = Depends(get_db)
) -> int | None:
    """The table whose stream this phone hears (a dependency, so the read stays off the loop)."""
    return tables.table_id_of(db, participant)


async def phone_listener(
    request: Request,
    participant: Participant = Depends(current_participant),
    language: str = Depends(phone_language),
    table_id: int | None = Depends(phone_table),
) -> AsyncIterator[Listener]:
    view = request.app.state.phone_live.at_table(table_id)
    async with listening(request, view, participant.workshop_id, language) as listener:
        yield listener


@router.get("/w/{code}/live", response_class=EventStream)
async def phone_live(listener: Listener = Depends(phone_listener)) -> EventStream:
    """Status for every phone, rendered once; `phase` and `refresh` tell a phone to fetch its own view."""
    return live_stream(listener)
