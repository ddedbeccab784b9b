"""The database itself refuses bad rows, whatever code writes them, on both stores."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from backcast.db import Database
from backcast.enums import Phase
from backcast.models import (
    AccountEvent,
    Criterion,
    Dots,
    EventRecord,
    Facilitator,
    Item,
    Link,
    Rating,
    metadata,
)
from backcast.services import accounts, items, participants, ratings, workshops
from tests import factories


def _refused(db: Database, write: Callable[..., None]) -> None:
    with pytest.raises(IntegrityError), db.write() as tx:
        write(tx.session)
        tx.session.flush()


def test_rating_off_its_criterion_scale_is_refused(db: Database) -> None:
    tree = factories.tree(db)
    participant, _ = factories.join(db, tree.workshop)
    with db.read() as session:
        criterion = session.exec(select(Criterion).where(Criterion.workshop_id == tree.workshop.id)).first()
    assert criterion is not None

    def off_scale(session) -> None:
        session.add(
            Rating(
                workshop_id=tree.workshop.id,
                participant_id=participant.id,
                item_id=tree.measures[0].id,
                criterion_id=criterion.id,
                scale_min=criterion.scale_min,
                scale_max=criterion.scale_max,
                value=criterion.scale_max + 1,
            )
        )

    def wrong_scale_copy(session) -> None:
        session.add(
            Rating(
                workshop_id=tree.workshop.id,
                participant_id=participant.id,
                item_id=tree.measures[0].id,
                criterion_id=criterion.id,
                scale_min=0,
                scale_max=100,
                value=50,
            )
        )

    _refused(db, off_scale)
    _refused(db, wrong_scale_copy)


def test_changing_a_scale_that_would_strand_ratings_is_refused(db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    participant, _ = factories.join(db, tree.workshop)
    ratings.rate_item(db, participant, tree.measures[0].id, {"impact": 5})

    def shrink(session) -> None:
        session.execute(
            text("UPDATE criterion SET scale_max = 4 WHERE workshop_id = :w AND key = 'impact'"),
            {"w": tree.workshop.id},
        )

    _refused(db, shrink)


def test_a_link_across_workshops_is_refused(db: Database) -> None:
    one, other = factories.tree(db), factories.tree(db)
    _refused(
        db,
        lambda session: session.add(
            Link(workshop_id=one.workshop.id, from_id=one.need.id, to_id=other.milestone.id)
        ),
    )


def test_a_duplicate_link_and_a_self_link_are_refused(db: Database) -> None:
    tree = factories.tree(db)
    _refused(
        db,
        lambda session: session.add(
            Link(workshop_id=tree.workshop.id, from_id=tree.need.id, to_id=tree.milestone.id)
        ),
    )
    _refused(
        db,
        lambda session: session.add(
            Link(workshop_id=tree.workshop.id, from_id=tree.need.id, to_id=tree.need.id)
        ),
    )


def test_negative_dots_and_a_second_dots_row_are_refused(db: Database) -> None:
    tree = factories.tree(db)
    participant, _ = factories.join(db, tree.workshop)

    def dots(count: int) -> Callable[..., None]:
        return lambda session: session.add(
            Dots(
                workshop_id=tree.workshop.id,
                participant_id=participant.id,
                item_id=tree.measures[0].id,
                count=count,
            )
        )

    _refused(db, dots(-1))
    with db.write() as tx:
        dots(1)(tx.session)
    _refused(db, dots(2))


def test_an_item_with_empty_or_overlong_text_is_refused(db: Database) -> None:
    shop = factories.workshop(db)
    for body in ("", "x" * 501):
        _refused(
            db, lambda session, body=body: session.add(Item(workshop_id=shop.id, kind="need", text=body))
        )


def test_an_unknown_phase_is_refused(db: Database) -> None:
    shop = factories.workshop(db)
    _refused(
        db,
        lambda session: session.execute(
            text("UPDATE workshop SET phase = 'party' WHERE id = :id"), {"id": shop.id}
        ),
    )


def test_a_repeated_seq_is_refused(db: Database) -> None:
    shop = factories.workshop(db)
    _refused(
        db,
        lambda session: session.add(
            EventRecord(workshop_id=shop.id, seq=1, type="x-happened", actor="system", data={})
        ),
    )


def test_deleting_a_workshop_leaves_no_row_behind(db: Database) -> None:
    tree = factories.tree(db)
    keep = factories.tree(db)  # another workshop's data must survive
    factories.phase(db, tree.workshop, Phase.rating)
    joined = [factories.join(db, tree.workshop) for _ in range(3)]
    people = [person for person, _ in joined]
    for person in people:
        ratings.rate_item(db, person, tree.measures[0].id, {"impact": 3, "feasibility": None})
    factories.phase(db, tree.workshop, Phase.prioritisation)
    ratings.set_dots(db, people[0], tree.measures[1].id, 2)
    items.moderate_item(db, tree.owner, tree.measures[1].id, hidden=True)
    with db.write() as tx:
        from backcast.models import AgendaEntry

        tx.session.add(
            AgendaEntry(workshop_id=tree.workshop.id, item_id=tree.measures[0].id, owner="Chamber")
        )

    def counts() -> dict[str, int]:
        with db.read() as session:
            return {
                table.name: session.exec(select(func.count()).select_from(table)).one()
                for table in metadata.sorted_tables
            }

    before = counts()
    kept = {name: n for name, n in before.items()}
    token = joined[0][1]
    assert participants.participant_for_token(db, token) is not None  # remembered a moment
    workshops.delete_workshop(db, tree.owner, tree.workshop.code)
    after = counts()
    assert participants.participant_for_token(db, token) is None

    for name in (
        "participant",
        "item",
        "link",
        "rating",
        "dots",
        "agenda_entry",
        "event",
        "criterion",
        "workshop",
    ):
        assert after[name] < before[name], name
    with db.read() as session:
        for table in metadata.sorted_tables:
            if "workshop_id" in table.c:
                left = session.exec(
                    select(func.count()).select_from(table).where(table.c.workshop_id == tree.workshop.id)
                ).one()
                assert left == 0, table.name
        assert session.get(Facilitator, tree.owner.id) is not None
        assert factories.event_count(db, keep.workshop) > 0
        logged = session.exec(select(AccountEvent.type).where(AccountEvent.type == "workshop-deleted")).all()
    assert logged == ["workshop-deleted"]
    assert kept["workshop"] - 1 == after["workshop"]
    assert accounts.facilitator_count(db) == 2
