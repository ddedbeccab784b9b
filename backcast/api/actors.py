"""Who must act: the workshop's actors and their roles for items."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from backcast.api import schemas
from backcast.api.deps import current_actor, current_facilitator
from backcast.api.problems import problems
from backcast.db import Database
from backcast.http.deps import get_db
from backcast.i18n import N_
from backcast.models import Facilitator, Participant
from backcast.services import actors
from backcast.services.actors import ActorRow
from backcast.services.errors import Conflict

router = APIRouter(tags=["actors"], responses=problems(401, 403, 404))


def actor_out(row: ActorRow) -> schemas.ActorOut:
    actor = row.actor
    assert actor.id is not None
    return schemas.ActorOut(
        id=actor.id,
        name=actor.name,
        group=actor.group_key,
        status=actor.status,
        roles=[schemas.RoleOut(item=item, role=role) for item, role in sorted(row.roles.items())],
    )


def _one(db: Database, facilitator: Facilitator, code: str, actor_id: int) -> schemas.ActorOut:
    return next(
        actor_out(row) for row in actors.actors_for(db, facilitator, code) if row.actor.id == actor_id
    )


@router.get("/workshops/{code}/actors", response_model=list[schemas.ActorOut])
def list_actors(
    code: str, facilitator: Facilitator = Depends(current_facilitator), db: Database = Depends(get_db)
) -> list[schemas.ActorOut]:
    """The workshop's actors (proposed and confirmed; merged ones left out), each with its roles."""
    return [actor_out(row) for row in actors.actors_for(db, facilitator, code)]


@router.post(
    "/workshops/{code}/actors",
    status_code=201,
    response_model=schemas.ActorOut,
    responses=problems(409, s409="Not a stakeholder group of this workshop, or proposals are closed."),
)
def add_actor(
    code: str,
    body: schemas.ActorIn,
    who: Facilitator | Participant = Depends(current_actor),
    db: Database = Depends(get_db),
) -> schemas.ActorOut:
    """A facilitator adds a confirmed actor (`actor-added`); a participant proposes one while input
    is open, and a name on the list already is that actor."""
    if isinstance(who, Participant):
        if body.name is None:
            raise Conflict(N_("Propose an actor by name."), field="name")
        actor = actors.propose_actor(db, who, code, body.name)
        return schemas.ActorOut(id=actor.id or 0, name=actor.name, group=None, status=actor.status, roles=[])
    actor = actors.add_actor(db, who, code, name=body.name or "", group=body.group)
    return _one(db, who, code, actor.id or 0)


@router.patch(
    "/workshops/{code}/actors/{actor_id}",
    response_model=schemas.ActorOut,
    responses=problems(409, s409="The actor to merge into is this one, or was merged away."),
)
def edit_actor(
    code: str,
    body: schemas.ActorPatch,
    actor_id: int = Path(ge=1, le=2**31 - 1),
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.ActorOut:
    """Renames or confirms an actor, or merges it into another (its roles move there); the answer
    is the actor that remains."""
    if body.name is not None or body.confirmed is not None:
        actors.edit_actor(db, facilitator, code, actor_id, name=body.name, confirmed=body.confirmed)
    if body.merged_into is not None:
        target = actors.merge_actor(db, facilitator, code, actor_id, body.merged_into)
        return _one(db, facilitator, code, target.id or 0)
    return _one(db, facilitator, code, actor_id)


@router.put(
    "/items/{item_id}/roles",
    response_model=schemas.RolesOut,
    responses=problems(
        409, s409="An actor of another workshop or merged away, or an item of a kind without actors."
    ),
)
def set_roles(
    body: schemas.RolesIn,
    item_id: int = Path(ge=1, le=2**31 - 1),
    facilitator: Facilitator = Depends(current_facilitator),
    db: Database = Depends(get_db),
) -> schemas.RolesOut:
    """Sets who does what for a milestone, need or measure, as a whole (`roles-set`)."""
    roles = actors.set_roles(db, facilitator, item_id, [(row.actor, row.role) for row in body.roles])
    return schemas.RolesOut(
        item=item_id,
        roles=[schemas.ActorRoleIn(actor=actor, role=role) for actor, role in sorted(roles.items())],
    )
