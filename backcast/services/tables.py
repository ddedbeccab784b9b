"""Breakout tables: setting them up, seating people (balanced, random or by choice), moving them,
late joiners, and ending the breakout. Every seat ever taken stays in `seating`."""

from __future__ import annotations

import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from backcast.db import Database, Transaction
from backcast.enums import Assign, ItemKind
from backcast.events import BreakoutEnded, BreakoutStarted, ParticipantSeated
from backcast.i18n import N_
from backcast.models import Facilitator, Item, Participant, Seating, StakeholderGroup, Table, Workshop, utcnow
from backcast.models import limits as L
from backcast.services import validate
from backcast.services.errors import Conflict, Invalid
from backcast.services.eventlog import lock_workshop, record
from backcast.services.workshops import lock_owned, viewable_workshop

# What a table may be about: a milestone or a need of the workshop (or a free text).
SCOPE_KINDS = (ItemKind.milestone, ItemKind.need)
MOVED = "moved"


@dataclass(frozen=True)
class TableSpec:
    name: str
    scope_item_id: int | None
    scope_text: str


def clean_tables(tables: object) -> list[TableSpec]:
    """The tables asked for, checked on their own: 2–12, each with a name of its own and at most one
    scope (an item id or a short text). Whether a scope item is the workshop's is checked later."""
    if isinstance(tables, str | bytes) or not isinstance(tables, Sequence):
        raise Invalid(N_("Give the tables as a list."), field="tables")
    if not L.TABLES_MIN <= len(tables) <= L.TABLES_MAX:
        raise Invalid(
            N_("Set up between %(minimum)d and %(maximum)d tables."),
            field="tables",
            minimum=L.TABLES_MIN,
            maximum=L.TABLES_MAX,
        )
    specs: list[TableSpec] = []
    for index, entry in enumerate(tables):
        where = f"tables.{index}"
        if not isinstance(entry, dict):
            raise Invalid(N_("Each table needs a name."), field=f"{where}.name")
        name = validate.text(entry.get("name"), f"{where}.name", max_length=L.TABLE_NAME_MAX, multiline=False)
        if any(spec.name.casefold() == name.casefold() for spec in specs):
            # Between entries, which a schema cannot state: a conflict, not malformed input.
            raise Conflict(N_("Each table needs its own name."), field=f"{where}.name")
        scope = entry.get("scope")
        scope_item_id: int | None = None
        scope_text = ""
        if isinstance(scope, int) and not isinstance(scope, bool):
            if not validate.is_id(scope):
                raise Invalid(
                    N_("A scope is a milestone or need of this workshop, or a short text."),
                    field=f"{where}.scope",
                )
            scope_item_id = scope
        elif scope is not None:
            if not isinstance(scope, str):
                raise Invalid(
                    N_("A scope is a milestone or need of this workshop, or a short text."),
                    field=f"{where}.scope",
                )
            scope_text = validate.text(
                scope, f"{where}.scope", max_length=L.TABLE_SCOPE_MAX, required=False, multiline=False
            )
        specs.append(TableSpec(name, scope_item_id, scope_text))
    return specs


def current_tables(session: Session, workshop_id: int) -> list[Table]:
    """The tables of the breakout that is on, by number; empty in the plenary."""
    return list(
        session.exec(
            select(Table)
            .where(Table.workshop_id == workshop_id, col(Table.ended_at).is_(None))
            .order_by(col(Table.number))
        )
    )


def seat_of(session: Session, participant_id: int) -> Table | None:
    """The table a participant sits at now, if a breakout is on and they have a seat."""
    return session.exec(
        select(Table)
        .join(Seating, col(Seating.table_id) == col(Table.id))
        .where(
            Seating.participant_id == participant_id,
            col(Seating.left_at).is_(None),
            col(Table.ended_at).is_(None),
        )
    ).first()


def unseen_tables(session: Session, workshop_id: int, participant_id: int) -> set[int]:
    """The tables whose contributions a participant does not see now: during a breakout, every
    table of it but their own, unless the facilitator lets the tables see each other. Tables of
    earlier breakouts have been to the plenary and are seen by all."""
    current = current_tables(session, workshop_id)
    if not current or current[0].others_visible:
        return set()
    mine = seat_of(session, participant_id)
    return {table.id for table in current if table.id is not None and (mine is None or table.id != mine.id)}


