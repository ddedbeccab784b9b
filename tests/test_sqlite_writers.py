"""50 writers at once on one SQLite file, through two real server processes (so that the lock
inside one process cannot be what saves them): every write succeeds, and "database is locked"
reaches no one. With the busy timeout cut to a millisecond, the same load does hit it: the
protection is SQLite's busy wait, set by `BACKCAST_SQLITE_BUSY_TIMEOUT`."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import func
from sqlmodel import select

from backcast import migrate
from backcast.db import Database, make_engine
from backcast.enums import Phase
from backcast.models import Rating
from backcast.services import items
from tests import factories
from tests import server as real_server

WRITERS = 50
MEASURES = 6
CRITERIA = ("impact", "feasibility", "urgency")


def rush(tmp_path: Path, **env: str) -> tuple[Counter[int], list[str], int]:
    """Statuses of every write (0: the connection broke), the bodies of the failed ones and both
    servers' logs, and the rating rows stored."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    migrate.upgrade(url)
    db = Database(make_engine(url))
    try:
        tree = factories.tree(db)
        shop, owner = tree.workshop, tree.owner
        measures = [m.id for m in tree.measures] + [
            items.add_item(db, owner, shop.code, kind="measure", text=f"Measure {n}").id
            for n in range(MEASURES - len(tree.measures))
        ]
        tokens = [factories.join(db, shop)[1] for _ in range(WRITERS)]
        factories.phase(db, shop, Phase.rating)
    finally:
        db.dispose()

    servers = [real_server.start(tmp_path / f"server{n}", BACKCAST_DATABASE_URL=url, **env) for n in range(2)]
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def write(index: int) -> None:
        base = servers[index % 2].base_url
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        with httpx.Client(base_url=base, timeout=60) as client:
            start.wait()
            for item_id in measures:
                for criterion in CRITERIA:
                    try:
                        response = client.put(
                            f"/api/v1/items/{item_id}/ratings",
                            json={criterion: 1 + index % 5},
                            headers=headers,
                        )
                    except httpx.TransportError as error:  # counted as status 0
                        status, text = 0, f"{type(error).__name__}: {error}"
                    else:
                        status, text = response.status_code, response.text
                    with lock:
                        statuses[status] += 1
                        if status != 200:
                            failures.append(text)

    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        for live in servers:
            live.stop()
    failures += [live.output() for live in servers]
    db = Database(make_engine(url))
    try:
        with db.read() as session:
            stored = session.exec(select(func.count()).select_from(Rating)).one()
    finally:
        db.dispose()
    return statuses, failures, stored


def test_50_writers_on_sqlite_from_two_processes_never_see_database_is_locked(tmp_path: Path) -> None:
    statuses, failures, stored = rush(tmp_path)

    assert statuses == {200: WRITERS * MEASURES * len(CRITERIA)}
    assert [text for text in failures if "locked" in text.lower()] == []
    assert stored == WRITERS * MEASURES * len(CRITERIA)


def test_without_the_busy_wait_the_same_load_hits_database_is_locked(tmp_path: Path) -> None:
    statuses, failures, stored = rush(tmp_path, BACKCAST_SQLITE_BUSY_TIMEOUT="0.001")

    assert statuses[500] > 0
    assert any("database is locked" in text for text in failures)
    # A write that failed to begin stored nothing; one whose connection broke may have.
    assert statuses[200] <= stored <= statuses[200] + statuses[0]
