"""Events are named by their classes, and each one is classified for the phones."""

from __future__ import annotations

from typing import Any

from backcast import events
from backcast.enums import ItemKind, Phase
from backcast.models import EventRecord
from backcast.web.phone_live import ON_PHONES, OnPhones, on_phones


def record(event: events.Event, **data: Any) -> EventRecord:
    return EventRecord(
        workshop_id=1,
        seq=1,
        type=event.type,
        actor="system",
        data={**event.model_dump(mode="json"), **data},
    )


def test_every_event_is_classified_for_phones() -> None:
    """A new event class must say what it does to the phones, or this fails."""
    missing = sorted(cls.type for cls in events.EVENT_TYPES.values() if cls not in ON_PHONES)

    assert missing == [], f"classify these in backcast/web/phone_live.py ON_PHONES: {missing}"
    assert set(ON_PHONES) == set(events.EVENT_TYPES.values())


def test_account_events_reach_no_phone() -> None:
    account = [cls for cls in events.EVENT_TYPES.values() if cls.account]

    assert {ON_PHONES[cls] for cls in account} == {OnPhones.NOTHING}
    assert len(account) == 8


def test_an_item_added_refreshes_phones_only_when_a_facilitator_added_it() -> None:
    added = events.ItemAdded(
        item_id=1, kind=ItemKind.need, text="x", year=None, author_id=None, by_facilitator=True, links=[]
    )
    by_participant = added.model_copy(update={"by_facilitator": False, "author_id": 3})

    assert on_phones(record(added)) is OnPhones.ITEMS
    assert on_phones(record(by_participant)) is OnPhones.NOTHING
    changed = events.PhaseChanged(phase=Phase.rating, previous=Phase.measures, input_open=True)
    assert on_phones(record(changed)) is OnPhones.VIEW
