"""Retention in a running server: closed workshops lose their participants' names and tokens once
`BACKCAST_RETENTION_DAYS` have passed, checked at start-up and then once a day."""

from __future__ import annotations

import asyncio
import logging

from backcast.db import Database
from backcast.services import participants

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 24 * 3600


def apply_retention(db: Database, days: int) -> None:
    """One run; a failure is logged and left for the next run, never stops the server."""
    try:
        changed = participants.anonymise_closed_workshops(db, days)
    except Exception:
        log.exception("retention: anonymising closed workshops failed")
        return
    for code, count in changed.items():
        log.info("retention: workshop %s closed for %d days, %d participants anonymised", code, days, count)


async def retain_daily(db: Database, days: int) -> None:
    while True:
        await asyncio.sleep(INTERVAL_SECONDS)
        await asyncio.to_thread(apply_retention, db, days)
