"""A workshop's owners: every owner may add a co-owner by account address, or remove one."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Path

from backcast.api import schemas
from backcast.api.deps import current_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.models import Facilitator
from backcast.services import owners
from backcast.services.owners import Owner

router = APIRouter(tags=["workshops"], responses=problems(401, 403, 404))


def _out(found: list[Owner]) -> list[schemas.OwnerOut]:
    return [schemas.OwnerOut(**asdict(owner)) for owner in found]


@router.get("/workshops/{code}/owners", response_model=list[schemas.OwnerOut])
def list_owners(
    code: str, facilitator: Facilitator = Depends(current_facilitator), db: Database = Depends(get_db)
) -> list[schemas.OwnerOut]:
    """The facilitators who run this workshop, the first first."""
    return _out(owners.owners_of(db, facilitator, code))


@router.post(
    "/workshops/{code}/owners",
    response_model=list[schemas.OwnerOut],
    responses=problems(409, s409="No facilitator account has this address."),
)
def add_owner(
    code: str,
    body: schemas.OwnerIn,
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> list[schemas.OwnerOut]:
    """Makes another facilitator's account a co-owner (409 when no account has the address); the
    owners after the change."""
    return _out(owners.add_owner(db, facilitator, code, body.email))


@router.delete(
    "/workshops/{code}/owners/{facilitator_id}",
    response_model=list[schemas.OwnerOut],
    responses=problems(409),
)
def remove_owner(
    code: str,
    facilitator_id: int = Path(ge=1, le=2**31 - 1),
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> list[schemas.OwnerOut]:
    """Removes an owner, oneself included; 409 for the last one. The owners after the change."""
    return _out(owners.remove_owner(db, facilitator, code, facilitator_id))
