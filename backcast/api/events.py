"""The workshop's event log as a resumable stream of server-sent events."""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from backcast.api.deps import stream_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.i18n import N_
from backcast.live.broker import Broker
from backcast.live.feed import Subscription
from backcast.models import EventRecord, Facilitator, Workshop
from backcast.services import workshops
from backcast.services.errors import Invalid
from backcast.services.eventlog import events_since
from backcast.web.deps import get_db

router = APIRouter(tags=["events"], responses=problems(401, 403, 404))

RETRY_MILLISECONDS = 2000
REPLAY_BATCH = 500


def envelope(row: EventRecord) -> ServerSentEvent:
    return ServerSentEvent(id=str(row.seq), event=row.type, raw_data=_encoded(row))


# Recent events' JSON, so that each is encoded once however many listeners receive it.
# Only the event loop touches it.
# Keyed by type and actor too: deleting a participant's data rewrites their past entries, and
# always changes one of the two.
_ENCODED: OrderedDict[tuple[int, int, str, str], str] = OrderedDict()
_ENCODED_LIMIT = 8192


def _encoded(row: EventRecord) -> str:
    key = (row.workshop_id, row.seq, row.type, row.actor)
    text = _ENCODED.get(key)
    if text is None:
        data: dict[str, Any] = {
            "seq": row.seq,
            "type": row.type,
            "actor": row.actor,
            "at": row.created_at.isoformat(),
            "data": row.data,
        }
        text = _ENCODED[key] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(_ENCODED) > _ENCODED_LIMIT:
            _ENCODED.popitem(last=False)
    return text


def resume_point(header: str | None, query: int | None) -> int:
    if query is not None:
        return query
    if header is None or not header.strip():
        return 0
    try:
        value = int(header.strip())
    except ValueError:
        raise Invalid(
            N_("Last-Event-ID must be an event's seq, a whole number."), field="Last-Event-ID"
        ) from None
    if value < 0:
        raise Invalid(N_("Last-Event-ID must be an event's seq, a whole number."), field="Last-Event-ID")
    return value


@dataclass(frozen=True)
class StreamStart:
    workshop: Workshop
    after: int


def stream_start(
    code: str,
    last_event_id: Annotated[int | None, Query(ge=0, description="Resume after this seq.")] = None,
    last_event_header: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    facilitator: Facilitator = Depends(stream_facilitator),
    db: Database = Depends(get_db),
) -> StreamStart:
    """Everything that can refuse the stream, checked before the response starts."""
    workshop = workshops.owned_workshop(db, facilitator, code)
    after = resume_point(last_event_header, last_event_id)
    if after > workshop.last_seq:
        after = 0  # an id from elsewhere (another database, a restore): replay the whole log
    return StreamStart(workshop, after)


async def event_subscription(
    request: Request, start: StreamStart = Depends(stream_start)
) -> AsyncIterator[Subscription]:
    """The stream's subscription, closed by the request's own clean-up when the client goes: an
    abandoned generator would only be closed whenever the garbage collector comes round."""
    assert start.workshop.id is not None
    broker: Broker = request.app.state.broker
    subscription = await broker.hub.subscribe(start.workshop.id)
    try:
        yield subscription
    finally:
        subscription.close()


@router.get(
    "/workshops/{code}/events",
    response_class=EventSourceResponse,
    responses={200: {"description": "`id:` is the event's seq, `event:` its type, `data:` a JSON envelope."}},
)
async def workshop_events(
    start: StreamStart = Depends(stream_start),
    subscription: Subscription = Depends(event_subscription),
    db: Database = Depends(get_db),
) -> AsyncIterable[ServerSentEvent]:
    """Every event of the workshop after `Last-Event-ID` (header or `?last_event_id=`), then live,
    with no gap and no duplicate between the two. Heartbeat comments keep proxies from closing it."""
    workshop_id, after = start.workshop.id, start.after
    assert workshop_id is not None
    # The subscription came first: whatever commits during the replay arrives on it.
    yield ServerSentEvent(retry=RETRY_MILLISECONDS, comment="backcast events")
    while True:
        rows = await asyncio.to_thread(_read, db, workshop_id, after)
        for row in rows:
            yield envelope(row)
            after = row.seq
        if len(rows) < REPLAY_BATCH:
            break
    while True:
        batch = await subscription.next_batch()
        if batch is None:
            return  # too slow to keep up: the client resumes from its Last-Event-ID
        for row in batch.events:
            if row.seq > after:
                yield envelope(row)
                after = row.seq


def _read(db: Database, workshop_id: int, after: int) -> list[EventRecord]:
    with db.read() as session:
        return events_since(session, workshop_id, after, limit=REPLAY_BATCH)
