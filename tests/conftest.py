"""Real stores for every test: an SQLite file, and a PostgreSQL database made for this run."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from backcast import migrate
from backcast.app import create_app
from backcast.db import Database, make_engine
from backcast.models import metadata
from backcast.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "BACKCAST_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_unavailable(reason: str) -> None:
    """Locally a missing PostgreSQL skips its tests; in CI it fails them, so they never silently skip."""
    if IN_CI:
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"PostgreSQL not reachable: {reason}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards."""
    name = f"backcast_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any connection failure means: no PostgreSQL here
        postgres_unavailable(str(error).splitlines()[0])
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database for this test run, migrated to head; tests empty it before they start."""
    with fresh_postgres_database() as url:
        migrate.upgrade(url)
        yield url


def _truncate_all(db: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _sqlite_db(template: Path, directory: Path) -> Database:
    path = directory / "backcast.sqlite3"
    shutil.copyfile(template, path)
    return Database(make_engine(f"sqlite:///{path}"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """The database, once on each store: one code path must behave the same on both."""
    if request.param == "sqlite":
        database = _sqlite_db(sqlite_template, tmp_path)
    else:
        database = Database(
            make_engine(request.getfixturevalue("postgres_url"), pool_size=20, max_overflow=40)
        )
        _truncate_all(database)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    database = _sqlite_db(sqlite_template, tmp_path)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret-key-" + "x" * 32, port=8000)


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    """The whole application over each store."""
    with TestClient(create_app(settings, db=db)) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(sqlite_db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db=sqlite_db)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright, shared by a module's browser tests."""
    from tests.browser import chromium

    yield from chromium()


# `make test-fast` deselects by marker; a test reaching for Chromium or the PostgreSQL database
# without its marker would slip into the fast loop and fail or skip there, so it is refused here.
_MARKED_FIXTURES = {"browser": "browser", "postgres_url": "postgres"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in _MARKED_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()) and item.get_closest_marker(marker) is None:
                raise pytest.UsageError(f"{item.nodeid} uses {fixture!r} without @pytest.mark.{marker}")
