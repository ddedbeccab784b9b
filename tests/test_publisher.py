"""Services publish a workshop's newest seq only after their transaction committed."""

from __future__ import annotations

import asyncio

import pytest

from backcast.db import Database
from backcast.enums import Phase
from backcast.live.broker import Broker
from backcast.services import items
from backcast.services.errors import PhaseClosed
from tests import factories


@pytest.fixture
def shop(db: Database) -> factories.Tree:
    return factories.tree(db)


def test_a_commit_reaches_a_listener_with_its_rows_readable(db: Database, shop: factories.Tree) -> None:
    async def scenario() -> list[tuple[int, str]]:
        broker = Broker(db)
        db.publisher = broker
        await broker.start()
        try:
            subscription = await broker.hub.subscribe(shop.workshop.id)
            await asyncio.to_thread(factories.phase, db, shop.workshop, Phase.vision)
            batch = await asyncio.wait_for(subscription.next_batch(), 2)
            assert batch is not None
            return [(row.seq, row.type) for row in batch.events]
        finally:
            await broker.stop()

    last = factories.fresh(db, shop.workshop).last_seq
    assert asyncio.run(scenario()) == [(last + 1, "phase-changed")]


def test_a_refused_change_publishes_nothing(db: Database, shop: factories.Tree) -> None:
    person, _ = factories.join(db, shop.workshop)

    async def scenario() -> bool:
        broker = Broker(db)
        db.publisher = broker
        await broker.start()
        try:
            subscription = await broker.hub.subscribe(shop.workshop.id)
            with pytest.raises(PhaseClosed):
                await asyncio.to_thread(
                    items.add_item, db, person, shop.workshop.code, kind="vision", text="Early"
                )
            try:
                await asyncio.wait_for(subscription.next_batch(), 0.5)
            except TimeoutError:
                return False
            return True
        finally:
            await broker.stop()

    assert asyncio.run(scenario()) is False
