"""Many writers at once, on both stores: one row per rating, gap-free seq, budgets that hold."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, text
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from backcast.db import Database, Transaction, _Write
from backcast.enums import Phase
from backcast.models import Dots, EventRecord, Rating
from backcast.services import items, ratings
from backcast.services.errors import Conflict, OverBudget, ServiceError
from tests import factories


def test_200_concurrent_identical_ratings_leave_one_row(db: Database) -> None:
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    participant, _ = factories.join(db, tree.workshop)
    measure_id = tree.measures[0].id
    assert measure_id is not None

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(
            pool.map(lambda _: ratings.rate_item(db, participant, measure_id, {"impact": 4}), range(200))
        )

    assert all(stored == {"impact": 4} for stored in results)
    with db.read() as session:
        rows = session.exec(select(Rating).where(Rating.item_id == measure_id)).all()
        rated_events = session.exec(
            select(func.count()).select_from(EventRecord).where(EventRecord.type == "item-rated")
        ).one()
    assert [(row.participant_id, row.value) for row in rows] == [(participant.id, 4)]
    assert rated_events == 1  # the 199 repeats changed nothing, so they logged nothing


def test_50_concurrent_writers_leave_a_gap_free_seq(db: Database) -> None:
    shop = factories.workshop(db)
    factories.phase(db, shop, Phase.vision)
    people = [factories.join(db, shop)[0] for _ in range(10)]
    before = factories.event_count(db, shop)

    def contribute(index: int) -> None:
        items.add_item(db, people[index % 10], shop.code, kind="vision", text=f"Vision statement {index}")

    with ThreadPoolExecutor(max_workers=50) as pool:
        list(pool.map(contribute, range(50)))

    with db.read() as session:
        seqs = session.exec(
            select(EventRecord.seq).where(EventRecord.workshop_id == shop.id).order_by(EventRecord.seq)
        ).all()
    assert list(seqs) == list(range(1, before + 51))
    assert factories.fresh(db, shop).last_seq == before + 50


def test_concurrent_dot_requests_never_exceed_the_budget(db: Database) -> None:
    tree = factories.tree(db, dot_budget=3)
    extra = [
        items.add_item(
            db, tree.owner, tree.workshop.code, kind="measure", text=f"Measure {n}", links=[tree.need.id]
        )
        for n in range(4)
    ]
    targets = [m.id for m in tree.measures + extra]
    factories.phase(db, tree.workshop, Phase.prioritisation)
    participant, _ = factories.join(db, tree.workshop)
    refused = []

    def vote(index: int) -> None:
        try:
            ratings.set_dots(db, participant, targets[index % len(targets)], 1)
        except OverBudget:
            refused.append(index)

    with ThreadPoolExecutor(max_workers=40) as pool:
        list(pool.map(vote, range(200)))

    with db.read() as session:
        spent = session.exec(select(func.sum(Dots.count)).where(Dots.participant_id == participant.id)).one()
    assert spent == 3
    assert refused  # the budget was reached and further dots were refused, not silently dropped


def test_a_rating_racing_close_lands_before_it_or_is_refused(db: Database) -> None:
    """The phase gate is checked under the workshop's lock: no rating is stored after "close"."""
    import threading
    import time

    from backcast.services import workshops
    from backcast.services.errors import PhaseClosed

    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    people = [factories.join(db, tree.workshop)[0] for _ in range(8)]
    measure_id = tree.measures[0].id
    assert measure_id is not None
    closed = threading.Event()
    accepted: list[int] = []
    refused: list[int] = []

    def rate_until_refused(index: int) -> None:
        value = 1
        while True:
            value = value % 5 + 1  # a new value each time, so every accepted call is logged
            try:
                ratings.rate_item(db, people[index], measure_id, {"impact": value})
            except PhaseClosed:
                refused.append(index)
                return
            accepted.append(index)

    def close_soon() -> None:
        time.sleep(0.3)
        workshops.set_input_open(db, tree.owner, tree.workshop.code, False)
        closed.set()

    with ThreadPoolExecutor(max_workers=9) as pool:
        futures = [pool.submit(rate_until_refused, index) for index in range(8)]
        pool.submit(close_soon).result()
        for future in futures:
            future.result()

    assert closed.is_set() and sorted(refused) == list(range(8)) and accepted
    with db.read() as session:
        events = session.exec(
            select(EventRecord.type, EventRecord.seq)
            .where(EventRecord.workshop_id == tree.workshop.id)
            .order_by(EventRecord.seq)
        ).all()
    close_seq = next(seq for type_, seq in events if type_ == "input-closed")
    rated = [seq for type_, seq in events if type_ == "item-rated"]
    assert len(rated) == len(accepted)  # each accepted call stored and logged once
    assert max(rated) < close_seq  # and all of them before the close


