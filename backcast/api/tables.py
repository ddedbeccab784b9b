"""Breakout tables: set them up, see who sits where, move someone, end the breakout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from backcast.api import schemas
from backcast.api.deps import current_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.models import Facilitator
from backcast.services import tables
from backcast.services.tables import Breakout

router = APIRouter(tags=["tables"], responses=problems(401, 403, 404))


def tables_out(breakout: Breakout | None) -> schemas.TablesOut:
    if breakout is None:
        return schemas.TablesOut(breakout=None, assign=None, seed=None, tables=[], unseated=[])
    return schemas.TablesOut(
        breakout=breakout.number,
        assign=breakout.assign,
        seed=breakout.seed,
        tables=[
            schemas.TableOut(
                id=seated.table.id or 0,
                number=seated.table.number,
                name=seated.table.name,
                scope_item_id=seated.table.scope_item_id,
                scope_text=seated.table.scope_text,
                participants=[person.id or 0 for person in seated.participants],
            )
            for seated in breakout.tables
        ],
        unseated=[person.id or 0 for person in breakout.unseated],
    )


@router.get("/workshops/{code}/tables", response_model=schemas.TablesOut)
def list_tables(
    code: str, facilitator: Facilitator = Depends(current_facilitator), db: Database = Depends(get_db)
) -> schemas.TablesOut:
    """The breakout that is on: its tables and who sits at each; no tables in the plenary."""
    return tables_out(tables.breakout_for(db, facilitator, code))


@router.post(
    "/workshops/{code}/tables",
    status_code=201,
    response_model=schemas.TablesOut,
    responses=problems(
        409,
        s409="A breakout is on already, two tables of one name, or a scope that is no milestone or "
        "need of this workshop.",
    ),
)
def start_breakout(
    code: str,
    body: schemas.TablesIn,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.TablesOut:
    """Sets up 2–12 tables and seats everyone in the room by `assign`; late joiners are seated by
    the same rule. The tables and who sits where."""
    tables.start_breakout(db, facilitator, code, [entry.model_dump() for entry in body.tables], body.assign)
    return tables_out(tables.breakout_for(db, facilitator, code))


@router.put(
    "/workshops/{code}/tables/seats/{participant_id}",
    response_model=schemas.TablesOut,
    responses=problems(409, s409="No breakout is on, or it has no table of this number."),
)
def move_participant(
    code: str,
    body: schemas.SeatIn,
    participant_id: int = Path(ge=1, le=2**31 - 1),
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.TablesOut:
    """Seats a participant at another table; their earlier seat stays in the history."""
    tables.move_participant(db, facilitator, code, participant_id, body.table)
    return tables_out(tables.breakout_for(db, facilitator, code))


@router.delete(
    "/workshops/{code}/tables",
    response_model=schemas.TablesOut,
    responses=problems(409, s409="No breakout is on."),
)
def end_breakout(
    code: str, facilitator: Facilitator = Depends(current_facilitator), db: Database = Depends(get_db)
) -> schemas.TablesOut:
    """Ends the breakout: the room is back in the plenary, the seating kept in the history."""
    tables.end_breakout(db, facilitator, code)
    return tables_out(None)
