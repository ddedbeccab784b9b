"""The baseline for bench/live.py: a bare FastAPI server-sent-events fan-out, nothing else."""

import asyncio

from fastapi import FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent

app = FastAPI()
listeners: set[asyncio.Queue[str]] = set()


@app.put("/rate/{n}")
async def rate(n: int) -> dict[str, int]:
    for queue in listeners:
        queue.put_nowait(str(n))
    return {"n": n}


@app.get("/events", response_class=EventSourceResponse)
async def events(feed: bool = False):  # type: ignore[no-untyped-def]
    """`feed=1` listeners get every rating (as backcast's JSON streams do); the rest stay idle."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    if feed:
        listeners.add(queue)
    try:
        yield ServerSentEvent(comment="open")
        while True:
            yield ServerSentEvent(event="rated", data=await queue.get())
    finally:
        listeners.discard(queue)
