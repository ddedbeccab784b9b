"""Engines and transactions for both stores, through one code path.

Reads run in ordinary transactions. Writes run in `Database.write()`: on SQLite that is
`BEGIN IMMEDIATE`, so a writer takes the lock up front instead of failing halfway with
"database is locked"; on PostgreSQL the services lock the workshop row they change.
New events are published only after the commit succeeded.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from backcast.settings import Settings


class Publisher(Protocol):
    """Told each workshop's newest `seq` after a commit; the live layer's broker is one."""

    def publish(self, workshop_id: int, seq: int) -> None: ...


class NoPublisher:
    """For commands that run without a server: nobody is listening."""

    def publish(self, workshop_id: int, seq: int) -> None:
        return None


def ensure_sqlite_directory(url: str) -> None:
    """An SQLite file's directory must exist before the first connection; the data dir may be new."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, *, busy_timeout: float = 15.0, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)

    ensure_sqlite_directory(url)
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout, "check_same_thread": False},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@dataclass
class Transaction:
    """A write in progress: the session, and the workshops whose newest `seq` to publish."""

    session: Session
    published: dict[int, int] = field(default_factory=dict)

    def will_publish(self, workshop_id: int, seq: int) -> None:
        self.published[workshop_id] = max(seq, self.published.get(workshop_id, 0))


class Database:
    def __init__(self, engine: Engine, publisher: Publisher | None = None) -> None:
        self.engine = engine
        self.publisher: Publisher = publisher if publisher is not None else NoPublisher()
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        # SQLite has one writer at a time. Queueing this process's writers on a lock is far cheaper
        # than letting them collide in SQLite's busy handler, which sleeps in steps of up to 100 ms.
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()

    @classmethod
    def from_settings(cls, settings: Settings, publisher: Publisher | None = None) -> Database:
        engine = make_engine(settings.resolved_database_url, busy_timeout=settings.sqlite_busy_timeout)
        return cls(engine, publisher)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Transaction]:
        """One transaction: commits on success, rolls back on any error, then publishes."""
        with self._write_lock, Session(self._write_engine, expire_on_commit=False) as session:
            tx = Transaction(session)
            with session.begin():
                yield tx
        for workshop_id, seq in tx.published.items():
            self.publisher.publish(workshop_id, seq)

    def dispose(self) -> None:
        self.engine.dispose()
