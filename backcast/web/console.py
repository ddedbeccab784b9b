"""The facilitator's console (`/facilitate/{code}`): run the phases, moderate, watch the room.

Only the workshop's owners get in. Every button is a plain form POST that returns to the console;
the counters and the item list follow the room live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from backcast import i18n
from backcast.db import Database
from backcast.enums import KIND_PHASE, LINK_TARGET, PHASE_ORDER, ItemKind, Phase
from backcast.export.schema import TABLES
from backcast.export.tables import pseudonymiser
from backcast.http.deps import get_db, session_facilitator
from backcast.http.downloads import export_download
from backcast.http.numbers import whole_number, whole_number_or_text, whole_numbers
from backcast.i18n import N_
from backcast.live.stream import EventStream
from backcast.live.views import Listener
from backcast.models import Facilitator, Item, Workshop
from backcast.models.limits import TABLE_NAME_MAX
from backcast.network import join_url, unreachable_reason
from backcast.queries.console import (
    ParticipantRow,
    addresses,
    console_view,
    footprint,
    join_bursts,
    participants_of,
)
from backcast.services import agenda, items, owners, participants, tables, timer, workshops
from backcast.services.errors import Invalid, NotFound, ServiceError
from backcast.services.items import UNSET
from backcast.web.deps import console_facilitator, get_templates, owned, viewable
from backcast.web.live_stream import listening, live_stream
from backcast.web.locale import use_room_language

router = APIRouter(include_in_schema=False)


# Where the console offers to add a contribution: in each kind's own phase, and while rating, for a
# measure that comes up in the room (phones show it first, as still unrated). Once the room places
# its dots or sees the results, an added measure would be ranked without ratings: nothing is offered.
ADDING_PHASES = frozenset({*KIND_PHASE.values(), Phase.rating})


def _back(workshop: Workshop, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/facilitate/{workshop.code}{anchor}", status_code=303)


def _unreachable(request: Request) -> str | None:
    settings = request.app.state.settings
    reason = unreachable_reason(settings)
    return i18n.gettext(reason, host=settings.host) if reason else None


def _page(request: Request, db: Database, workshop: Workshop, error: ServiceError | None = None) -> Response:
    assert workshop.id is not None
    facilitator = session_facilitator(request)
    use_room_language(request, workshop.language)
    view = console_view(db, workshop.id)
    index = PHASE_ORDER.index(view.workshop.phase)
    runs = facilitator is not None and workshops.may_run(db, facilitator, workshop)
    context = {
        "view": view,
        "workshop": view.workshop,
        "phases": [phase.value for phase in PHASE_ORDER],
        "previous_phase": PHASE_ORDER[index - 1].value if index > 0 else None,
        "next_phase": PHASE_ORDER[index + 1].value if index + 1 < len(PHASE_ORDER) else None,
        "join_url": join_url(request.app.state.settings, view.workshop.code),
        "unreachable": _unreachable(request),
        "takes_input": view.workshop.phase in workshops.INPUT_PHASES,
        "adds": view.workshop.phase in ADDING_PHASES,
        "error": i18n.gettext(error.message, **error.params) if error else None,
        "csv_tables": list(TABLES.values()),
        "owners": owners.owners_of(db, facilitator, workshop.code) if facilitator and runs else [],
        # A researcher of the workshop's study reads the console but runs nothing from it.
        "read_only": not runs,
        "me": facilitator,
        "facilitator": facilitator,  # the header's account and sign-out, as on the other pages
        # Who else has this console open, on this process or another that shares the broker.
        "watching": addresses(
            db, request.app.state.broker.watching(workshop.id) - {facilitator.id if facilitator else None}
        ),
    }
    return get_templates(request).TemplateResponse(
        request, "console/page.html", context, status_code=422 if error else 200
    )


@router.get("/facilitate/{code}")
def console(
    request: Request, workshop: Workshop = Depends(viewable), db: Database = Depends(get_db)
) -> Response:
    return _page(request, db, workshop)


def _run(request: Request, db: Database, workshop: Workshop, change: Callable[[], object]) -> Response:
    """Performs `change` (a callable) and returns to the console, or shows its refusal there."""
    try:
        change()
    except ServiceError as error:
        return _page(request, db, workshop, error)
    return _back(workshop)


@router.post("/facilitate/{code}/phase")
def set_phase(
    request: Request,
    phase: Annotated[str, Form(max_length=20)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    return _run(request, db, workshop, lambda: workshops.set_phase(db, facilitator, workshop.code, phase))


@router.post("/facilitate/{code}/input")
def set_input(
    request: Request,
    open: Annotated[str, Form(max_length=5)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    return _run(
        request, db, workshop, lambda: workshops.set_input_open(db, facilitator, workshop.code, open == "1")
    )


@router.post("/facilitate/{code}/results")
def set_results(
    request: Request,
    visible: Annotated[str, Form(max_length=5)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    change = lambda: workshops.set_results_visible(db, facilitator, workshop.code, visible == "1")  # noqa: E731
    return _run(request, db, workshop, change)


@router.post("/facilitate/{code}/timer")
def set_timer(
    request: Request,
    action: Annotated[str, Form(max_length=20)] = "",
    minutes: Annotated[str, Form(max_length=5)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    given = whole_number(minutes)
    seconds = given * 60 if isinstance(given, int) else given  # the service refuses what is no number
    return _run(
        request,
        db,
        workshop,
        lambda: timer.set_timer(db, facilitator, workshop.code, action, seconds),
    )


def _table_specs(names: str, per: str, scopes: list[Item]) -> list[dict[str, object]]:
    """The tables a console form asks for: one per milestone (or need), or one per line of `names`,
    where "Name | scope" gives a table a free-text scope."""
    if per in ("milestone", "need"):
        return [
            {"name": item.text[:TABLE_NAME_MAX].strip(), "scope": item.id}
            for item in scopes
            if item.kind == per
        ]
    specs: list[dict[str, object]] = []
    for line in names.splitlines():
        if not line.strip():
            continue
        name, _, scope = line.partition("|")
        specs.append({"name": name, "scope": scope.strip() or None})
    return specs


@router.post("/facilitate/{code}/tables")
def start_breakout(
    request: Request,
    names: Annotated[str, Form(max_length=5000)] = "",
    per: Annotated[str, Form(max_length=20)] = "",
    assign: Annotated[str, Form(max_length=20)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    """Sets up the breakout's tables from the console and seats the room."""
    assert workshop.id is not None
    specs = _table_specs(names, per, console_view(db, workshop.id).scopes)
    return _run(
        request, db, workshop, lambda: tables.start_breakout(db, facilitator, workshop.code, specs, assign)
    )


