"""Contributions: adding, editing, withdrawing, and the facilitator's moderation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from backcast.db import Database, Transaction
from backcast.enums import KIND_PHASE, LINK_TARGET, PHASE_ORDER, ItemKind, Phase
from backcast.events import (
    ItemAdded,
    ItemAdopted,
    ItemEdited,
    ItemHidden,
    ItemLinksSet,
    ItemMerged,
    ItemUnhidden,
    ItemWithdrawn,
)
from backcast.i18n import N_
from backcast.models import Facilitator, Item, Link, Participant, Workshop, utcnow
from backcast.models import limits as L
from backcast.services import tables, validate
from backcast.services.errors import Conflict, Invalid, NotAllowed, NotFound, PhaseClosed
from backcast.services.eventlog import Actor, lock_workshop, record, require_participant
from backcast.services.workshops import lock_owned

MAX_LINKS = L.MAX_LINKS

# "Leave unchanged" for optional fields where None is a value (a year may be cleared).
UNSET: Any = object()


def _item_year(workshop: Workshop, kind: ItemKind, year: object, *, kind_given: bool = True) -> int | None:
    """The year an item of `kind` gets. A year outside the workshop's span (but a year at all)
    conflicts with the workshop, as does clearing a stored milestone's year (`kind_given` false)."""
    if kind == ItemKind.milestone:
        if year is None:
            missing = Invalid if kind_given else Conflict
            raise missing(N_("Give the year of this milestone."), field="year")
        return _in_span(validate.year(year, "year"), workshop.present_year + 1, workshop.vision_year)
    if kind == ItemKind.vision:
        return workshop.vision_year
    if year is None:
        return None
    return _in_span(validate.year(year, "year"), workshop.present_year, workshop.vision_year)


def _in_span(year: int, minimum: int, maximum: int) -> int:
    if not minimum <= year <= maximum:
        raise Conflict(
            N_("This must be between %(minimum)d and %(maximum)d."),
            field="year",
            minimum=minimum,
            maximum=maximum,
        )
    return year


def _link_targets(tx: Transaction, workshop: Workshop, kind: ItemKind, links: Sequence[object]) -> list[int]:
    if not links:
        return []
    target_kind = LINK_TARGET.get(kind)
    if target_kind is None:
        raise Invalid(N_("This kind of item takes no links."), field="links")
    if len(links) > MAX_LINKS:
        raise Invalid(N_("At most %(max)d links."), field="links", max=MAX_LINKS)
    ids = []
    for link in links:
        if isinstance(link, bool) or not isinstance(link, int):
            raise Invalid(N_("Links are item ids."), field="links")
        if not validate.is_id(link):
            raise Invalid(
                N_("Item %(id)s is not a %(kind)s of this workshop."),
                field="links",
                id=link,
                kind=target_kind.value,
            )
        if link not in ids:
            ids.append(link)
    found = tx.session.exec(
        select(Item.id).where(
            col(Item.id).in_(ids),
            Item.workshop_id == workshop.id,
            Item.kind == target_kind,
            col(Item.withdrawn).is_(False),
            col(Item.merged_into_id).is_(None),
        )
    ).all()
    missing = [link for link in ids if link not in set(found)]
    if missing:
        # A well-formed id that names no such item of the workshop conflicts with its state.
        raise Conflict(
            N_("Item %(id)s is not a %(kind)s of this workshop."),
            field="links",
            id=missing[0],
            kind=target_kind.value,
        )
    return ids


def _require_open_for(workshop: Workshop, kind: ItemKind) -> None:
    if workshop.phase != KIND_PHASE[kind] or not workshop.input_open:
        raise PhaseClosed(N_("Contributions of this kind are closed right now."))