def open_seats(session: Session, tables: Sequence[Table]) -> list[Seating]:
    ids = [table.id for table in tables]
    if not ids:
        return []
    return list(
        session.exec(
            select(Seating)
            .where(col(Seating.table_id).in_(ids), col(Seating.left_at).is_(None))
            .order_by(col(Seating.id))
        )
    )


def _next_breakout(session: Session, workshop_id: int) -> int:
    last = session.exec(
        select(Table.breakout).where(Table.workshop_id == workshop_id).order_by(col(Table.breakout).desc())
    ).first()
    return (last or 0) + 1


def _check_scope(session: Session, workshop: Workshop, spec: TableSpec, index: int) -> None:
    if spec.scope_item_id is None:
        return
    item = session.get(Item, spec.scope_item_id)
    if (
        item is None
        or item.workshop_id != workshop.id
        or item.kind not in SCOPE_KINDS
        or item.withdrawn
        or item.merged_into_id is not None
    ):
        raise Conflict(
            N_("Item %(id)s is not a milestone or need of this workshop."),
            field=f"tables.{index}.scope",
            id=spec.scope_item_id,
        )


def _people(session: Session, workshop_id: int) -> list[Participant]:
    return list(
        session.exec(
            select(Participant).where(Participant.workshop_id == workshop_id).order_by(col(Participant.id))
        )
    )


def _group_order(session: Session, workshop_id: int) -> dict[int | None, int]:
    groups = session.exec(
        select(StakeholderGroup.id)
        .where(StakeholderGroup.workshop_id == workshop_id)
        .order_by(col(StakeholderGroup.position), col(StakeholderGroup.id))
    ).all()
    order: dict[int | None, int] = {group_id: index for index, group_id in enumerate(groups)}
    order[None] = len(order)  # those without a group are a group of their own for the spread
    return order


def balanced_seating(people: Sequence[Participant], order: dict[int | None, int], tables: int) -> list[int]:
    """Each person's table index: people are lined up group by group and dealt out round the
    tables, so every group's count per table differs by at most one, and so do the tables' sizes."""
    lined_up = sorted(
        range(len(people)), key=lambda i: (order.get(people[i].group_id, len(order)), people[i].id)
    )
    seats = [0] * len(people)
    for position, index in enumerate(lined_up):
        seats[index] = position % tables
    return seats


def random_seating(count: int, tables: int, seed: int) -> list[int]:
    order = list(range(count))
    random.Random(seed).shuffle(order)
    seats = [0] * count
    for position, index in enumerate(order):
        seats[index] = position % tables
    return seats


def start_breakout(
    db: Database,
    facilitator: Facilitator,
    code: str,
    tables: object,
    assign: object,
    *,
    seed: int | None = None,
) -> list[Table]:
    """Sets up the tables and seats everyone already in the room by `assign` (none for choice).
    Refused while another breakout is on. `seed` is for tests; a random seating draws its own."""
    specs = clean_tables(tables)
    how = validate.choice(assign, "assign", Assign)
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        assert workshop.id is not None
        session = tx.session
        if current_tables(session, workshop.id):
            raise Conflict(N_("A breakout is on already; end it first."), field="tables")
        for index, spec in enumerate(specs):
            _check_scope(session, workshop, spec, index)
        breakout = _next_breakout(session, workshop.id)
        if how == Assign.random and seed is None:
            seed = secrets.randbits(31)
        used_seed = seed if how == Assign.random else None
        now = utcnow()
        rows = [
            Table(
                workshop_id=workshop.id,
                breakout=breakout,
                number=number,
                name=spec.name,
                scope_item_id=spec.scope_item_id,
                scope_text=spec.scope_text,
                assign=how,
                seed=used_seed,
                started_at=now,
            )
            for number, spec in enumerate(specs, start=1)
        ]
        session.add_all(rows)
        session.flush()
        people = _people(session, workshop.id)
        if how == Assign.balanced:
            indexes = balanced_seating(people, _group_order(session, workshop.id), len(rows))
        elif how == Assign.random:
            assert used_seed is not None
            indexes = random_seating(len(people), len(rows), used_seed)
        else:
            indexes = []
        seats: dict[int, int] = {}
        for person, index in zip(people, indexes, strict=False):
            table = rows[index]
            assert person.id is not None and table.id is not None
            session.add(
                Seating(
                    workshop_id=workshop.id,
                    table_id=table.id,
                    participant_id=person.id,
                    how=how,
                    seated_at=now,
                )
            )
            seats[person.id] = table.id
        record(
            tx,
            workshop,
            BreakoutStarted(
                breakout=breakout,
                assign=how,
                seed=used_seed,
                tables=[
                    {
                        "table_id": row.id,
                        "number": row.number,
                        "name": row.name,
                        "scope_item_id": row.scope_item_id,
                        "scope_text": row.scope_text,
                    }
                    for row in rows
                ],
                seats=seats,
            ),
            facilitator,
        )
        return rows


