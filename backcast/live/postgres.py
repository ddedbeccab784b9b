"""PostgreSQL LISTEN/NOTIFY: one listening connection per process, not per subscriber.

NOTIFY goes out on a connection of its own, after the writer's commit: a transaction that
notifies takes a global lock at commit, which would serialise every writer.
"""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import make_url

from backcast.db import Database
from backcast.live.broker import CHANNEL, RelayBroker


def libpq_url(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresBroker(RelayBroker):
    name = "postgres"

    def __init__(self, db: Database, url: str) -> None:
        super().__init__(db)
        self.conninfo = libpq_url(url)
        self._sender: psycopg.AsyncConnection | None = None

    async def _listen_once(self) -> None:
        async with await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, application_name="backcast-listener"
        ) as connection:
            await connection.execute(f"LISTEN {CHANNEL}")
            self._listening()
            async for notify in connection.notifies():
                self._received(notify.payload)

    async def _send(self, messages: list[str]) -> None:
        if self._sender is None or self._sender.closed:
            self._sender = await psycopg.AsyncConnection.connect(
                self.conninfo, autocommit=True, application_name="backcast-notifier"
            )
        try:
            await self._sender.execute(
                "SELECT pg_notify(%s, message) FROM unnest(%s::text[]) AS message", (CHANNEL, messages)
            )
        except Exception:
            await self._sender.close()
            self._sender = None
            raise

    async def stop(self) -> None:
        await super().stop()
        if self._sender is not None:
            await self._sender.close()
            self._sender = None
