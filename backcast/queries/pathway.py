"""Gaps in the pathway: barriers no measure addresses, and milestones whose needs nobody acts on."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from backcast.enums import ItemKind, NeedType, Role
from backcast.models import Actor, ActorRole, Item, Workshop
from backcast.services.actors import actors_of
from backcast.services.agenda import agenda_of
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


@dataclass
class ActorMatrix:
    """Actors × measures with their roles; per actor how many measures it leads."""

    actors: list[Actor]
    measures: list[Item]  # the agenda's in its order, then the other measures that have actors
    roles: dict[tuple[int, int], str]  # (actor id, measure id) → role
    leads: dict[int, int]  # actor id → measures led


def actor_matrix(session: Session, workshop: Workshop, standing: list[Item]) -> ActorMatrix:
    assert workshop.id is not None
    rows = actors_of(session, workshop.id)
    measures = {item.id: item for item in standing if item.kind == ItemKind.measure}
    with_roles = {item_id for row in rows for item_id in row.roles if item_id in measures}
    ordered = [measures[e.item_id] for e in agenda_of(session, workshop) if e.item_id in measures]
    ordered += [item for item_id, item in measures.items() if item_id in with_roles and item not in ordered]
    roles = {
        (row.actor.id or 0, item_id): role
        for row in rows
        for item_id, role in row.roles.items()
        if item_id in measures
    }
    leads = {
        row.actor.id or 0: sum(1 for (a, _), r in roles.items() if a == row.actor.id and r == Role.leads)
        for row in rows
    }
    return ActorMatrix([row.actor for row in rows], ordered, roles, leads)


@dataclass
class Placed:
    item: Item
    x: float  # percent of the width, present year at 0, vision year at 100
    lane: int
    addresses_barrier: bool = False


@dataclass
class Pathway:
    """The pathway as the SVG draws it: lanes by leading actor, agenda measures at their start
    year, milestones on the time axis, barriers marked at the milestones they stand before."""

    present_year: int
    vision_year: int
    lanes: list[str]  # actor names; the last lane holds measures nobody leads
    measures: list[Placed]
    milestones: list[Placed]
    barriers: list[Placed]  # unaddressed barriers at their milestone's year
    ticks: list[tuple[int, float]]

    @property
    def height(self) -> int:
        return 80 + 70 * max(1, len(self.lanes))


def pathway(session: Session, workshop: Workshop, standing: list[Item], flags: PathwayFlags) -> Pathway:
    assert workshop.id is not None
    span = max(1, workshop.vision_year - workshop.present_year)

    def at(year: int | None) -> float:
        return round(100 * ((year or workshop.present_year) - workshop.present_year) / span, 2)

    by_id = {item.id: item for item in standing}
    leader: dict[int, str] = {}
    for row in actors_of(session, workshop.id):
        for item_id, role in row.roles.items():
            if role == Role.leads and item_id not in leader:
                leader[item_id] = row.actor.name
    entries = [(e, by_id[e.item_id]) for e in agenda_of(session, workshop) if e.item_id in by_id]
    lanes = sorted({leader[item.id or 0] for _, item in entries if (item.id or 0) in leader})
    unled = any((item.id or 0) not in leader for _, item in entries)
    barrier_ids = {item.id for item in standing if item.need_type == NeedType.barrier}
    addresses = {link.from_id for link in links_of(session, workshop.id) if link.to_id in barrier_ids}
    placed = [
        Placed(
            item,
            at(entry.start_year),
            lanes.index(leader[item.id or 0]) if (item.id or 0) in leader else len(lanes),
            item.id in addresses,
        )
        for entry, item in entries
    ]
    milestones = [Placed(item, at(item.year), 0) for item in standing if item.kind == ItemKind.milestone]
    open_barriers = {b.id for b in flags.unaddressed_barriers}
    blocked_year: dict[int, int | None] = {}
    for link in links_of(session, workshop.id):
        target = by_id.get(link.to_id)
        if link.from_id in open_barriers and target is not None:
            blocked_year[link.from_id] = target.year
    barriers = [Placed(item, at(blocked_year.get(item.id or 0)), 0) for item in flags.unaddressed_barriers]
    step = 5 if span > 10 else 1
    ticks = [(year, at(year)) for year in range(workshop.present_year, workshop.vision_year + 1, step)]
    if ticks[-1][0] != workshop.vision_year:
        ticks.append((workshop.vision_year, 100.0))
    return Pathway(
        workshop.present_year,
        workshop.vision_year,
        lanes + ([""] if unled else []),
        placed,
        milestones,
        barriers,
        ticks,
    )
