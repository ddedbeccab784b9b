"""Engines and transactions for both stores, through one code path.

Reads run in ordinary transactions. Writes run in `Database.write()`: on SQLite that is
`BEGIN IMMEDIATE`, so a writer takes the lock up front instead of failing halfway with
"database is locked"; on PostgreSQL the services lock the workshop row they change.
New events are published only after the commit succeeded.

The many small writes of a rating round go through `Database.write_together()`: writes that
arrive while one is being written share the next transaction, each in its own savepoint.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from backcast.settings import Settings

if TYPE_CHECKING:
    from backcast.models import Workshop


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
    # Workshops this transaction holds locked, by id: the writes of a group lock theirs once.
    locked: dict[int, Workshop] = field(default_factory=dict)

    def will_publish(self, workshop_id: int, seq: int) -> None:
        self.published[workshop_id] = max(seq, self.published.get(workshop_id, 0))


T = TypeVar("T")


@dataclass
class _Write(Generic[T]):
    """One caller's part of a group write, and how it ended."""

    work: Callable[[Transaction], T]
    done: threading.Event = field(default_factory=threading.Event)
    leads: bool = False  # this caller writes the next group
    value: T | None = None
    error: BaseException | None = None

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        # Without an error the work ran and set `value`, which is None only when `work` returned None.
        return self.value  # type: ignore[return-value]


class Database:
    def __init__(self, engine: Engine, publisher: Publisher | None = None) -> None:
        self.engine = engine
        self.publisher: Publisher = publisher if publisher is not None else NoPublisher()
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        # SQLite has one writer at a time. Queueing this process's writers on a lock is far cheaper
        # than letting them collide in SQLite's busy handler, which sleeps in steps of up to 100 ms.
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        self._group_lock = threading.Lock()
        self._waiting: list[_Write[Any]] = []
        self._writing = False

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

    def write_together(self, work: Callable[[Transaction], T]) -> T:
        """`work(tx)` in a transaction shared with the writes that arrive meanwhile.

        One caller at a time writes: it takes everything waiting, runs each part in its own
        savepoint (so a refused part leaves the others in place), commits once, then hands the
        pen to the first caller that arrived meanwhile. Under load one BEGIN, workshop lock and
        COMMIT serve a whole group, where one each per write made the lock the bottleneck.
        Every caller returns only after its group committed, with its own result or error.
        """
        write = _Write(work)
        with self._group_lock:
            self._waiting.append(write)
            write.leads = not self._writing
            self._writing = True
        if not write.leads:
            write.done.wait()
            if not write.leads:
                return write.outcome()
        with self._group_lock:
            group, self._waiting = self._waiting, []
        try:
            self._write_group(group)
        finally:
            with self._group_lock:
                if self._waiting:
                    self._waiting[0].leads = True
                    self._waiting[0].done.set()
                else:
                    self._writing = False
            for member in group:
                if member is not write:
                    member.done.set()
        return write.outcome()

    def _write_group(self, group: list[_Write[Any]]) -> None:
        try:
            with self.write() as tx:
                if len(group) == 1:  # alone: no savepoint needed, an error rolls back the whole
                    group[0].value = group[0].work(tx)
                    return
                for member in group:
                    # A savepoint rolled back forgets its events, and on PostgreSQL releases the
                    # row locks taken within it: those workshops must be locked again.
                    published, locked = dict(tx.published), dict(tx.locked)
                    try:
                        with tx.session.begin_nested():
                            member.value = member.work(tx)
                    except Exception as error:
                        member.error, tx.published, tx.locked = error, published, locked
        except Exception as error:  # nothing of the group was written
            for member in group:
                if member.error is None:
                    member.value, member.error = None, error

    def dispose(self) -> None:
        self.engine.dispose()
