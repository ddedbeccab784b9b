"""Items, their moderation, ratings and dots."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request, Response

from backcast.api import schemas
from backcast.api.deps import current_actor, current_facilitator, current_participant
from backcast.api.problems import problems
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.http.limits import take_change_async, take_contribution
from backcast.models import Facilitator, Item, Participant
from backcast.services import items, ratings, tables, workshops
from backcast.services.items import UNSET

router = APIRouter(tags=["items"], responses=problems(401, 403, 404))


def item_out(item: Item, links: list[int], reader: Facilitator | Participant) -> schemas.ItemOut:
    assert item.id is not None
    # A participant learns only which items are their own: others' author ids would let them
    # tell which contributions came from the same person.
    as_participant = isinstance(reader, Participant)
    return schemas.ItemOut(
        id=item.id,
        kind=item.kind,
        text=item.text,
        year=item.year,
        author_id=None if as_participant else item.author_id,
        mine=as_participant and item.author_id is not None and item.author_id == reader.id,
        by_facilitator=item.by_facilitator,
        hidden=item.hidden,
        withdrawn=item.withdrawn,
        merged_into=item.merged_into_id,
        links=links,
        table=item.table_id,
        created_at=item.created_at,
    )


@router.post(
    "/workshops/{code}/items",
    status_code=201,
    response_model=schemas.ItemOut,
    responses=problems(409, 429, s429="The participant adds too fast; `Retry-After` says how long to wait."),
)
def add_item(
    code: str,
    body: schemas.ItemCreate,
    request: Request,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=64,
            pattern=r"^[!-~]+$",
            description="Any visible ASCII text: a retry with the same key returns the first item.",
        ),
    ] = None,
    actor: Facilitator | Participant = Depends(current_actor),
    db: Database = Depends(get_db),
) -> schemas.ItemOut:
    """A participant adds at most `BACKCAST_CONTRIBUTION_LIMIT` items per window; more get 429."""
    workshop = workshops.readable_workshop(db, actor, code)
    if isinstance(actor, Participant):
        take_contribution(request, actor.id)
    item = items.add_item(
        db,
        actor,
        workshop.code,
        kind=body.kind,
        text=body.text,
        year=body.year,
        links=body.links,
        client_key=idempotency_key,
        table=body.table,
    )
    response.headers["Location"] = f"/api/v1/items/{item.id}"
    return item_out(item, items.link_targets(db, item), actor)


@router.get("/workshops/{code}/items", response_model=list[schemas.ItemOut])
def list_items(
    code: str, actor: Facilitator | Participant = Depends(current_actor), db: Database = Depends(get_db)
) -> list[schemas.ItemOut]:
    """The standing items; a participant during a breakout sees the other tables' only when the
    facilitator lets the tables see each other."""
    workshop = workshops.readable_workshop(db, actor, code)
    standing, links = items.items_with_links(db, workshop, include_hidden=isinstance(actor, Facilitator))
    unseen = tables.unseen_tables_of(db, actor) if isinstance(actor, Participant) else set()
    return [
        item_out(item, links.get(item.id or 0, []), actor) for item in standing if item.table_id not in unseen
    ]


@router.patch("/items/{item_id}", response_model=schemas.ItemOut, responses=problems(409))
def patch_item(
    item_id: int,
    body: schemas.ItemPatch,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.ItemOut:
    given = body.model_fields_set
    item = items.moderate_item(
        db,
        facilitator,
        item_id,
        text=body.text if "text" in given else UNSET,
        year=body.year if "year" in given else UNSET,
        hidden=body.hidden,
        adopted=body.adopted,
        merged_into=body.merged_into,
        links=body.links if body.links is not None else UNSET,
    )
    return item_out(item, items.link_targets(db, item), facilitator)


TOO_FAST = "The participant changes ratings and dots too fast; `Retry-After` says how long to wait."


@router.put(
    "/items/{item_id}/ratings",
    response_model=schemas.RatingsOut,
    responses=problems(409, 429, s429=TOO_FAST),
)
async def rate_item(
    item_id: int,
    request: Request,
    body: Annotated[
        schemas.RatingsIn,
        Body(openapi_examples={"rating": {"value": {"impact": 4, "feasibility": None}}}),
    ],
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> schemas.RatingsOut:
    """A participant makes at most `BACKCAST_CHANGE_LIMIT` rating and dot changes per window."""
    # In the event loop: the write waits there for its group (`Database.write_together_async`).
    await take_change_async(request, participant.id)
    stored = await ratings.rate_item_async(db, participant, item_id, dict[str, Any](body))
    return schemas.RatingsOut(item_id=item_id, values=stored)


@router.put(
    "/items/{item_id}/dots", response_model=schemas.DotsOut, responses=problems(409, 429, s429=TOO_FAST)
)
async def set_dots(
    item_id: int,
    request: Request,
    body: schemas.DotsIn,
    participant: Participant = Depends(current_participant),
    db: Database = Depends(get_db),
) -> schemas.DotsOut:
    """A participant makes at most `BACKCAST_CHANGE_LIMIT` rating and dot changes per window."""
    await take_change_async(request, participant.id)
    count, left = await ratings.set_dots_async(db, participant, item_id, body.count)
    return schemas.DotsOut(item_id=item_id, count=count, dots_left=left)
