"""The schema comes from Alembic, matches the models exactly, and the server refuses an old one."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from backcast import migrate
from backcast.app import create_app
from backcast.db import Database, make_engine
from backcast.models import metadata
from backcast.settings import Settings
from tests.conftest import fresh_postgres_database


def _differences(url: str) -> list[object]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with fresh_postgres_database() as url:
        yield url


def test_upgrade_from_empty_matches_the_models_exactly(empty_url: str) -> None:
    migrate.upgrade(empty_url)

    assert _differences(empty_url) == []
    assert _tables(empty_url) == {table.name for table in metadata.sorted_tables} | {"alembic_version"}


def test_downgrade_to_base_removes_every_table(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")

    assert _tables(empty_url) <= {"alembic_version"}


def test_comparison_notices_a_model_the_migrations_lack(empty_url: str) -> None:
    """Proves the parity check can fail: a database missing one migration differs."""
    migrate.upgrade(empty_url)
    engine = create_engine(empty_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE agenda_entry")
    engine.dispose()

    assert any("agenda_entry" in repr(difference) for difference in _differences(empty_url))


def test_server_refuses_a_database_that_is_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db = Database(make_engine(url))

    with pytest.raises(migrate.DatabaseBehind, match="backcast db upgrade"):
        create_app(Settings(data_dir=tmp_path, database_url=url, secret_key="k" * 40), db=db)
    db.dispose()


def test_serve_on_a_database_that_is_behind_names_the_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "backcast.cli", "serve", "--port", "8999"],
        env={"BACKCAST_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "backcast: error: the database has no schema yet, this version needs "
        f"{migrate.head_revision()}: run `backcast db upgrade`"
    ]


def test_a_workshop_from_before_templates_keeps_everything_and_gets_the_built_in_prompts(
    empty_url: str,
) -> None:
    migrate.upgrade(empty_url, "0001")
    engine = create_engine(empty_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO workshop (code, title, question, present_year, vision_year, milestone_years, "
                "phase, language, input_open, results_visible, dot_budget, names, rated_kinds, consent_text, "
                "consent_version, last_seq, created_at, updated_at) VALUES ('ABCDEF', 'Alt', '', 2026, 2045, "
                "'[2030]', 'vision', 'de', true, false, 5, 'optional', '[\"measure\"]', '', 0, 0, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        migrate.upgrade(empty_url)
        with engine.connect() as connection:
            row = connection.exec_driver_sql(
                "SELECT title, milestone_years, template, prompts FROM workshop WHERE code = 'ABCDEF'"
            ).one()
    finally:
        engine.dispose()
    title, years, template, prompts = row
    assert (title, template) == ("Alt", "")
    assert [years, prompts] in ([[2030], {}], ["[2030]", "{}"])
