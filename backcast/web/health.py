"""`/healthz`: for load balancers and for people asking "is it up?"."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import text

from backcast import __version__, migrate
from backcast.db import Database
from backcast.web.deps import get_db

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(db: Database = Depends(get_db)) -> JSONResponse:
    head = migrate.head_revision()
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = migrate.current_revision(db.engine)
        reachable = True
    except Exception:  # any failure to reach the store is what this endpoint reports
        current, reachable = None, False
    healthy = reachable and current == head
    body = {
        "status": "ok" if healthy else "unavailable",
        "version": __version__,
        "migration": {"head": head, "current": current},
        "database": {"reachable": reachable, "dialect": db.dialect},
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