def add_item(
    db: Database,
    actor: Participant | Facilitator,
    code: str,
    *,
    kind: str,
    text: str,
    year: object = None,  # checked here: a form's text that is no number is refused by name
    links: Sequence[int] = (),
    client_key: str | None = None,
    table: object = None,
) -> Item:
    """A new contribution. A participant's is accepted only in its phase while input is open;
    a retried submission with the same `client_key` returns the first one. During a breakout it
    belongs to the participant's table; `table`, when the client names the table it shows, must be
    that one (a phone showing a table its participant was moved from is refused, not misfiled)."""
    if table is not None and not validate.is_id(table):
        raise Invalid(N_("Give the table's number."), field="table")
    item_kind = validate.choice(kind, "kind", ItemKind)
    body = validate.text(text, "text", max_length=L.ITEM_TEXT_MAX)
    if client_key is not None:
        client_key = validate.text(client_key, "client_key", max_length=L.CLIENT_KEY_MAX, multiline=False)
    with db.write() as tx:
        if isinstance(actor, Facilitator):
            workshop = lock_owned(tx, actor, code)
        else:
            workshop = lock_workshop(tx, workshop_id=actor.workshop_id)
            if workshop.code != code:
                raise NotAllowed(N_("You have not joined this workshop."))
            require_participant(tx, actor)
            if client_key:
                earlier = tx.session.exec(
                    select(Item).where(Item.author_id == actor.id, Item.client_key == client_key)
                ).first()
                if earlier is not None:
                    return earlier
            _require_open_for(workshop, item_kind)
        assert workshop.id is not None
        seat = tables.seat_of(tx.session, actor.id) if isinstance(actor, Participant) and actor.id else None
        if table is not None and (seat is None or seat.id != table):
            raise Conflict(
                N_("You do not sit at this table now: the page shows your table again."), field="table"
            )
        item_year = _item_year(workshop, item_kind, year)
        targets = _link_targets(tx, workshop, item_kind, links)
        item = Item(
            workshop_id=workshop.id,
            kind=item_kind,
            text=body,
            year=item_year,
            author_id=actor.id if isinstance(actor, Participant) else None,
            by_facilitator=isinstance(actor, Facilitator),
            client_key=client_key if isinstance(actor, Participant) else None,
            table_id=seat.id if seat else None,
        )
        tx.session.add(item)
        tx.session.flush()
        assert item.id is not None
        for target in targets:
            tx.session.add(Link(workshop_id=workshop.id, from_id=item.id, to_id=target))
        record(
            tx,
            workshop,
            ItemAdded(
                item_id=item.id,
                kind=item_kind,
                text=body,
                year=item_year,
                author_id=item.author_id,
                by_facilitator=item.by_facilitator,
                links=targets,
                table_id=item.table_id,
            ),
            actor,
        )
        return item


def _lock_item(tx: Transaction, item_id: object) -> tuple[Workshop, Item]:
    if not validate.is_id(item_id):
        raise NotFound(N_("There is no such item."), field="item")
    workshop_id = tx.session.exec(select(Item.workshop_id).where(Item.id == item_id)).first()
    if workshop_id is None:
        raise NotFound(N_("There is no such item."), field="item")
    workshop = lock_workshop(tx, workshop_id=workshop_id)
    item = tx.session.get(Item, item_id)
    if item is None:  # deleted while we waited for the lock
        raise NotFound(N_("There is no such item."), field="item")
    return workshop, item


def _apply_edit(tx: Transaction, workshop: Workshop, item: Item, text: Any, year: Any, actor: Actor) -> None:
    new_text = item.text if text is UNSET else validate.text(text, "text", max_length=L.ITEM_TEXT_MAX)
    kind = ItemKind(item.kind)
    new_year = item.year if year is UNSET else _item_year(workshop, kind, year, kind_given=False)
    if (new_text, new_year) == (item.text, item.year):
        return
    item.text, item.year, item.updated_at = new_text, new_year, utcnow()
    assert item.id is not None
    record(tx, workshop, ItemEdited(item_id=item.id, text=new_text, year=new_year), actor)


