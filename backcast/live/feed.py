"""Per-process fan-out of a workshop's new events.

One feed per workshop with listeners: it wakes on a notification (or a slow safety poll), reads
the new events from the event table once, and offers them to every subscription. A subscription
that falls too far behind is cut loose instead of slowing the others; its client reconnects with
`Last-Event-ID` and catches up from the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from backcast.db import Database
from backcast.models import EventRecord, Workshop
from backcast.services.eventlog import events_since

log = logging.getLogger(__name__)

# Notifications can be lost while a broker reconnects; a feed with listeners polls this often anyway.
SAFETY_POLL_SECONDS = 5.0
QUEUE_LIMIT = 2000
GATHER_SECONDS = 0.02


@dataclass(frozen=True)
class Batch:
    events: Sequence[EventRecord]
    _encoded: dict[Callable[[EventRecord], bytes], bytes] = field(default_factory=dict, compare=False)

    def encoded(self, encode: Callable[[EventRecord], bytes]) -> bytes:
        """The batch's events in one encoding, built once for every subscription that sends them."""
        text = self._encoded.get(encode)
        if text is None:
            text = self._encoded[encode] = b"".join(encode(event) for event in self.events)
        return text


class Subscription:
    """One listener's bounded queue of event batches."""

    def __init__(self, feed: Feed, limit: int) -> None:
        self.feed = feed
        self.queue: asyncio.Queue[Batch | None] = asyncio.Queue()
        self.limit = limit
        self.pending = 0
        self.dropped = False

    def offer(self, batch: Batch) -> None:
        if self.dropped:
            return
        if self.pending and self.pending + len(batch.events) > self.limit:
            # Too slow to keep up: stop queueing for it and let it end; the others go on. One that
            # has read everything takes any batch, however many events gathered in it.
            self.dropped = True
            self.queue.put_nowait(None)
            self.feed.remove(self)
            return
        self.pending += len(batch.events)
        self.queue.put_nowait(batch)

    async def next_batch(self) -> Batch | None:
        """The next batch, or None when this subscription was cut loose."""
        batch = await self.queue.get()
        if batch is not None:
            self.pending -= len(batch.events)
        return batch

    def close(self) -> None:
        self.feed.remove(self)


class Feed:
    def __init__(self, hub: Hub, workshop_id: int, last_seq: int) -> None:
        self.hub = hub
        self.workshop_id = workshop_id
        self.last_seq = last_seq
        self.subscriptions: set[Subscription] = set()
        self._wake = asyncio.Event()
        # Read at once: notifications sent before this feed existed found nobody to wake.
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name=f"feed-{workshop_id}")

    def wake(self, seq: int | None) -> None:
        if seq is None or seq > self.last_seq:
            self._wake.set()

    def remove(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)
        if not self.subscriptions:
            self.hub.retire(self)

    def stop(self) -> None:
        self._task.cancel()

    async def _run(self) -> None:
        while True:
            # A timeout scope, not wait_for: on Python 3.11 wait_for can swallow the cancellation
            # that retires a feed when its wake-up arrives at the same moment, leaving it running.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SAFETY_POLL_SECONDS):
                    await self._wake.wait()
            # Let a burst of commits gather first: under load one read and one write per listener
            # then carry many events instead of one each.
            await asyncio.sleep(GATHER_SECONDS)
            self._wake.clear()
            try:
                events = await asyncio.to_thread(self._read, self.last_seq)
            except Exception:  # a store hiccup must not end the feed; the next wake retries
                log.exception("reading events of workshop %s failed", self.workshop_id)
                await asyncio.sleep(0.5)
                self._wake.set()
                continue
            if events:
                self.last_seq = events[-1].seq
                batch = Batch(events)
                for subscription in list(self.subscriptions):
                    subscription.offer(batch)
                if len(events) == self.hub.read_limit:
                    self._wake.set()  # more are waiting

    def _read(self, after_seq: int) -> list[EventRecord]:
        with self.hub.db.read() as session:
            return events_since(session, self.workshop_id, after_seq, limit=self.hub.read_limit)


class Hub:
    """All feeds of this process."""

    def __init__(self, db: Database, *, read_limit: int = 500, queue_limit: int = QUEUE_LIMIT) -> None:
        self.db = db
        self.read_limit = read_limit
        self.queue_limit = queue_limit
        self.feeds: dict[int, Feed] = {}

    async def subscribe(self, workshop_id: int) -> Subscription:
        """A subscription to every event committed from now on (and possibly a few before)."""
        feed = self.feeds.get(workshop_id)
        if feed is None:
            last_seq = await asyncio.to_thread(self._current_seq, workshop_id)
            feed = self.feeds.get(workshop_id)  # another subscriber may have made it meanwhile
            if feed is None:
                feed = self.feeds[workshop_id] = Feed(self, workshop_id, last_seq)
        subscription = Subscription(feed, self.queue_limit)
        feed.subscriptions.add(subscription)
        return subscription

    def notify(self, workshop_id: int, seq: int | None) -> None:
        feed = self.feeds.get(workshop_id)
        if feed is not None:
            feed.wake(seq)

    def wake_all(self) -> None:
        """After a broker reconnect: every feed reads what it may have missed."""
        for feed in self.feeds.values():
            feed.wake(None)

    def retire(self, feed: Feed) -> None:
        if self.feeds.get(feed.workshop_id) is feed:
            del self.feeds[feed.workshop_id]
        feed.stop()

    def stop(self) -> None:
        for feed in list(self.feeds.values()):
            feed.stop()
        self.feeds.clear()

    def _current_seq(self, workshop_id: int) -> int:
        with self.db.read() as session:
            workshop = session.get(Workshop, workshop_id)
            return workshop.last_seq if workshop else 0
