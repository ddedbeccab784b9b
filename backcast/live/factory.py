"""The broker that `BACKCAST_BROKER` names."""

from __future__ import annotations

from backcast.db import Database
from backcast.live.broker import Broker
from backcast.settings import Settings


def make_broker(settings: Settings, db: Database) -> Broker:
    if settings.broker == "postgres":
        if db.dialect != "postgresql":
            raise ValueError("BACKCAST_BROKER=postgres needs PostgreSQL as BACKCAST_DATABASE_URL")
        from backcast.live.postgres import PostgresBroker

        return PostgresBroker(db, db.engine.url.render_as_string(hide_password=False))
    if settings.broker == "redis":
        from backcast.live.redis import RedisBroker

        return RedisBroker(db, settings.redis_url)
    return Broker(db)