def end_breakout(db: Database, facilitator: Facilitator, code: str) -> int:
    """Back to the plenary; the seats are closed, their history kept. Returns the breakout's number."""
    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        assert workshop.id is not None
        tables = current_tables(tx.session, workshop.id)
        if not tables:
            raise Conflict(N_("No breakout is on."), field="tables")
        now = utcnow()
        for seat in open_seats(tx.session, tables):
            seat.left_at = now
            tx.session.add(seat)
        for table in tables:
            table.ended_at = now
            tx.session.add(table)
        record(tx, workshop, BreakoutEnded(breakout=tables[0].breakout), facilitator)
        return tables[0].breakout


def _table_numbered(tables: Sequence[Table], number: object, field: str) -> Table:
    if isinstance(number, bool) or not isinstance(number, int):
        raise Invalid(N_("Give the table's number."), field=field)
    found = next((table for table in tables if table.number == number), None)
    if found is None:
        if not tables:
            raise Conflict(N_("No breakout is on."), field=field)
        raise Conflict(N_("There is no table %(number)s."), field=field, number=number)
    return found


def _seat(
    tx: Transaction, workshop: Workshop, participant_id: int, table: Table, how: str
) -> tuple[Table | None, Seating | None]:
    """Closes the participant's open seat (if any) and opens one at `table`; returns the table they
    left, or None for both when they sit there already."""
    session = tx.session
    current = session.exec(
        select(Seating).where(Seating.participant_id == participant_id, col(Seating.left_at).is_(None))
    ).first()
    if current is not None and current.table_id == table.id:
        return None, None
    previous = None
    now = utcnow()
    if current is not None:
        previous = session.get(Table, current.table_id)
        current.left_at = now
        session.add(current)
        session.flush()  # the open seat closes before the new one opens: one open seat each
    assert workshop.id is not None and table.id is not None
    seat = Seating(
        workshop_id=workshop.id, table_id=table.id, participant_id=participant_id, how=how, seated_at=now
    )
    session.add(seat)
    return previous, seat


def move_participant(
    db: Database, facilitator: Facilitator, code: str, participant_id: object, table_number: object
) -> Table:
    """The facilitator seats someone at another table of the breakout that is on."""
    from backcast.services.participants import participant_in

    with db.write() as tx:
        workshop = lock_owned(tx, facilitator, code)
        assert workshop.id is not None
        table = _table_numbered(current_tables(tx.session, workshop.id), table_number, "table")
        person = participant_in(tx.session, workshop, participant_id)
        assert person.id is not None and table.id is not None
        previous, seat = _seat(tx, workshop, person.id, table, MOVED)
        if seat is not None:
            record(
                tx,
                workshop,
                ParticipantSeated(
                    participant_id=person.id,
                    table_id=table.id,
                    previous_table_id=previous.id if previous else None,
                    how=MOVED,
                ),
                facilitator,
            )
        return table


