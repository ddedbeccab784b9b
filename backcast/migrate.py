"""Schema migrations from code: upgrade, downgrade, and the check the server runs at start."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from backcast.db import ensure_sqlite_directory
from backcast.i18n import N_
from backcast.paths import ALEMBIC_INI, MIGRATIONS


class DatabaseBehind(RuntimeError):
    """The database's schema is older (or newer) than this version of the code. `message` is a
    msgid with `params`, translated where it is shown; str() is the English."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params)
        self.message, self.params = message, params


def alembic_config(url: str) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may carry %-escapes.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


@cache
def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_current(engine: Engine) -> str:
    """Returns the head revision, or raises DatabaseBehind naming the command that fixes it."""
    head = head_revision()
    current = current_revision(engine)
    if current != head:
        if current is None:
            raise DatabaseBehind(
                N_("the database has no schema yet, this version needs %(head)s: run `backcast db upgrade`"),
                head=head,
            )
        raise DatabaseBehind(
            N_(
                "the database is at revision %(current)s, this version needs %(head)s: "
                "run `backcast db upgrade`"
            ),
            current=current,
            head=head,
        )
    return head
