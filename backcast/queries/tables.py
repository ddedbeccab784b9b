"""What a table's own screen and the console's table overview show during a breakout."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backcast.db import Database
from backcast.enums import PHASE_KIND, ItemKind, Phase
from backcast.models import Item, Participant, Table, Workshop, utcnow
from backcast.queries.phone import table_scope
from backcast.services.tables import current_tables, open_seats

# A table with nothing new for this long is pointed out to the facilitator.
QUIET_AFTER = timedelta(minutes=5)
LAST_ITEMS = 3


@dataclass
class TableScreen:
    """One table's screen: None for `table` when the breakout has ended or has no such table."""

    workshop: Workshop
    number: int
    table: Table | None
    scope: str = ""
    kind: ItemKind | None = None
    items: list[Item] = field(default_factory=list)
    people: int = 0


def _table_items(session: Session, table_id: int) -> list[Item]:
    return list(
        session.exec(
            select(Item)
            .where(
                Item.table_id == table_id,
                col(Item.hidden).is_(False),
                col(Item.withdrawn).is_(False),
                col(Item.merged_into_id).is_(None),
            )
            .order_by(col(Item.id))
        )
    )


def table_screen(db: Database, workshop_id: int, number: int) -> TableScreen:
    with db.read() as session:
        workshop = session.get(Workshop, workshop_id)
        assert workshop is not None
        kind = PHASE_KIND.get(Phase(workshop.phase))
        table = next((t for t in current_tables(session, workshop_id) if t.number == number), None)
        view = TableScreen(workshop, number, table, kind=kind)
        if table is None or table.id is None:
            return view
        view.scope = table_scope(session, table)
        found = _table_items(session, table.id)
        # This phase's contributions; between phases, all the table has made.
        view.items = [item for item in found if kind is None or item.kind == kind]
        view.people = len(open_seats(session, [table]))
        return view


def table_number_for(db: Database, workshop_id: int, table_id: int) -> int | None:
    with db.read() as session:
        table = session.get(Table, table_id)
        return table.number if table is not None and table.workshop_id == workshop_id else None


@dataclass
class TableSummary:
    table: Table
    scope: str
    people: list[Participant]
    counts: dict[str, int]  # contributions per kind
    last: list[Item]
    quiet: bool  # nothing new for QUIET_AFTER
    since: datetime  # the newest contribution, or the breakout's start


@dataclass
class Overview:
    breakout: int
    assign: str
    tables: list[TableSummary]
    unseated: list[Participant]


def table_overview(session: Session, workshop_id: int, now: datetime | None = None) -> Overview | None:
    """All tables of the breakout side by side, for the console; None in the plenary."""
    tables = current_tables(session, workshop_id)
    if not tables:
        return None
    now = now or utcnow()
    people = {
        p.id: p
        for p in session.exec(
            select(Participant).where(Participant.workshop_id == workshop_id).order_by(col(Participant.id))
        )
    }
    seats = open_seats(session, tables)
    summaries = []
    for table in tables:
        assert table.id is not None
        found = _table_items(session, table.id)
        since = max([item.created_at for item in found] + [table.started_at])
        summaries.append(
            TableSummary(
                table=table,
                scope=table_scope(session, table),
                people=[people[s.participant_id] for s in seats if s.table_id == table.id],
                counts=dict(Counter(item.kind for item in found)),
                last=found[-LAST_ITEMS:][::-1],
                quiet=now - since >= QUIET_AFTER,
                since=since,
            )
        )
    seated = {s.participant_id for s in seats}
    return Overview(
        breakout=tables[0].breakout,
        assign=tables[0].assign,
        tables=summaries,
        unseated=[p for pid, p in people.items() if pid not in seated],
    )
