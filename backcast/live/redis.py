"""Redis pub/sub: one subscribed connection per process."""

from __future__ import annotations

import os

import redis.asyncio as aioredis

from backcast.db import Database
from backcast.live.broker import CHANNEL, RelayBroker


class RedisBroker(RelayBroker):
    name = "redis"

    def __init__(self, db: Database, url: str) -> None:
        super().__init__(db)
        # Named per process, so an operator (or a test) can tell the servers' connections apart.
        self.client = aioredis.from_url(url, client_name=f"backcast-{os.getpid()}")

    async def _listen_once(self) -> None:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(CHANNEL)
            self._listening()
            while True:
                message = await pubsub.get_message(timeout=30)
                if message is not None and message["type"] == "message":
                    self._received(message["data"])
                elif message is None:
                    await pubsub.ping()  # find out about a dead connection while the room is quiet
        finally:
            await pubsub.aclose()

    async def _send(self, messages: list[str]) -> None:
        async with self.client.pipeline(transaction=False) as pipe:
            for message in messages:
                pipe.publish(CHANNEL, message)
            await pipe.execute()

    async def stop(self) -> None:
        await super().stop()
        await self.client.aclose()
