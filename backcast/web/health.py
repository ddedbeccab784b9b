"""`/healthz`: for load balancers, monitoring, and people asking "is it up?"."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from backcast import __version__, migrate
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.live.broker import Broker

router = APIRouter(include_in_schema=False)


def _store(db: Database) -> tuple[bool, str | None]:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True, migrate.current_revision(db.engine)
    except Exception:  # any failure to reach the store is what this endpoint reports
        return False, None


def live_figures(broker: Broker) -> dict[str, Any]:
    """How many workshops and listeners this process serves: a leak shows here first."""
    feeds = list(broker.hub.feeds.values())
    return {
        "broker": broker.name,
        "connected": broker.connected.is_set(),
        "feeds": len(feeds),
        "listeners": sum(len(feed.subscriptions) for feed in feeds),
        "views": len(broker.channels.channels),
        "view_listeners": sum(len(c.listeners) for c in broker.channels.channels.values()),
        "tasks": len(asyncio.all_tasks()),
    }


@router.get("/healthz")
async def healthz(request: Request, db: Database = Depends(get_db)) -> JSONResponse:
    head = migrate.head_revision()
    reachable, current = await asyncio.to_thread(_store, db)
    healthy = reachable and current == head
    body = {
        "status": "ok" if healthy else "unavailable",
        "version": __version__,
        "migration": {"head": head, "current": current},
        "database": {"reachable": reachable, "dialect": db.dialect},
        "live": live_figures(request.app.state.broker),
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
