"""One way to stream a live view's messages to a browser, for the phone, screen and console."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi.sse import ServerSentEvent

from backcast.live.views import Listener

RETRY_MILLISECONDS = 2000


async def messages_of(listener: Listener) -> AsyncIterator[ServerSentEvent]:
    """The listener's messages as server-sent events, until it is cut loose (the browser then
    reconnects and fetches its view afresh) or the client goes away."""
    try:
        yield ServerSentEvent(retry=RETRY_MILLISECONDS, comment="live")
        while True:
            message = await listener.next()
            if message is None:
                return
            yield ServerSentEvent(event=message.event, raw_data=message.data)
    finally:
        listener.close()
