"""The floor for bench/rating.py: a bare FastAPI app doing the least a rating or a dot must do.

    BENCH_FLOOR_DB=path/to/backcast.sqlite3 uvicorn rating_floor:app

It serves backcast's two write paths, `PUT /api/v1/items/{id}/ratings` and `.../dots`, on a copy
of the same database (same tables, constraints and indexes), and per request only looks the bearer
token up and upserts the values, both in one transaction, on one connection in WAL mode with
synchronous=NORMAL as backcast runs SQLite. It checks nothing else (no phase, no item, no scale,
no budget) and keeps no event log: what backcast does beyond this is what the ratio measures.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from datetime import UTC, datetime

from fastapi import Body, FastAPI, HTTPException, Request
from pydantic import BaseModel

app = FastAPI()
connection = sqlite3.connect(os.environ["BENCH_FLOOR_DB"], isolation_level=None, check_same_thread=False)
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("PRAGMA synchronous=NORMAL")
connection.execute("PRAGMA foreign_keys=ON")
# Criteria by key, read once: (workshop id, key) → (criterion id, scale min, scale max).
criteria = {
    (workshop_id, key): (criterion_id, low, high)
    for criterion_id, workshop_id, key, low, high in connection.execute(
        "SELECT id, workshop_id, key, scale_min, scale_max FROM criterion"
    )
}


class DotsIn(BaseModel):
    count: int


def bearer(request: Request) -> str:
    return hashlib.sha256(request.headers["authorization"].removeprefix("Bearer ").encode()).hexdigest()


def participant(token_hash: str) -> tuple[int, int]:
    row = connection.execute(
        "SELECT id, workshop_id FROM participant WHERE token_hash = ?", (token_hash,)
    ).fetchone()
    if row is None:
        raise HTTPException(401)
    return row


def now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")


@app.put("/api/v1/items/{item_id}/ratings")
async def rate(item_id: int, request: Request, values: dict[str, int | None] = Body()) -> dict[str, object]:
    token_hash = bearer(request)
    connection.execute("BEGIN IMMEDIATE")
    try:
        participant_id, workshop_id = participant(token_hash)
        stamp = now()
        for key, value in values.items():
            criterion_id, low, high = criteria[(workshop_id, key)]
            connection.execute(
                "INSERT INTO rating (workshop_id, participant_id, item_id, criterion_id, scale_min, "
                "scale_max, value, rated_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (participant_id, item_id, criterion_id) "
                "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (workshop_id, participant_id, item_id, criterion_id, low, high, value, stamp, stamp),
            )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return {"item_id": item_id, "values": values}


@app.put("/api/v1/items/{item_id}/dots")
async def dots(item_id: int, request: Request, body: DotsIn) -> dict[str, int]:
    token_hash = bearer(request)
    connection.execute("BEGIN IMMEDIATE")
    try:
        participant_id, workshop_id = participant(token_hash)
        connection.execute(
            "INSERT INTO dots (workshop_id, participant_id, item_id, count, updated_at) "
            "VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (participant_id, item_id) "
            "DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at",
            (workshop_id, participant_id, item_id, body.count, now()),
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return {"item_id": item_id, "count": body.count}
