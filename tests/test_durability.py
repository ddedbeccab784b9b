"""A real server on SQLite, killed with SIGKILL in the middle of a rating rush and a stream of new
items, loses nothing it acknowledged and leaves nothing half-written."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx2 as httpx
from sqlmodel import select

from backcast.db import Database, make_engine
from backcast.enums import Phase
from backcast.models import Criterion, EventRecord, Item, Link, Rating
from backcast.services import accounts, items
from tests import factories
from tests import server as real_server

PARTICIPANTS = 8
MEASURES = 30
WRITERS = 12
ITEM_WRITERS = 3
KILL_AFTER_ACKS = 150
KILL_AFTER_SECONDS = 10.0

Combo = tuple[int, int, str]  # participant, item, criterion


def prepare(db: Database) -> tuple[str, dict[str, str], dict[int, str], list[int], list[Combo], int]:
    tree = factories.tree(db)
    shop, owner = tree.workshop, tree.owner
    measures = [m.id for m in tree.measures] + [
        items.add_item(db, owner, shop.code, kind="measure", text=f"Measure {n}").id
        for n in range(MEASURES - len(tree.measures))
    ]
    joined = [factories.join(db, shop) for _ in range(PARTICIPANTS)]
    factories.phase(db, shop, Phase.rating)
    tokens = {person.id: token for person, token in joined}
    # Every PUT rates one criterion of one item as one person, and no two PUTs the same: one 2xx, one row.
    combos = [
        (person.id, item_id, criterion)
        for person, _ in joined
        for item_id in measures
        for criterion in ("impact", "feasibility", "urgency")
    ]
    facilitator = {"Authorization": f"Bearer {accounts.issue_api_token(db, owner.email)}"}
    return shop.code, facilitator, tokens, measures, combos, tree.need.id  # type: ignore[return-value]


def test_a_killed_server_keeps_every_acknowledged_rating_and_no_half_written_item(tmp_path: Path) -> None:
    live = real_server.start(tmp_path, BACKCAST_CONTRIBUTION_LIMIT="0")
    db = Database(make_engine(f"sqlite:///{tmp_path / 'backcast.sqlite3'}"))
    try:
        code, facilitator, tokens, _, combos, need_id = prepare(db)
        acked: list[Combo] = []
        unknown: list[Combo] = []  # sent when the server died: committed or not, nobody was told
        added: list[int] = []
        lock = threading.Lock()
        stop = threading.Event()

        def rate(share: list[Combo]) -> None:
            with httpx.Client(base_url=live.base_url, timeout=10) as client:
                for person, item_id, criterion in share:
                    if stop.is_set():
                        return
                    try:
                        response = client.put(
                            f"/api/v1/items/{item_id}/ratings",
                            json={criterion: 3},
                            headers={"Authorization": f"Bearer {tokens[person]}"},
                        )
                    except httpx.TransportError:
                        with lock:
                            unknown.append((person, item_id, criterion))
                        return
                    assert response.status_code == 200, response.text
                    with lock:
                        acked.append((person, item_id, criterion))

        def add_items(writer: int) -> None:
            with httpx.Client(base_url=live.base_url, timeout=10) as client:
                n = 0
                while not stop.is_set():
                    try:
                        response = client.post(
                            f"/api/v1/workshops/{code}/items",
                            json={
                                "kind": "measure",
                                "text": f"Added under load {writer}.{n}",
                                "links": [need_id],
                            },
                            headers=facilitator,
                        )
                    except httpx.TransportError:
                        return
                    assert response.status_code == 201, response.text
                    added.append(response.json()["id"])
                    n += 1

        threads = [threading.Thread(target=rate, args=(combos[n::WRITERS],)) for n in range(WRITERS)]
        threads += [threading.Thread(target=add_items, args=(n,)) for n in range(ITEM_WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + KILL_AFTER_SECONDS
        while len(acked) < KILL_AFTER_ACKS and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(live.process.pid, signal.SIGKILL)
        live.process.wait(timeout=10)
        live.handle.close()
        log = live.output()
        secrets = [*tokens.values(), facilitator["Authorization"].split()[1]]
        assert "PUT /api/v1/items/" in log  # the access log was on, and still holds no token
        assert [secret for secret in secrets if secret in log] == []
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        assert not any(thread.is_alive() for thread in threads)
        assert len(acked) >= 50, "the server died before the load got going"
        assert len(acked) < len(combos), "the load finished before the kill"
    finally:
        db.dispose()

    restarted = real_server.start(tmp_path)
    db = Database(make_engine(f"sqlite:///{tmp_path / 'backcast.sqlite3'}"))
    try:
        assert (
            httpx.get(f"{restarted.base_url}/api/v1/workshops/{code}", headers=facilitator).status_code == 200
        )
        with db.read() as session:
            stored = set(
                session.exec(
                    select(Rating.participant_id, Rating.item_id, Criterion.key).join(
                        Criterion,
                        Criterion.id == Rating.criterion_id,  # type: ignore[arg-type]
                    )
                )
            )
            events = list(session.exec(select(EventRecord).order_by(EventRecord.seq)))
            rows = list(session.exec(select(Item)))
            links = list(session.exec(select(Link)))
    finally:
        db.dispose()
        restarted.stop()

    # Every acknowledged rating is there; anything more was in flight at the kill.
    assert set(acked) - stored == set()
    assert stored - set(acked) <= set(unknown)
    assert len(stored) == len(acked) + len(stored & set(unknown))
    # Each rating row has its event, each event its row: nothing committed half.
    rated = {
        (event.data["participant_id"], event.data["item_id"], key)
        for event in events
        if event.type == "item-rated"
        for key in event.data["values"]
    }
    assert rated == stored
    # Every item has its event and its links; every link its item; every acknowledged item is there.
    added_events = {
        event.data["item_id"]: sorted(event.data["links"]) for event in events if event.type == "item-added"
    }
    item_links: dict[int, list[int]] = {}
    for link in links:
        item_links.setdefault(link.from_id, []).append(link.to_id)
    assert {item.id: sorted(item_links.get(item.id, [])) for item in rows} == added_events  # type: ignore[misc]
    assert set(added) <= {item.id for item in rows}
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
