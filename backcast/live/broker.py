"""Brokers carry "workshop W has events up to seq S" between processes.

Services publish from worker threads right after their commit; the broker hands that to this
process's hub at once and, for the real brokers, sends it to the other processes, coalesced per
workshop: only the newest seq matters, since listeners read the events from the table.
A notification carries only the workshop id and seq, never data. The brokers also carry which
accounts have a workshop's console open (`presence.py`): ids, never addresses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

from backcast.db import Database
from backcast.live import presence
from backcast.live.feed import Hub
from backcast.live.views import Channels

log = logging.getLogger(__name__)

CHANNEL = "backcast_events"
BACKOFF_START = 0.1
BACKOFF_MAX = 5.0


def encode(workshop_id: int, seq: int) -> str:
    return f"{workshop_id}:{seq}"


def decode(message: str | bytes) -> tuple[int, int] | None:
    text = message.decode() if isinstance(message, bytes) else message
    workshop, _, seq = text.partition(":")
    try:
        return int(workshop), int(seq)
    except ValueError:
        return None


class Broker:
    """The memory broker, and the base of the others: one process, nothing leaves it."""

    name = "memory"

    def __init__(self, db: Database) -> None:
        self.hub = Hub(db)
        self.channels = Channels(self.hub)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = asyncio.Event()
        self.presence = presence.Presence()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.connected.set()

    def console_opened(self, workshop_id: int, account_id: int) -> None:
        """Called in the event loop when a console's stream opens."""
        self._announce(self.presence.arrive(workshop_id, account_id))

    def console_closed(self, workshop_id: int, account_id: int) -> None:
        self._announce(self.presence.leave(workshop_id, account_id))

    def watching(self, workshop_id: int) -> set[int]:
        """The accounts with this workshop's console open, in every process the broker reaches."""
        return self.presence.watching(workshop_id)

    def _announce(self, message: str) -> None:
        """One process: nobody else to tell."""

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self.channels.stop()
        self.hub.stop()
        self._loop = None

    def publish(self, workshop_id: int, seq: int) -> None:
        """Thread-safe; called by the services after a commit."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # not serving (a CLI command): nobody is listening
        with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
            loop.call_soon_threadsafe(self._published, workshop_id, seq)

    def _published(self, workshop_id: int, seq: int) -> None:
        self.hub.notify(workshop_id, seq)

    def _spawn(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        self._tasks.append(asyncio.create_task(self._forever(name, work), name=name))

    async def _forever(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Runs `work` again after every failure, backing off up to BACKOFF_MAX seconds."""
        delay = BACKOFF_START
        while True:
            try:
                await work()
                delay = BACKOFF_START
            except asyncio.CancelledError:
                raise
            except Exception as error:  # connection lost, server restarting: retry
                self.connected.clear()
                log.warning("%s broker %s: %s; retrying in %.1f s", self.name, name, error, delay)
                await asyncio.sleep(delay * (1 + random.random() / 4))
                delay = min(delay * 2, BACKOFF_MAX)


class RelayBroker(Broker):
    """Shared parts of the brokers that relay between processes."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._pending: dict[int, int] = {}
        self._outbox: list[str] = []
        self._has_pending = asyncio.Event()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._spawn("listener", self._listen_once)
        self._spawn("sender", self._send_forever)
        self._spawn("presence", self._heartbeat)
        # Serve even if the broker is down at start; the listener keeps trying.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), 5)

    def _published(self, workshop_id: int, seq: int) -> None:
        self.hub.notify(workshop_id, seq)
        self._pending[workshop_id] = max(seq, self._pending.get(workshop_id, 0))
        self._has_pending.set()

    def _announce(self, message: str) -> None:
        self._outbox.append(message)
        self._has_pending.set()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(presence.HEARTBEAT)
            for message in self.presence.announcements():
                self._announce(message)

    def _received(self, message: str | bytes) -> None:
        text = message.decode() if isinstance(message, bytes) else message
        if text.startswith(presence.MARK):
            if self.presence.heard(text):
                for announcement in self.presence.announcements():
                    self._announce(announcement)
            return
        parsed = decode(text)
        if parsed is not None:
            self.hub.notify(*parsed)

    def _listening(self) -> None:
        """Called once a (re)connected listener is subscribed: catch up on what was missed."""
        self.connected.set()
        self.hub.wake_all()
        # The others may have forgotten this process's consoles while it was away, and it theirs.
        for message in [*self.presence.announcements(), self.presence.question()]:
            self._announce(message)

    async def _send_forever(self) -> None:
        while True:
            await self._has_pending.wait()
            self._has_pending.clear()
            batch, self._pending = self._pending, {}
            outbox, self._outbox = self._outbox, []
            try:
                await self._send([*(encode(w, s) for w, s in batch.items()), *outbox])
            except Exception:
                # Keep what was not sent; newer seqs for the same workshop supersede it.
                for workshop_id, seq in batch.items():
                    self._pending[workshop_id] = max(seq, self._pending.get(workshop_id, 0))
                self._outbox[:0] = outbox
                self._has_pending.set()
                raise

    async def _listen_once(self) -> None:
        raise NotImplementedError

    async def _send(self, messages: list[str]) -> None:
        raise NotImplementedError