def test_ratings_arriving_together_share_transactions_and_a_refused_one_takes_nothing_with_it(
    db: Database,
) -> None:
    """Under load, writes are grouped into one transaction each with a savepoint per write: the
    valid ones all land with one event each, every invalid one gets its own refusal."""
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    people = [factories.join(db, tree.workshop)[0] for _ in range(20)]
    measure_id = tree.measures[0].id
    before = factories.event_count(db, tree.workshop)
    transactions: list[str] = []

    @event.listens_for(db.engine, "begin")
    def count_transaction(_conn) -> None:  # type: ignore[no-untyped-def]
        transactions.append("begin")

    def rate(index: int) -> object:
        person = people[(index // 4) % len(people)]
        if index % 4 == 3:  # out of the scale: refused
            values: dict[str, object] = {"impact": 9}
        elif index % 4 == 2:  # no such criterion: refused
            values = {"charm": 3}
        else:  # four valid ratings per person on this item; each replaces the one before
            values = {"impact": 1 + index % 5}
        try:
            return ratings.rate_item(db, person, measure_id, values)
        except ServiceError as error:
            return error

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(rate, range(160)))

    refused = [n for n, outcome in enumerate(outcomes) if isinstance(outcome, ServiceError)]
    assert refused == [n for n in range(160) if n % 4 in (2, 3)]
    fields = {outcomes[n].field for n in refused}  # type: ignore[union-attr]
    assert fields == {"values.impact", "values.charm"}
    with db.read() as session:
        stored = session.exec(select(Rating).where(Rating.item_id == measure_id)).all()
        seqs = session.exec(
            select(EventRecord.seq)
            .where(EventRecord.workshop_id == tree.workshop.id)
            .order_by(EventRecord.seq)
        ).all()
    assert len(stored) == 20 and all(1 <= row.value <= 5 for row in stored)  # type: ignore[operator]
    assert list(seqs) == list(range(1, len(seqs) + 1))
    changes = len(seqs) - before
    assert 20 <= changes <= 80  # one event per rating that changed a value, none for a refusal
    writes = len(transactions) - 1  # less the read above
    assert writes < 160  # they did share transactions


def test_ratings_from_the_event_loop_and_from_threads_share_groups_under_the_same_rules(db: Database) -> None:
    """The API rates from the event loop (`rate_item_async`), the phone's pages from worker threads:
    arriving together, both kinds join the same groups. Each caller gets its own answer, the
    refused ones change nothing, seq stays gap-free, and nobody is left waiting for the pen."""
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    people = [factories.join(db, tree.workshop)[0] for _ in range(20)]
    measure_id = tree.measures[0].id
    transactions: list[str] = []

    @event.listens_for(db.engine, "begin")
    def count_transaction(_conn) -> None:  # type: ignore[no-untyped-def]
        transactions.append("begin")

    def values_for(index: int) -> dict[str, object]:
        if index % 4 == 3:  # out of the scale: refused
            return {"impact": 9}
        if index % 4 == 2:  # no such criterion: refused
            return {"charm": 3}
        return {"impact": 1 + index % 5}

    def person(index: int):  # type: ignore[no-untyped-def]
        return people[(index // 4) % len(people)]

    # Staggered, so that the pen passes from threads to the loop's callers and back many times.
    def in_thread(index: int) -> object:
        time.sleep(index % 7 / 1000)
        try:
            return ratings.rate_item(db, person(index), measure_id, values_for(index))
        except ServiceError as error:
            return error

    async def in_loop(index: int) -> object:
        await asyncio.sleep(index % 5 / 1000)
        try:
            return await ratings.rate_item_async(db, person(index), measure_id, values_for(index))
        except ServiceError as error:
            return error

    async def all_in_loop(indices: list[int]) -> list[object]:
        return await asyncio.wait_for(asyncio.gather(*(in_loop(n) for n in indices)), 60)

    threaded, looped = [n for n in range(160) if n % 8 >= 4], [n for n in range(160) if n % 8 < 4]
    with ThreadPoolExecutor(max_workers=20) as pool:
        from_threads = pool.map(in_thread, threaded)
        outcomes = dict(zip(looped, asyncio.run(all_in_loop(looped)), strict=True))
        outcomes.update(zip(threaded, from_threads, strict=True))

    refused = sorted(n for n, outcome in outcomes.items() if isinstance(outcome, ServiceError))
    assert refused == [n for n in range(160) if n % 4 in (2, 3)]
    assert all(outcomes[n] == values_for(n) for n in range(160) if n % 4 in (0, 1))
    with db.read() as session:
        stored = session.exec(select(Rating).where(Rating.item_id == measure_id)).all()
        seqs = session.exec(
            select(EventRecord.seq)
            .where(EventRecord.workshop_id == tree.workshop.id)
            .order_by(EventRecord.seq)
        ).all()
    assert len(stored) == 20 and all(1 <= row.value <= 5 for row in stored)  # type: ignore[operator]
    assert list(seqs) == list(range(1, len(seqs) + 1))
    assert len(transactions) - 1 < 160  # they did share transactions


def test_the_pen_passes_between_a_thread_and_the_event_loop_both_ways(db: Database) -> None:
    """A write from the loop that arrives while a thread writes is written next, and so is a
    thread's write that arrives while the loop's group is being written: nobody waits for ever."""
    started, release = threading.Event(), threading.Event()

    def held(answer: str):  # type: ignore[no-untyped-def]
        def work(_tx: Transaction) -> str:
            started.set()
            assert release.wait(10)
            return answer

        return work

    async def loop_after_thread(pool: ThreadPoolExecutor) -> tuple[str, str]:
        first = pool.submit(db.write_together, held("thread"))
        assert started.wait(10)
        second = asyncio.ensure_future(db.write_together_async(lambda _tx: "loop"))
        await asyncio.sleep(0.05)  # the loop's write is waiting behind the thread's
        release.set()
        return first.result(10), await asyncio.wait_for(second, 10)

    async def thread_after_loop(pool: ThreadPoolExecutor) -> tuple[str, str]:
        first = asyncio.ensure_future(db.write_together_async(held("loop")))
        while not started.is_set():
            await asyncio.sleep(0.005)
        second = pool.submit(db.write_together, lambda _tx: "thread")
        await asyncio.sleep(0.05)  # the thread's write is waiting behind the loop's
        release.set()
        return await asyncio.wait_for(first, 10), second.result(10)

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert asyncio.run(loop_after_thread(pool)) == ("thread", "loop")
        started.clear()
        release.clear()
        assert asyncio.run(thread_after_loop(pool)) == ("loop", "thread")


# Only PostgreSQL: on SQLite, BEGIN IMMEDIATE locks the whole database for the transaction.
@pytest.mark.parametrize("db", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_a_refused_write_in_a_group_leaves_the_next_ones_holding_the_workshop_lock(db: Database) -> None:
    """On PostgreSQL a savepoint rolled back releases the row locks taken within it; the group's
    next writes must lock the workshop again, or a phase change could slip between them."""
    tree = factories.tree(db)
    factories.phase(db, tree.workshop, Phase.rating)
    person, _ = factories.join(db, tree.workshop)
    measure_id = tree.measures[0].id
    seen_locked: list[bool] = []

    def locked_elsewhere() -> bool:
        with db.engine.connect() as other:
            try:
                other.execute(
                    text("SELECT id FROM workshop WHERE id = :id FOR UPDATE NOWAIT"), {"id": tree.workshop.id}
                )
            except OperationalError:
                return True
            return False

    def refused(tx: Transaction) -> None:
        ratings._rate(tx, person, measure_id, {"charm": 3})  # locks, then refuses

    def accepted(tx: Transaction) -> dict[str, int | None]:
        stored = ratings._rate(tx, person, measure_id, {"impact": 2})
        seen_locked.append(locked_elsewhere())
        return stored

    group = [_Write(refused), _Write(accepted)]
    db._write_group(group)

    assert isinstance(group[0].error, Conflict) and group[1].outcome() == {"impact": 2}
    assert seen_locked == [True]