def edit_own_item(
    db: Database, participant: Participant, item_id: int, *, text: Any = UNSET, year: Any = UNSET
) -> Item:
    with db.write() as tx:
        workshop, item = _lock_item(tx, item_id)
        _require_author(participant, item)
        _require_open_for(workshop, ItemKind(item.kind))
        if item.withdrawn or item.merged_into_id is not None:
            raise Conflict(N_("This contribution was withdrawn or merged and cannot be changed."))
        _apply_edit(tx, workshop, item, text, year, participant)
        return item


def withdraw_item(db: Database, participant: Participant, item_id: int) -> Item:
    with db.write() as tx:
        workshop, item = _lock_item(tx, item_id)
        _require_author(participant, item)
        _require_open_for(workshop, ItemKind(item.kind))
        if not item.withdrawn:
            item.withdrawn, item.updated_at = True, utcnow()
            assert item.id is not None
            record(tx, workshop, ItemWithdrawn(item_id=item.id), participant)
        return item


def _require_author(participant: Participant, item: Item) -> None:
    if item.author_id != participant.id:
        raise NotAllowed(N_("You can change only your own contributions."))


def moderate_item(
    db: Database,
    facilitator: Facilitator,
    item_id: int,
    *,
    text: Any = UNSET,
    year: Any = UNSET,
    hidden: bool | None = None,
    merged_into: object = None,  # an item id; checked here like every other value
    adopted: bool | None = None,
    links: Any = UNSET,
) -> Item:
    """The facilitator's edit, hide/unhide, relinking, merge and adoption of the vision synthesis,
    in one transaction. `links` replaces the item's links (a need's milestones, a measure's needs)."""
    for name, flag in (("hidden", hidden), ("adopted", adopted)):
        if flag is not None and not isinstance(flag, bool):
            raise Invalid(N_("This must be true or false."), field=name)
    with db.write() as tx:
        workshop, item = _lock_item(tx, item_id)
        lock_owned(tx, facilitator, workshop.code)
        _apply_edit(tx, workshop, item, text, year, facilitator)
        assert item.id is not None
        if hidden is not None and hidden != item.hidden:
            item.hidden, item.updated_at = hidden, utcnow()
            event = ItemHidden(item_id=item.id) if hidden else ItemUnhidden(item_id=item.id)
            record(tx, workshop, event, facilitator)
        if adopted is not None and adopted != item.adopted:
            if item.kind != ItemKind.vision:
                raise Conflict(
                    N_("Only a vision statement can be adopted as the synthesis."), field="adopted"
                )
            item.adopted, item.updated_at = adopted, utcnow()
            record(tx, workshop, ItemAdopted(item_id=item.id, adopted=adopted), facilitator)
        if links is not UNSET:
            _relink(tx, workshop, item, links, facilitator)
        if merged_into is not None:
            _merge(tx, workshop, item, merged_into, facilitator)
        return item


def _relink(tx: Transaction, workshop: Workshop, item: Item, links: Any, facilitator: Facilitator) -> None:
    if isinstance(links, str) or not isinstance(links, Sequence):
        raise Invalid(N_("Links are item ids."), field="links")
    if item.kind not in LINK_TARGET:
        raise Conflict(N_("This kind of item takes no links."), field="links")
    wanted = _link_targets(tx, workshop, ItemKind(item.kind), links)
    current = list(tx.session.exec(select(Link).where(Link.from_id == item.id)))
    if sorted(link.to_id for link in current) == sorted(wanted):
        return
    for link in current:
        if link.to_id not in wanted:
            tx.session.delete(link)
    kept = {link.to_id for link in current}
    assert workshop.id is not None and item.id is not None
    for target in wanted:
        if target not in kept:
            tx.session.add(Link(workshop_id=workshop.id, from_id=item.id, to_id=target))
    item.updated_at = utcnow()
    record(tx, workshop, ItemLinksSet(item_id=item.id, links=sorted(wanted)), facilitator)


