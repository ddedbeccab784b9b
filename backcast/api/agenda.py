"""The action agenda with its follow-up: each entry's status and the dated history of changes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from backcast.api import schemas
from backcast.api.deps import current_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.models import Facilitator
from backcast.services import agenda
from backcast.services.agenda import FollowedEntry

router = APIRouter(tags=["agenda"], responses=problems(401, 403, 404))


def entry_out(followed: FollowedEntry) -> schemas.AgendaEntryOut:
    entry = followed.entry
    assert entry.id is not None
    return schemas.AgendaEntryOut(
        id=entry.id,
        item_id=entry.item_id,
        text=followed.text,
        owner=entry.owner,
        start_year=entry.start_year,
        note=entry.note,
        position=entry.position,
        status=entry.status,
        history=[
            schemas.AgendaHistoryOut(
                id=row.id or 0,
                previous_status=row.previous_status,
                status=row.status,
                changed_on=row.changed_on,
                note=row.note,
                recorded_at=row.recorded_at,
            )
            for row in followed.history
        ],
    )


@router.get("/workshops/{code}/agenda", response_model=list[schemas.AgendaEntryOut])
def list_agenda(
    code: str, facilitator: Facilitator = Depends(current_facilitator), db: Database = Depends(get_db)
) -> list[schemas.AgendaEntryOut]:
    """The agenda in its order, each entry with its status and its history of changes."""
    return [entry_out(followed) for followed in agenda.agenda_for(db, facilitator, code)]


@router.patch(
    "/workshops/{code}/agenda/{entry_id}",
    response_model=schemas.AgendaEntryOut,
    responses=problems(409, s409="The date is before the workshop."),
)
def set_agenda_status(
    code: str,
    body: schemas.AgendaStatusIn,
    entry_id: int = Path(ge=1, le=2**31 - 1),
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.AgendaEntryOut:
    """Sets an entry's status with the day and a note; each change is added to the entry's
    history, never overwritten (`agenda-status-changed`). The same status without a note changes
    nothing. 404 for an entry not on this workshop's agenda."""
    agenda.set_agenda_status(
        db, facilitator, code, entry_id, status=body.status, changed_on=body.changed_on, note=body.note
    )
    return entry_out(agenda.followed_entry(db, facilitator, code, entry_id))