@router.post("/facilitate/{code}/tables/seat")
def seat_participant(
    request: Request,
    participant_id: Annotated[str, Form(max_length=20)] = "",
    table: Annotated[str, Form(max_length=10)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    who, where = whole_number_or_text(participant_id), whole_number_or_text(table)
    return _run(
        request, db, workshop, lambda: tables.move_participant(db, facilitator, workshop.code, who, where)
    )


@router.post("/facilitate/{code}/tables/end")
def end_breakout(
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    return _run(request, db, workshop, lambda: tables.end_breakout(db, facilitator, workshop.code))


@router.post("/facilitate/{code}/items")
def add_item(
    request: Request,
    kind: Annotated[str, Form(max_length=20)] = "",
    text: Annotated[str, Form(max_length=5000)] = "",
    year: Annotated[str, Form(max_length=10)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    given_year = whole_number(year)
    change = lambda: items.add_item(db, facilitator, workshop.code, kind=kind, text=text, year=given_year)  # noqa: E731
    return _run(request, db, workshop, change)


@router.post("/facilitate/{code}/items/{item_id}")
def moderate_item(
    item_id: int,
    request: Request,
    text: Annotated[str | None, Form(max_length=5000)] = None,
    hidden: Annotated[str | None, Form(max_length=5)] = None,
    adopted: Annotated[str | None, Form(max_length=5)] = None,
    merged_into: Annotated[str | None, Form(max_length=12)] = None,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    def change() -> None:
        items.moderate_item(
            db,
            facilitator,
            item_id,
            text=UNSET if text is None else text,
            hidden=None if hidden is None else hidden == "1",
            adopted=None if adopted is None else adopted == "1",
            merged_into=whole_number(merged_into or ""),
        )

    return _run(request, db, workshop, change)


@router.post("/facilitate/{code}/items/{item_id}/links")
async def relink_item(
    item_id: int,
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    form = await request.form(max_fields=200)
    chosen = whole_numbers([value if isinstance(value, str) else "" for value in form.getlist("links")])
    change = lambda: items.moderate_item(db, facilitator, item_id, links=chosen)  # noqa: E731
    return await run_in_threadpool(_run, request, db, workshop, change)


@router.get("/facilitate/{code}/items/{item_id}/edit")
def edit_item_page(
    item_id: int, request: Request, workshop: Workshop = Depends(owned), db: Database = Depends(get_db)
) -> Response:
    use_room_language(request, workshop.language)
    item = items.item_of(db, workshop, item_id)
    targets = [other for other in items.standing_of_kind(db, workshop, item.kind) if other.id != item.id]
    parent_kind = LINK_TARGET.get(ItemKind(item.kind))
    context = {
        "workshop": workshop,
        "item": item,
        "targets": targets,
        "parents": items.standing_of_kind(db, workshop, parent_kind) if parent_kind else [],
        "linked": set(items.link_targets(db, item)),
    }
    return get_templates(request).TemplateResponse(request, "console/edit_item.html", context)


@router.post("/facilitate/{code}/agenda")
def add_to_agenda(
    request: Request,
    item_id: Annotated[int, Form()],
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    return _run(request, db, workshop, lambda: agenda.add_to_agenda(db, facilitator, workshop.code, item_id))


@router.post("/facilitate/{code}/agenda/{entry_id}")
def update_agenda_entry(
    entry_id: int,
    request: Request,
    owner: Annotated[str, Form(max_length=2000)] = "",
    start_year: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    year = whole_number_or_text(start_year)

    def change() -> None:
        agenda.update_agenda_entry(
            db, facilitator, workshop.code, entry_id, owner=owner, start_year=year, note=note
        )

    return _run(request, db, workshop, change)


@router.post("/facilitate/{code}/agenda/{entry_id}/remove")
def remove_from_agenda(
    entry_id: int,
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    return _run(
        request, db, workshop, lambda: agenda.remove_from_agenda(db, facilitator, workshop.code, entry_id)
    )


@router.post("/facilitate/{code}/agenda/{entry_id}/move")
def move_agenda_entry(
    entry_id: int,
    request: Request,
    step: Annotated[int, Form(ge=-1, le=1)] = 0,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    change = lambda: agenda.move_agenda_entry(db, facilitator, workshop.code, entry_id, step)  # noqa: E731
    return _run(request, db, workshop, change)


@router.post("/facilitate/{code}/duplicate")
def duplicate(
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    copy = workshops.duplicate_workshop(db, facilitator, workshop.code)
    return RedirectResponse(f"/facilitate/{copy.code}", status_code=303)


@router.get("/facilitate/{code}/export")
def export(
    request: Request,
    format: Annotated[str, Query(max_length=20)] = "xlsx",
    table: Annotated[str | None, Query(max_length=40)] = None,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(viewable),
    db: Database = Depends(get_db),
) -> Response:
    # The console's CSV files are for spreadsheets: with a BOM, so Excel keeps the umlauts.
    return export_download(
        request,
        db,
        workshop,
        facilitator,
        format_=format,
        table=table,
        names=False,
        via="from the console",
        bom=format == "csv",
    )


@router.get("/facilitate/{code}/delete")
def delete_page(
    request: Request, workshop: Workshop = Depends(owned), db: Database = Depends(get_db)
) -> Response:
    assert workshop.id is not None
    context = {"workshop": workshop, "footprint": footprint(db, workshop.id)}
    return get_templates(request).TemplateResponse(request, "console/delete.html", context)


@router.post("/facilitate/{code}/delete")
def delete(
    confirm: Annotated[str, Form(max_length=10)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    if confirm != workshop.code:
        return RedirectResponse(f"/facilitate/{workshop.code}/delete?wrong=1", status_code=303)
    workshops.delete_workshop(db, facilitator, workshop.code)
    return RedirectResponse("/", status_code=303)


def _pseudonym(request: Request, workshop: Workshop) -> Callable[[int], str]:
    assert workshop.id is not None
    return pseudonymiser(request.app.state.settings.resolved_secret_key, workshop.id)


@router.get("/facilitate/{code}/participants")
def participants_page(
    request: Request,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    assert workshop.id is not None
    use_room_language(request, workshop.language)
    rows = participants_of(db, workshop.id)
    context = {
        "facilitator": facilitator,
        "workshop": workshop,
        "rows": rows,
        "bursts": join_bursts(rows),
        "pseudonym": _pseudonym(request, workshop),
    }
    return get_templates(request).TemplateResponse(request, "console/participants.html", context)


@router.post("/facilitate/{code}/room")
def set_room_locked(
    locked: Annotated[str, Form(max_length=5)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    workshops.set_room_locked(db, facilitator, workshop.code, locked == "1")
    return RedirectResponse(f"/facilitate/{workshop.code}/participants", status_code=303)


@router.post("/facilitate/{code}/participants/bursts/remove")
def remove_burst(
    minute: Annotated[str, Form(max_length=40)] = "",
    confirm: Annotated[str, Form(max_length=5)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    """Removes everyone who joined in one burst (the minute as the page showed it)."""
    assert workshop.id is not None
    if confirm != "yes":
        raise Invalid(N_("Tick the box to confirm that their data is deleted."), field="confirm")
    burst = next(
        (b for b in join_bursts(participants_of(db, workshop.id)) if b.minute.isoformat() == minute), None
    )
    if burst is None:
        raise NotFound(N_("There is no such burst of joins in this workshop."), field="minute")
    ids = [row.participant.id for row in burst.rows if row.participant.id is not None]
    participants.delete_participants(db, facilitator, workshop.code, ids)
    return RedirectResponse(f"/facilitate/{workshop.code}/participants?deleted={len(ids)}", status_code=303)


def _participant_row(db: Database, workshop: Workshop, participant_id: int) -> ParticipantRow:
    assert workshop.id is not None
    for row in participants_of(db, workshop.id):
        if row.participant.id == participant_id:
            return row
    raise NotFound(N_("There is no such participant in this workshop."), field="participant_id")


@router.get("/facilitate/{code}/participants/{participant_id}/delete")
def delete_participant_page(
    participant_id: int, request: Request, workshop: Workshop = Depends(owned), db: Database = Depends(get_db)
) -> Response:
    use_room_language(request, workshop.language)
    row = _participant_row(db, workshop, participant_id)
    context = {
        "workshop": workshop,
        "row": row,
        "pseudonym": _pseudonym(request, workshop)(participant_id),
    }
    return get_templates(request).TemplateResponse(request, "console/delete_participant.html", context)


@router.post("/facilitate/{code}/participants/{participant_id}/delete")
def delete_participant(
    participant_id: int,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    participants.delete_participant(db, facilitator, workshop.code, participant_id)
    return RedirectResponse(f"/facilitate/{workshop.code}/participants?deleted=1", status_code=303)


async def console_listener(
    request: Request,
    workshop: Workshop = Depends(viewable),
    facilitator: Facilitator = Depends(console_facilitator),
) -> AsyncIterator[Listener]:
    assert workshop.id is not None
    assert facilitator.id is not None
    language = use_room_language(request, workshop.language)
    # Co-owners see each other's open consoles, across the processes that share the broker.
    broker = request.app.state.broker
    broker.console_opened(workshop.id, facilitator.id)
    try:
        async with listening(request, request.app.state.console_live, workshop.id, language) as listener:
            yield listener
    finally:
        broker.console_closed(workshop.id, facilitator.id)


@router.post("/facilitate/{code}/owners")
def add_owner(
    request: Request,
    email: Annotated[str, Form(max_length=300)] = "",
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    try:
        owners.add_owner(db, facilitator, workshop.code, email)
    except ServiceError as error:
        return _page(request, db, workshop, error)
    return _back(workshop, "#owners")


@router.post("/facilitate/{code}/owners/{facilitator_id}/remove")
def remove_owner(
    request: Request,
    facilitator_id: int,
    facilitator: Facilitator = Depends(console_facilitator),
    workshop: Workshop = Depends(owned),
    db: Database = Depends(get_db),
) -> Response:
    try:
        owners.remove_owner(db, facilitator, workshop.code, facilitator_id)
    except ServiceError as error:
        return _page(request, db, workshop, error)
    if facilitator_id == facilitator.id:  # removed oneself: the console is no longer theirs
        return RedirectResponse("/", status_code=303)
    return _back(workshop, "#owners")


@router.get("/facilitate/{code}/live", response_class=EventStream)
async def console_live(listener: Listener = Depends(console_listener)) -> EventStream:
    return live_stream(listener)