def choose_table(db: Database, participant: Participant, table_number: object) -> Table:
    """A phone picks its table, when the breakout lets people choose; they may change their mind."""
    with db.write() as tx:
        workshop = lock_workshop(tx, workshop_id=participant.workshop_id)
        assert workshop.id is not None and participant.id is not None
        tables = current_tables(tx.session, workshop.id)
        if tables and tables[0].assign != Assign.choice:
            raise Conflict(N_("The facilitator seats people at this breakout."), field="table")
        table = _table_numbered(tables, table_number, "table")
        assert table.id is not None
        previous, seat = _seat(tx, workshop, participant.id, table, Assign.choice)
        if seat is not None:
            record(
                tx,
                workshop,
                ParticipantSeated(
                    participant_id=participant.id,
                    table_id=table.id,
                    previous_table_id=previous.id if previous else None,
                    how=Assign.choice,
                ),
                participant,
            )
        return table


def seat_late_joiner(tx: Transaction, workshop: Workshop, participant: Participant) -> None:
    """Seats someone who joined during a breakout by its rule: balanced at the table with the fewest
    of their group (then the fewest people), random at one of the smallest tables; with choice the
    phone picks."""
    assert workshop.id is not None and participant.id is not None
    session = tx.session
    tables = current_tables(session, workshop.id)
    if not tables or tables[0].assign == Assign.choice:
        return
    seats = open_seats(session, tables)
    sizes = Counter(seat.table_id for seat in seats)
    if tables[0].assign == Assign.balanced:
        groups_at: dict[int, Counter[int | None]] = defaultdict(Counter)
        group_of = dict(
            session.exec(
                select(Participant.id, Participant.group_id).where(
                    col(Participant.id).in_([seat.participant_id for seat in seats])
                )
            ).all()
        )
        for seat in seats:
            groups_at[seat.table_id][group_of.get(seat.participant_id)] += 1
        table = min(
            tables,
            key=lambda t: (groups_at[t.id or 0][participant.group_id], sizes[t.id or 0], t.number),
        )
    else:
        smallest = min(sizes[t.id or 0] for t in tables)
        candidates = [t for t in tables if sizes[t.id or 0] == smallest]
        table = random.Random(f"{tables[0].seed}:{participant.id}").choice(candidates)
    assert table.id is not None
    _seat(tx, workshop, participant.id, table, tables[0].assign)
    record(
        tx,
        workshop,
        ParticipantSeated(participant_id=participant.id, table_id=table.id, how=tables[0].assign),
        participant,
    )


@dataclass
class SeatedTable:
    table: Table
    participants: list[Participant]


@dataclass
class Breakout:
    number: int
    assign: str
    seed: int | None
    tables: list[SeatedTable]
    unseated: list[Participant]


def breakout_of(session: Session, workshop_id: int) -> Breakout | None:
    """The breakout that is on, with who sits where; None in the plenary."""
    tables = current_tables(session, workshop_id)
    if not tables:
        return None
    seats = open_seats(session, tables)
    people = {person.id: person for person in _people(session, workshop_id)}
    by_table: dict[int, list[Participant]] = defaultdict(list)
    for seat in seats:
        by_table[seat.table_id].append(people[seat.participant_id])
    seated = {seat.participant_id for seat in seats}
    return Breakout(
        number=tables[0].breakout,
        assign=tables[0].assign,
        seed=tables[0].seed,
        tables=[SeatedTable(table, by_table.get(table.id or 0, [])) for table in tables],
        unseated=[person for person_id, person in people.items() if person_id not in seated],
    )


def breakout_for(db: Database, facilitator: Facilitator, code: str) -> Breakout | None:
    workshop = viewable_workshop(db, facilitator, code)
    assert workshop.id is not None
    with db.read() as session:
        return breakout_of(session, workshop.id)


def unseen_tables_of(db: Database, participant: Participant) -> set[int]:
    assert participant.id is not None
    with db.read() as session:
        return unseen_tables(session, participant.workshop_id, participant.id)


def table_id_of(db: Database, participant: Participant) -> int | None:
    """The id of the table the participant sits at now, if any."""
    assert participant.id is not None
    with db.read() as session:
        seat = seat_of(session, participant.id)
        return seat.id if seat else None
