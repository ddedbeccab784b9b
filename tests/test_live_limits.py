"""Listeners come and go by the thousand and leave nothing behind; a slow one is cut loose."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx

from backcast.db import Database
from backcast.enums import Phase
from backcast.live.broker import Broker
from backcast.services import items
from tests import factories
from tests import server as real_server
from tests.live_helpers import facilitator_token, open_room, sqlite_url
from tests.sse import Connection


def test_a_listener_that_does_not_read_is_cut_loose_and_the_others_go_on(sqlite_db: Database) -> None:
    shop = factories.workshop(sqlite_db)
    factories.phase(sqlite_db, shop, Phase.vision)
    person, _ = factories.join(sqlite_db, shop)

    async def scenario() -> tuple[int, bool, int]:
        broker = Broker(sqlite_db)
        broker.hub.queue_limit = 10
        sqlite_db.publisher = broker
        await broker.start()
        try:
            reader = await broker.hub.subscribe(shop.id)
            sleeper = await broker.hub.subscribe(shop.id)
            received = 0

            async def read() -> None:
                nonlocal received
                while received < 30:
                    batch = await reader.next_batch()
                    assert batch is not None
                    received += len(batch.events)

            consumer = asyncio.create_task(read())
            for n in range(30):
                await asyncio.to_thread(
                    items.add_item, sqlite_db, person, shop.code, kind="vision", text=f"V{n}"
                )
            await asyncio.wait_for(consumer, 5)
            feed = broker.hub.feeds[shop.id]
            return received, sleeper.dropped, len(feed.subscriptions)
        finally:
            await broker.stop()

    received, dropped, remaining = asyncio.run(scenario())
    assert (received, dropped, remaining) == (30, True, 1)


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_10000_connect_disconnect_cycles_leave_no_tasks_queues_or_memory(tmp_path: Path) -> None:
    live = real_server.start(tmp_path)
    try:
        token = facilitator_token(sqlite_url(tmp_path))
        room = open_room(live.base_url, token)
        url, headers = room.events_url(), room.facilitator

        def cycle(_: int) -> None:
            connection = Connection(url, headers)
            try:
                assert connection.status == 200
                next(connection.body())  # the first event: the stream is open and subscribed
            finally:
                connection.close()

        def figures() -> dict[str, int]:
            return httpx.get(f"{live.base_url}/healthz").json()["live"]

        def settle(tasks: int) -> dict[str, int]:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                now = figures()
                if now["feeds"] == 0 and now["listeners"] == 0 and now["tasks"] <= tasks:
                    break
                time.sleep(0.1)
            return now

        idle = figures()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(cycle, range(500)))  # warm-up: caches, pools and allocator arenas fill once
            settle(idle["tasks"])
            rss_before = _rss_kib(live.process.pid)
            list(pool.map(cycle, range(10_000)))
        after = settle(idle["tasks"])
        grown_kib = _rss_kib(live.process.pid) - rss_before
    finally:
        live.stop()

    assert (after["feeds"], after["listeners"], after["tasks"]) == (0, 0, idle["tasks"])
    assert grown_kib < 8 * 1024, f"memory grew by {grown_kib} KiB over 10,000 cycles"
