"""Who runs a workshop: its owners. Often two do, one at the front and one on the console; every
owner may do everything, including adding and removing the others, but never the last one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from backcast.db import Database
from backcast.events import OwnerAdded, OwnerRemoved
from backcast.i18n import N_
from backcast.models import Facilitator, WorkshopOwner
from backcast.services.accounts import clean_email
from backcast.services.errors import Conflict, NotFound
from backcast.services.eventlog import record
from backcast.services.validate import is_id
from backcast.services.workshops import lock_owned, owned_workshop


@dataclass(frozen=True)
class Owner:
    id: int
    email: str
    added_at: datetime


def _owners(session: Session, workshop_id: int) -> list[Owner]:
    rows = session.exec(
        select(Facilitator, WorkshopOwner.added_at)
        .join(WorkshopOwner, col(WorkshopOwner.facilitator_id) == col(Facilitator.id))
        .where(WorkshopOwner.workshop_id == workshop_id)
        .order_by(col(WorkshopOwner.added_at), col(Facilitator.id))
    )
    return [Owner(facilitator.id or 0, facilitator.email, added_at) for facilitator, added_at in rows]


def owners_of(db: Database, facilitator: Facilitator, code: str) -> list[Owner]:
    """The workshop's owners, the first first; only an owner may see them."""
    workshop = owned_workshop(db, facilitator, code)
    assert workshop.id is not None
    with db.read() as session:
        return _owners(session, workshop.id)


def add_owner(db: Database, facilitator: Facilitator, code: str, email: object) -> list[Owner]:
    """Makes the account with this address a co-owner; already one, nothing changes."""
    address = clean_email(email)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        assert workshop.id is not None
        other = tx.session.exec(select(Facilitator).where(Facilitator.email == address)).first()
        if other is None or other.id is None:
            raise Conflict(
                N_("No facilitator account has this address. They first need an account on this server."),
                field="email",
            )
        if tx.session.get(WorkshopOwner, (workshop.id, other.id)) is None:
            tx.session.add(WorkshopOwner(workshop_id=workshop.id, facilitator_id=other.id))
            record(tx, workshop, OwnerAdded(facilitator_id=other.id), facilitator)
        tx.session.flush()
        return _owners(tx.session, workshop.id)


def remove_owner(db: Database, facilitator: Facilitator, code: str, facilitator_id: object) -> list[Owner]:
    """Removes an owner, oneself included; the last owner stays, or nobody could run the workshop."""
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        assert workshop.id is not None
        row = tx.session.get(WorkshopOwner, (workshop.id, facilitator_id)) if is_id(facilitator_id) else None
        if row is None:
            raise NotFound(N_("This facilitator is not an owner of this workshop."), field="facilitator_id")
        if len(_owners(tx.session, workshop.id)) == 1:
            raise Conflict(
                N_("A workshop keeps at least one facilitator: add another before removing this one.")
            )
        tx.session.delete(row)
        record(tx, workshop, OwnerRemoved(facilitator_id=row.facilitator_id), facilitator)
        tx.session.flush()
        return _owners(tx.session, workshop.id)
