"""The workshop's event log as a resumable stream of server-sent events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request

from backcast.api.deps import stream_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.http.limits import holding_stream
from backcast.http.numbers import whole_number
from backcast.i18n import N_
from backcast.live.broker import Broker
from backcast.live.feed import Subscription
from backcast.live.stream import EventStream, frame
from backcast.models import EventRecord, Facilitator, Workshop
from backcast.services import workshops
from backcast.services.errors import Invalid
from backcast.services.eventlog import events_since

router = APIRouter(tags=["events"], responses=problems(401, 403, 404))

RETRY_MILLISECONDS = 2000
REPLAY_BATCH = 500


def envelope(row: EventRecord) -> bytes:
    """One event of the log as a server-sent event: `id:` its seq, `event:` its type."""
    data: dict[str, Any] = {
        "seq": row.seq,
        "type": row.type,
        "actor": row.actor,
        "at": row.created_at.isoformat(),
        "data": row.data,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return frame(id=str(row.seq), event=row.type, data=text)


# How each server-sent event is shaped (OpenAPI 3.2's `itemSchema` for streams).
SSE_ITEM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "data": {"type": "string"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}
OPENING = frame(retry=RETRY_MILLISECONDS, comment="backcast events")


def resume_point(header: str | None, query: int | None) -> int:
    if query is not None:
        return query
    value = whole_number(header or "")
    if value is None:
        return 0
    if isinstance(value, str) or value < 0:
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
    workshop = workshops.viewable_workshop(db, facilitator, code)
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
    with holding_stream(request):
        subscription = await broker.hub.subscribe(start.workshop.id)
        try:
            yield subscription
        finally:
            subscription.close()


class LogStream:
    """The log after a point, replayed from the table, then live from the subscription.

    The subscription came first, so whatever commits during the replay arrives on it; events the
    replay already sent are skipped, so there is no gap and no duplicate between the two.
    """

    def __init__(self, db: Database, workshop_id: int, after: int, subscription: Subscription) -> None:
        self.db = db
        self.workshop_id = workshop_id
        self.after = after
        self.subscription = subscription
        self.replaying = True

    async def next_frames(self) -> bytes | None:
        if self.replaying:
            rows = await asyncio.to_thread(_read, self.db, self.workshop_id, self.after)
            self.replaying = len(rows) == REPLAY_BATCH
            if rows:
                self.after = rows[-1].seq
                return b"".join(envelope(row) for row in rows)
        while True:
            batch = await self.subscription.next_batch()
            if batch is None:
                return None  # too slow to keep up: the client resumes from its Last-Event-ID
            if batch.events and batch.events[0].seq > self.after:
                self.after = batch.events[-1].seq
                return batch.encoded(envelope)  # the same bytes for every stream
            fresh = [row for row in batch.events if row.seq > self.after]
            if fresh:
                self.after = fresh[-1].seq
                return b"".join(envelope(row) for row in fresh)


@router.get(
    "/workshops/{code}/events",
    response_class=EventStream,
    responses={
        200: {
            "description": "`id:` is the event's seq, `event:` its type, `data:` a JSON envelope.",
            "content": {"text/event-stream": {"itemSchema": SSE_ITEM}},
        }
    },
)
async def workshop_events(
    start: StreamStart = Depends(stream_start),
    subscription: Subscription = Depends(event_subscription),
    db: Database = Depends(get_db),
) -> EventStream:
    """Every event of the workshop after `Last-Event-ID` (header or `?last_event_id=`), then live,
    with no gap and no duplicate between the two. Heartbeat comments keep proxies from closing it."""
    assert start.workshop.id is not None
    return EventStream(LogStream(db, start.workshop.id, start.after, subscription), opening=OPENING)


def _read(db: Database, workshop_id: int, after: int) -> list[EventRecord]:
    with db.read() as session:
        return events_since(session, workshop_id, after, limit=REPLAY_BATCH)
