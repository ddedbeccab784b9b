"""Services publish a workshop's newest seq only after their transaction committed."""

from __future__ import annotations

import pytest

from backcast.db import Database
from backcast.enums import Phase
from backcast.live.publisher import MemoryPublisher
from backcast.services import items
from backcast.services.errors import PhaseClosed
from tests import factories


def test_a_commit_publishes_its_newest_seq_once(db: Database) -> None:
    shop = factories.workshop(db)
    assert isinstance(db.publisher, MemoryPublisher)
    heard: list[tuple[int, int]] = []
    unsubscribe = db.publisher.subscribe(lambda workshop_id, seq: heard.append((workshop_id, seq)), shop.id)

    factories.phase(db, shop, Phase.vision)

    assert heard == [(shop.id, factories.fresh(db, shop).last_seq)]
    unsubscribe()
    factories.phase(db, shop, Phase.lobby)
    assert len(heard) == 1


def test_a_refused_change_publishes_nothing(db: Database) -> None:
    shop = factories.workshop(db)
    person, _ = factories.join(db, shop)
    heard: list[tuple[int, int]] = []
    assert isinstance(db.publisher, MemoryPublisher)
    db.publisher.subscribe(lambda workshop_id, seq: heard.append((workshop_id, seq)))

    with pytest.raises(PhaseClosed):
        items.add_item(db, person, shop.code, kind="vision", text="Too early")

    assert heard == []


def test_a_listener_sees_the_committed_rows(db: Database) -> None:
    """Publishing after commit means a listener reading the log finds the event it was told of."""
    shop = factories.workshop(db)
    seen: list[int] = []

    def read_back(workshop_id: int, seq: int) -> None:
        seen.append(factories.event_count(db, shop))

    assert isinstance(db.publisher, MemoryPublisher)
    db.publisher.subscribe(read_back, shop.id)
    factories.phase(db, shop, Phase.vision)

    assert seen == [factories.fresh(db, shop).last_seq]