def _merge(
    tx: Transaction, workshop: Workshop, item: Item, into_id: object, facilitator: Facilitator
) -> None:
    if PHASE_ORDER.index(workshop.phase) >= PHASE_ORDER.index(Phase.rating):
        raise PhaseClosed(N_("Items can be merged only until rating opens."), field="merged_into")
    if isinstance(into_id, bool) or not isinstance(into_id, int):
        raise Invalid(N_("Give the id of the item to merge into."), field="merged_into")
    survivor = tx.session.get(Item, into_id) if validate.is_id(into_id) else None
    if survivor is None or survivor.workshop_id != workshop.id:
        raise Conflict(N_("Merge into an item of the same workshop."), field="merged_into")
    if survivor.id == item.id:
        raise Conflict(N_("An item cannot be merged into itself."), field="merged_into")
    if survivor.kind != item.kind:
        raise Conflict(N_("Merge only items of the same kind."), field="merged_into")
    if survivor.merged_into_id is not None or item.merged_into_id is not None:
        raise Conflict(N_("This item was already merged."), field="merged_into")
    assert item.id is not None and survivor.id is not None
    _move_links(tx.session, item.id, survivor.id)
    item.merged_into_id, item.updated_at = survivor.id, utcnow()
    record(tx, workshop, ItemMerged(item_id=item.id, into_id=survivor.id), facilitator)


def _move_links(session: Session, old_id: int, new_id: int) -> None:
    """Hands the merged item's links to the survivor, without duplicates or self-links."""
    for column, other in ((col(Link.from_id), col(Link.to_id)), (col(Link.to_id), col(Link.from_id))):
        taken = set(session.exec(select(other).where(column == new_id)).all())
        taken.add(new_id)
        session.execute(delete(Link).where(column == old_id, other.in_(taken)))
        session.execute(update(Link).where(column == old_id).values({column: new_id}))


def items_of(session: Session, workshop_id: int, *, include_hidden: bool = False) -> list[Item]:
    """The workshop's standing items: not withdrawn, not merged away, and visible unless asked."""
    query = select(Item).where(
        Item.workshop_id == workshop_id,
        col(Item.withdrawn).is_(False),
        col(Item.merged_into_id).is_(None),
    )
    if not include_hidden:
        query = query.where(col(Item.hidden).is_(False))
    return list(session.exec(query.order_by(col(Item.id))))


def links_of(session: Session, workshop_id: int) -> list[Link]:
    return list(session.exec(select(Link).where(col(Link.workshop_id) == workshop_id).order_by(col(Link.id))))


def link_targets(db: Database, item: Item) -> list[int]:
    with db.read() as session:
        return list(
            session.exec(
                select(col(Link.to_id)).where(col(Link.from_id) == item.id).order_by(col(Link.to_id))
            )
        )


def items_with_links(
    db: Database, workshop: Workshop, *, include_hidden: bool
) -> tuple[list[Item], dict[int, list[int]]]:
    assert workshop.id is not None
    with db.read() as session:
        standing = items_of(session, workshop.id, include_hidden=include_hidden)
        targets: dict[int, list[int]] = {}
        for link in links_of(session, workshop.id):
            targets.setdefault(link.from_id, []).append(link.to_id)
    return standing, targets


def item_of(db: Database, workshop: Workshop, item_id: int) -> Item:
    """One item of this workshop, or NotFound (an id from another workshop is not found here)."""
    with db.read() as session:
        item = session.get(Item, item_id) if validate.is_id(item_id) else None
    if item is None or item.workshop_id != workshop.id:
        raise NotFound(N_("There is no such item."), field="item")
    return item


def standing_of_kind(db: Database, workshop: Workshop, kind: str) -> list[Item]:
    assert workshop.id is not None
    with db.read() as session:
        return [item for item in items_of(session, workshop.id) if item.kind == kind]


def up_for_rating(workshop: Workshop, item: Item) -> bool:
    """The items up for rating and dots: of a rated kind, and not hidden, withdrawn or merged away.
    Ratings and dots given to an item before it was hidden stay in the raw data, not in results."""
    return (
        item.kind in workshop.rated_kinds
        and not item.hidden
        and not item.withdrawn
        and item.merged_into_id is None
    )
