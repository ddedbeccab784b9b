"""Gaps in the pathway: barriers no measure addresses, and milestones whose needs nobody acts on."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from backcast.enums import ItemKind, NeedType, Role
from backcast.models import ActorRole, Item
from backcast.services.items import links_of

# The roles that act on a measure; must agree and could block are stakes, not action.
ACTING = (Role.leads.value, Role.contributes.value)


@dataclass
class PathwayFlags:
    unaddressed_barriers: list[Item] = field(default_factory=list)
    # Milestones with needs, none of which a measure with an actor who leads or contributes meets.
    unacted_milestones: list[Item] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.unaddressed_barriers or self.unacted_milestones)


def pathway_flags(session: Session, workshop_id: int, standing: list[Item]) -> PathwayFlags:
    """The flags over the standing items given (the screen passes the visible ones)."""
    by_id = {item.id: item for item in standing}
    met_by: dict[int, set[int]] = {}  # need id → ids of the measures linked to it
    needs_of: dict[int, set[int]] = {}  # milestone id → ids of the needs linked to it
    for link in links_of(session, workshop_id):
        source, target = by_id.get(link.from_id), by_id.get(link.to_id)
        if source is None or target is None:
            continue
        if source.kind == ItemKind.measure and target.kind == ItemKind.need:
            met_by.setdefault(target.id or 0, set()).add(source.id or 0)
        elif source.kind == ItemKind.need and target.kind == ItemKind.milestone:
            needs_of.setdefault(target.id or 0, set()).add(source.id or 0)
    acting = set(
        session.exec(
            select(ActorRole.item_id).where(
                ActorRole.workshop_id == workshop_id, col(ActorRole.role).in_(ACTING)
            )
        )
    )
    barriers = [
        item
        for item in standing
        if item.kind == ItemKind.need and item.need_type == NeedType.barrier and not met_by.get(item.id or 0)
    ]
    milestones = [
        item
        for item in sorted(standing, key=lambda item: (item.year or 0, item.id or 0))
        if item.kind == ItemKind.milestone
        and needs_of.get(item.id or 0)
        and not any(met_by.get(need, set()) & acting for need in needs_of[item.id or 0])
    ]
    return PathwayFlags(barriers, milestones)
