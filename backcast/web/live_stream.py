"""One way to stream a live view's messages to a browser, for the phone, screen and console."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request

from backcast.http.limits import holding_stream
from backcast.live.stream import EventStream, frame
from backcast.live.views import Listener, View

RETRY_MILLISECONDS = 2000
OPENING = frame(retry=RETRY_MILLISECONDS, comment="live")


@asynccontextmanager
async def listening(request: Request, view: View, workshop_id: int, language: str) -> AsyncIterator[Listener]:
    """A listener for a dependency with yield: the request's own clean-up closes it when the client
    goes, where an abandoned generator would wait for the garbage collector."""
    with holding_stream(request):
        listener = await request.app.state.broker.channels.listen(view, workshop_id, language)
        try:
            yield listener
        finally:
            listener.close()


def live_stream(listener: Listener) -> EventStream:
    """The listener's messages as server-sent events, until it is cut loose (the browser then
    reconnects and fetches its view afresh) or the client goes away."""
    return EventStream(listener, opening=OPENING)
