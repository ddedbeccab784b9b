"""Who must act: the workshop's actors (stakeholder groups or named organisations), proposed by
participants and confirmed, renamed or merged by the facilitator, and their roles for items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from backcast.db import Database, Transaction
from backcast.enums import ROLE_KINDS, ActorStatus, Role
from backcast.events import ActorAdded, ActorEdited, ActorsMerged, RolesSet
from backcast.i18n import N_
from backcast.models import Actor, ActorRole, Facilitator, Item, Participant, StakeholderGroup, Workshop
from backcast.models import limits as L
from backcast.services import validate
from backcast.services.errors import Conflict, NotAllowed, NotFound, PhaseClosed
from backcast.services.eventlog import lock_workshop, record, require_participant
from backcast.services.workshops import lock_owned, viewable_workshop


def _name(value: object) -> str:
    return validate.text(value, "name", max_length=L.ACTOR_NAME_MAX, multiline=False)


def _same_name(tx: Transaction, workshop_id: int, name: str) -> Actor | None:
    for actor in tx.session.exec(
        select(Actor).where(Actor.workshop_id == workshop_id, col(Actor.merged_into_id).is_(None))
    ):
        if actor.name.casefold() == name.casefold():
            return actor
    return None


def _new(tx: Transaction, workshop: Workshop, actor: Actor, by: Facilitator | Participant) -> Actor:
    tx.session.add(actor)
    tx.session.flush()
    assert actor.id is not None
    event = ActorAdded(actor_id=actor.id, actor_name=actor.name, group=actor.group_key, status=actor.status)
    record(tx, workshop, event, by)
    return actor


def add_actor(
    db: Database, facilitator: Facilitator, code: str, *, name: object = "", group: object = None
) -> Actor:
    """A confirmed actor: a stakeholder group of the workshop (named after it unless a name is
    given) or a named organisation."""
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        assert workshop.id is not None
        group_key: str | None = None
        if group is not None and group != "":
            found = tx.session.exec(
                select(StakeholderGroup).where(
                    StakeholderGroup.workshop_id == workshop.id, StakeholderGroup.key == group
                )
            ).first()
            if found is None:
                raise Conflict(N_("Choose one of the stakeholder groups of this workshop."), field="group")
            group_key = found.key
            label = _name(name) if name else found.label
        else:
            label = _name(name)
        return _new(
            tx,
            workshop,
            Actor(workshop_id=workshop.id, name=label, group_key=group_key, by_facilitator=True),
            facilitator,
        )


def propose_actor(db: Database, participant: Participant, code: str, name: object) -> Actor:
    """A participant names an actor while input is open; a name on the list already (in any
    case) is that actor, not a second one."""
    label = _name(name)
    with db.write() as tx:
        workshop = lock_workshop(tx, workshop_id=participant.workshop_id)
        if workshop.code != code:
            raise NotAllowed(N_("You have not joined this workshop."))
        require_participant(tx, participant)
        if not workshop.input_open:
            raise PhaseClosed(N_("Proposals are closed right now."))
        assert workshop.id is not None
        earlier = _same_name(tx, workshop.id, label)
        if earlier is not None:
            return earlier
        actor = Actor(workshop_id=workshop.id, name=label, status=ActorStatus.proposed)
        return _new(tx, workshop, actor, participant)


def _actor(tx: Transaction, workshop: Workshop, actor_id: object, field: str = "actor") -> Actor:
    actor = tx.session.get(Actor, actor_id) if validate.is_id(actor_id) else None
    if actor is None or actor.workshop_id != workshop.id:
        raise NotFound(N_("This workshop has no such actor."), field=field)
    if actor.merged_into_id is not None:
        raise Conflict(N_("This actor was merged into another."), field=field)
    return actor


def edit_actor(
    db: Database,
    facilitator: Facilitator,
    code: str,
    actor_id: object,
    *,
    name: object = None,
    confirmed: bool | None = None,
) -> Actor:
    """Renames an actor, or confirms a proposed one (a confirmed actor stays confirmed)."""
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        actor = _actor(tx, workshop, actor_id)
        new_name = actor.name if name is None else _name(name)
        status = ActorStatus.confirmed if confirmed else ActorStatus(actor.status)
        if (new_name, status) != (actor.name, actor.status):
            actor.name, actor.status = new_name, status
            assert actor.id is not None
            record(
                tx, workshop, ActorEdited(actor_id=actor.id, actor_name=new_name, status=status), facilitator
            )
        return actor


def merge_actor(db: Database, facilitator: Facilitator, code: str, actor_id: object, into: object) -> Actor:
    """Merges a duplicate into another actor of the workshop: its roles move there, except for
    items the other has a role for already. The duplicate stays on record, merged."""
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        actor = _actor(tx, workshop, actor_id)
        try:
            target = _actor(tx, workshop, into, field="merged_into")
        except NotFound:
            # Named in the body, not the path: an actor of another workshop conflicts (409).
            raise Conflict(N_("This workshop has no such actor."), field="merged_into") from None
        if target.id == actor.id:
            raise Conflict(N_("An actor cannot be merged into itself."), field="merged_into")
        assert actor.id is not None and target.id is not None
        taken = set(tx.session.exec(select(ActorRole.item_id).where(ActorRole.actor_id == target.id)))
        for role in tx.session.exec(select(ActorRole).where(ActorRole.actor_id == actor.id)).all():
            if role.item_id in taken:
                tx.session.delete(role)
            else:
                role.actor_id = target.id
        actor.merged_into_id = target.id
        if actor.status == ActorStatus.confirmed or target.status == ActorStatus.confirmed:
            target.status = ActorStatus.confirmed
        record(tx, workshop, ActorsMerged(actor_id=actor.id, merged_into=target.id), facilitator)
        return target


def set_roles(
    db: Database, facilitator: Facilitator, item_id: object, roles: Sequence[tuple[object, object]]
) -> dict[int, str]:
    """The item's roles as a whole: (actor id, role) pairs; an actor named twice keeps the last.
    Only milestones, needs and measures take roles; an actor of another workshop is refused."""
    chosen = [(actor_id, validate.choice(role, "role", Role)) for actor_id, role in roles]
    with db.write() as tx:
        item = tx.session.get(Item, item_id) if validate.is_id(item_id) else None
        if item is None:
            raise NotFound(N_("There is no such item."), field="item")
        workshop = lock_owned(tx, facilitator, _code_of(tx, item.workshop_id))
        if item.kind not in ROLE_KINDS:
            raise Conflict(N_("Only milestones, needs and measures have actors."), field="item")
        wanted: dict[int, str] = {}
        for actor_id, role in chosen:
            actor = tx.session.get(Actor, actor_id) if validate.is_id(actor_id) else None
            if actor is None or actor.workshop_id != workshop.id:
                raise Conflict(N_("Choose actors of this workshop."), field="roles")
            if actor.merged_into_id is not None:
                raise Conflict(N_("This actor was merged into another."), field="roles")
            assert actor.id is not None
            wanted[actor.id] = role.value
        current = {
            row.actor_id: row
            for row in tx.session.exec(select(ActorRole).where(ActorRole.item_id == item.id))
        }
        if {actor_id: row.role for actor_id, row in current.items()} == wanted:
            return wanted
        assert workshop.id is not None and item.id is not None
        for actor_id, row in current.items():
            if actor_id not in wanted:
                tx.session.delete(row)
            else:
                row.role = wanted[actor_id]
        for actor_id, name in wanted.items():
            if actor_id not in current:
                tx.session.add(
                    ActorRole(workshop_id=workshop.id, actor_id=actor_id, item_id=item.id, role=name)
                )
        event = RolesSet(
            item_id=item.id, roles={str(actor_id): role for actor_id, role in sorted(wanted.items())}
        )
        record(tx, workshop, event, facilitator)
        return wanted


def _code_of(tx: Transaction, workshop_id: int) -> str:
    workshop = tx.session.get(Workshop, workshop_id)
    assert workshop is not None
    return workshop.code


@dataclass(frozen=True)
class ActorRow:
    actor: Actor
    roles: dict[int, str]  # item id → role


def actors_of(session: Session, workshop_id: int, *, include_merged: bool = False) -> list[ActorRow]:
    """The workshop's actors as they were added, each with its roles."""
    query = select(Actor).where(Actor.workshop_id == workshop_id).order_by(col(Actor.id))
    if not include_merged:
        query = query.where(col(Actor.merged_into_id).is_(None))
    roles: dict[int, dict[int, str]] = {}
    for row in session.exec(select(ActorRole).where(ActorRole.workshop_id == workshop_id)):
        roles.setdefault(row.actor_id, {})[row.item_id] = row.role
    return [ActorRow(actor, roles.get(actor.id or 0, {})) for actor in session.exec(query)]


def actors_for(db: Database, facilitator: Facilitator, code: str) -> list[ActorRow]:
    workshop = viewable_workshop(db, facilitator, code)
    assert workshop.id is not None
    with db.read() as session:
        return actors_of(session, workshop.id)


def set_role(
    db: Database, facilitator: Facilitator, code: str, actor_id: object, item_id: object, role: object
) -> dict[int, str]:
    """One actor's role for one item, the item's other roles kept; an empty role removes it."""
    workshop = viewable_workshop(db, facilitator, code)
    with db.read() as session:
        item = session.get(Item, item_id) if validate.is_id(item_id) else None
        if item is None or item.workshop_id != workshop.id:
            raise NotFound(N_("There is no such item."), field="item")
        current: list[tuple[object, object]] = [
            (row.actor_id, row.role)
            for row in session.exec(select(ActorRole).where(ActorRole.item_id == item.id))
            if row.actor_id != actor_id
        ]
    chosen = current if role in (None, "") else [*current, (actor_id, role)]
    return set_roles(db, facilitator, item.id, chosen)
