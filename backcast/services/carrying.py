"""Carrying results over: a new workshop of a study starts from another workshop's vision and
milestones, so that a second region adapts the first region's pathway rather than starting blank.

The carried items are starting contributions by the facilitator, each marked with its origin (the
source workshop's code and the item there) and a short name for the mark ("Bremen 2026"). Only a
workshop of the same study that the facilitator may read can be a source; a refusal comes before
anything is written, or rolls the new workshop back with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from backcast.db import Database, Transaction
from backcast.enums import ItemKind
from backcast.events import ItemCarried, PathwayCarried
from backcast.i18n import N_
from backcast.models import Facilitator, Item, Study, Workshop
from backcast.models import limits as L
from backcast.services import codes, study_access, validate
from backcast.services.errors import Conflict, Invalid, NotFound
from backcast.services.eventlog import record, record_study

CARRIED_KINDS = (ItemKind.vision, ItemKind.milestone)
# More than any workshop's vision and milestones; a bound on what a request may name.
CARRY_ITEMS_MAX = 500

NOT_READABLE = N_("You can carry over only from a workshop of this study that you can read.")


@dataclass(frozen=True)
class CarryRequest:
    """What to carry: from the workshop with code `source`, the items with these ids (vision
    statements and milestones of it), or all of them when `items` is None."""

    source: str
    items: Sequence[object] | None = None


def clean_request(source: object, items: object = None) -> CarryRequest:
    if not isinstance(source, str) or not source.strip():
        raise Invalid(N_("Name the workshop to carry over from by its code."), field="carry_from")
    if items is None:
        return CarryRequest(source=source.strip())
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise Invalid(N_("Carried items are item ids."), field="carry_items")
    if not items:
        raise Invalid(N_("Choose at least one item to carry over, or carry all."), field="carry_items")
    if len(items) > CARRY_ITEMS_MAX:
        raise Invalid(N_("At most %(max)d items."), field="carry_items", max=CARRY_ITEMS_MAX)
    ids: list[int] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int) or not validate.is_id(item):
            raise Invalid(N_("Carried items are item ids."), field="carry_items")
        if item not in ids:
            ids.append(item)
    return CarryRequest(source=source.strip(), items=ids)


def origin_label(workshop: Workshop) -> str:
    """How a carried item names where it comes from: the region (or else the title) and the year
    the workshop was held (or else created)."""
    year = workshop.held_on.year if workshop.held_on else workshop.created_at.year
    return f"{workshop.region or workshop.title} {year}"[: L.CARRIED_LABEL_MAX]


def carryable(session: Session, workshop_id: int) -> list[Item]:
    """The vision statements and milestones that can be carried over: those still in the workshop
    (not hidden, withdrawn or merged into another), the vision first, milestones by year."""
    found = session.exec(
        select(Item)
        .where(
            Item.workshop_id == workshop_id,
            col(Item.kind).in_([kind.value for kind in CARRIED_KINDS]),
            col(Item.hidden).is_(False),
            col(Item.withdrawn).is_(False),
            col(Item.merged_into_id).is_(None),
        )
        .order_by(col(Item.id))
    ).all()
    order = {kind.value: index for index, kind in enumerate(CARRIED_KINDS)}
    return sorted(found, key=lambda item: (order[item.kind], not item.adopted, item.year or 0, item.id or 0))


def _source(session: Session, facilitator: Facilitator, study_id: int, code: str) -> Workshop:
    normalized = codes.normalize_code(code)
    workshop = (
        session.exec(select(Workshop).where(Workshop.code == normalized)).first() if normalized else None
    )
    if workshop is None or not study_access.may_read(session, workshop, facilitator):
        raise NotFound(NOT_READABLE, field="carry_from")
    if workshop.study_id != study_id:
        raise Conflict(
            N_(
                "Workshop %(code)s is not in this study: results are carried over only between the "
                "workshops of one study."
            ),
            field="carry_from",
            code=workshop.code,
        )
    return workshop


def _chosen(session: Session, source: Workshop, request: CarryRequest) -> list[Item]:
    assert source.id is not None
    available = carryable(session, source.id)
    if request.items is None:
        if not available:
            raise Conflict(
                N_("Workshop %(code)s has no vision statements or milestones to carry over."),
                field="carry_from",
                code=source.code,
            )
        return available
    by_id = {item.id: item for item in available}
    missing = [item_id for item_id in request.items if item_id not in by_id]
    if missing:
        raise Conflict(
            N_("Item %(id)s is not a vision statement or milestone of workshop %(code)s."),
            field="carry_items",
            id=missing[0],
            code=source.code,
        )
    wanted = set(request.items)
    return [item for item in available if item.id in wanted]


@dataclass(frozen=True)
class Source:
    """The source workshop as a new one starts from it: its years, so the pathway keeps its horizon."""

    workshop: Workshop
    items: list[Item]


def check_source(db: Database, facilitator: Facilitator, study_id: int, request: CarryRequest) -> Source:
    """The source and the items it gives, checked before a workshop is created (and again inside
    its transaction by `carry_into`)."""
    with db.read() as session:
        source = _source(session, facilitator, study_id, request.source)
        return Source(source, _chosen(session, source, request))


def carry_into(
    facilitator: Facilitator, request: CarryRequest
) -> Callable[[Transaction, Workshop, Study], None]:
    """Adds the chosen items to a just-created workshop of `study`, in its transaction."""

    def carry(tx: Transaction, workshop: Workshop, study: Study) -> None:
        assert study.id is not None and workshop.id is not None
        source = _source(tx.session, facilitator, study.id, request.source)
        assert source.id is not None
        label = origin_label(source)
        carried = _chosen(tx.session, source, request)
        for original in carried:
            year = workshop.vision_year if original.kind == ItemKind.vision else original.year
            if original.kind == ItemKind.milestone and (
                year is None or not workshop.present_year < year <= workshop.vision_year
            ):
                raise Conflict(
                    N_(
                        "The milestone of %(year)s lies outside this workshop's years "
                        "(%(present)d–%(vision)d); choose years that hold it."
                    ),
                    field="vision_year",
                    year=year,
                    present=workshop.present_year,
                    vision=workshop.vision_year,
                )
            item = Item(
                workshop_id=workshop.id,
                kind=original.kind,
                text=original.text,
                year=year,
                by_facilitator=True,
                adopted=original.adopted,
                carried_from_workshop=source.code,
                carried_from_item=original.id,
                carried_label=label,
            )
            tx.session.add(item)
            tx.session.flush()
            assert item.id is not None and original.id is not None
            record(
                tx,
                workshop,
                ItemCarried(
                    item_id=item.id,
                    kind=ItemKind(item.kind),
                    text=item.text,
                    year=item.year,
                    adopted=item.adopted,
                    from_workshop=source.code,
                    from_workshop_id=source.id,
                    from_item=original.id,
                    label=label,
                ),
                facilitator,
            )
        record_study(
            tx,
            study,
            PathwayCarried(
                study_id=study.id,
                workshop_id=workshop.id,
                code=workshop.code,
                from_workshop_id=source.id,
                from_workshop=source.code,
                items=[item.id for item in carried if item.id is not None],
                chosen=request.items is not None,
            ),
            facilitator,
        )

    return carry


def offer(db: Database, facilitator: Facilitator, study_id: object, code: str) -> Source:
    """What the workshop with `code` offers to carry over into a new workshop of the study (for
    choosing); refused as `check_source` refuses."""
    if not validate.is_id(study_id):
        raise NotFound(NOT_READABLE, field="carry_from")
    with db.read() as session:
        source = _source(session, facilitator, study_id, code)  # type: ignore[arg-type]
        assert source.id is not None
        return Source(source, carryable(session, source.id))


def require_facilitator(db: Database, facilitator: Facilitator, study_id: object) -> None:
    """Refuses anyone but the study's facilitators, before what they asked to carry is checked."""
    if not validate.is_id(study_id):
        raise NotFound(NOT_READABLE, field="carry_from")
    with db.read() as session:
        study_access.require_facilitator_role(session, study_id, facilitator)  # type: ignore[arg-type]
