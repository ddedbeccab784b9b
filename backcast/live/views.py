"""Render once, send to many: live HTML for the phone, screen and console views.

Per workshop, view and language, one channel listens to the workshop's feed, waits a short
coalescing window, renders the changed fragments once and queues the same text for every
listener of that view. Personal parts are never rendered here: a small event tells each client
to fetch its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from backcast.live.feed import Hub, Subscription
from backcast.live.stream import frame
from backcast.models import EventRecord

log = logging.getLogger(__name__)

COALESCE_SECONDS = 0.15
LISTENER_LIMIT = 64  # messages queued for one listener before it is cut loose


@dataclass(frozen=True)
class Message:
    event: str
    data: str
    # The last message of this view for its listeners: their streams end after it, and each
    # browser reconnects to the view that is now its own (a phone seated at another table).
    ends: bool = False

    @cached_property
    def frame(self) -> bytes:
        """Encoded once, however many listeners receive it."""
        return frame(event=self.event, data=self.data)


class View(Protocol):
    name: str

    def messages(self, workshop_id: int, events: Sequence[EventRecord], language: str) -> list[Message]:
        """What every listener of this view should receive for these new events (runs in a thread)."""
        ...


class Listener:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[Message | None] = asyncio.Queue()
        self.dropped = False

    def offer(self, message: Message) -> None:
        if self.dropped:
            return
        if self.queue.qsize() >= LISTENER_LIMIT:
            self.dropped = True
            self.queue.put_nowait(None)
            self.channel.remove(self)
            return
        self.queue.put_nowait(message)

    async def next_frames(self) -> bytes | None:
        """Every message waiting, as one chunk; None once cut loose (the browser then reconnects
        and fetches its view afresh)."""
        if self.dropped and self.queue.empty():
            return None
        message = await self.queue.get()
        if message is None:
            return None
        frames = [message.frame]
        while not self.queue.empty():
            waiting = self.queue.get_nowait()
            if waiting is None:
                break  # the end comes with the next call: `dropped` is set and the queue is empty
            frames.append(waiting.frame)
        return b"".join(frames)

    def close(self) -> None:
        self.channel.remove(self)

    def end(self) -> None:
        """Ends the stream once what is queued has gone out."""
        if not self.dropped:
            self.dropped = True
            self.queue.put_nowait(None)
            self.channel.remove(self)


class Channel:
    def __init__(
        self, registry: Channels, key: tuple[str, int, str], view: View, subscription: Subscription
    ) -> None:
        self.registry = registry
        self.key = key
        self.view = view
        self.subscription = subscription
        self.listeners: set[Listener] = set()
        self._task = asyncio.create_task(self._run(), name=f"view-{key}")

    def remove(self, listener: Listener) -> None:
        self.listeners.discard(listener)
        if not self.listeners:
            self.registry.retire(self)

    def stop(self) -> None:
        self._task.cancel()
        self.subscription.close()

    async def _run(self) -> None:
        _, workshop_id, language = self.key
        while True:
            batch = await self.subscription.next_batch()
            if batch is None:  # the channel itself fell behind: start over from a fresh subscription
                self.subscription = await self.registry.hub.subscribe(workshop_id)
                continue
            events = list(batch.events)
            # Coalesce: whatever else arrives within the window is rendered in the same pass.
            await asyncio.sleep(COALESCE_SECONDS)
            while not self.subscription.queue.empty():
                more = self.subscription.queue.get_nowait()
                if more is None:
                    break
                self.subscription.pending -= len(more.events)
                events.extend(more.events)
            try:
                messages = await asyncio.to_thread(self.view.messages, workshop_id, events, language)
            except Exception:  # a rendering bug must not end the channel for everyone
                log.exception("rendering %s failed", self.key)
                continue
            for message in messages:
                for listener in list(self.listeners):
                    listener.offer(message)
                    if message.ends:
                        listener.end()


class Channels:
    """Every live view channel of this process."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.channels: dict[tuple[str, int, str], Channel] = {}

    async def listen(self, view: View, workshop_id: int, language: str) -> Listener:
        key = (view.name, workshop_id, language)
        channel = self.channels.get(key)
        if channel is None:
            subscription = await self.hub.subscribe(workshop_id)
            channel = self.channels.get(key)
            if channel is None:
                channel = self.channels[key] = Channel(self, key, view, subscription)
            else:
                subscription.close()
        listener = Listener(channel)
        channel.listeners.add(listener)
        return listener

    def retire(self, channel: Channel) -> None:
        if self.channels.get(channel.key) is channel:
            del self.channels[channel.key]
        channel.stop()

    def stop(self) -> None:
        for channel in list(self.channels.values()):
            with contextlib.suppress(Exception):
                channel.stop()
        self.channels.clear()
