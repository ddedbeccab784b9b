"""Breakout tables and who sits at which: small groups working in parallel during a workshop."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from backcast.enums import Assign, sql_in
from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import TABLE_NAME_MAX, TABLE_SCOPE_MAX, TABLES_MAX


class Table(SQLModel, table=True):
    """One table of one breakout. A breakout is the set of tables with the same `breakout` number;
    its set-up (how people were seated, the seed) is kept on each of its tables, so that a table row
    alone says how its seating came about."""

    __tablename__ = "table"
    __table_args__ = (
        UniqueConstraint("workshop_id", "id"),
        UniqueConstraint("workshop_id", "breakout", "number"),
        CheckConstraint(f"length(name) BETWEEN 1 AND {TABLE_NAME_MAX}", name="name_length"),
        CheckConstraint(f"length(scope_text) <= {TABLE_SCOPE_MAX}", name="scope_length"),
        CheckConstraint(f"number BETWEEN 1 AND {TABLES_MAX}", name="number_range"),
        CheckConstraint("breakout >= 1", name="breakout_positive"),
        CheckConstraint(f"assign IN ({sql_in(Assign)})", name="assign_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    breakout: int
    number: int
    name: str = Field(sa_type=String(TABLE_NAME_MAX))
    # What the table works on: a milestone or need of the workshop, or a free text (a sector).
    # No foreign key: items point at their table, and a cycle of keys would need deferred
    # constraints on every store; the service checks the item is the workshop's.
    scope_item_id: int | None = None
    scope_text: str = Field(default="", sa_type=String(TABLE_SCOPE_MAX))
    assign: str = Field(sa_type=String(10))
    # The random seating's seed, so that it can be replayed; null for the other ways.
    seed: int | None = None
    # Phones see the other tables' contributions during the breakout too.
    others_visible: bool = False
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Seating(SQLModel, table=True):
    """A participant at a table from `seated_at` until `left_at`. Moving someone closes their seat
    and opens another, so the history stays; deleting a participant deletes their seats."""

    __tablename__ = "seating"
    __table_args__ = (
        ForeignKeyConstraint(
            ["workshop_id", "table_id"], ["table.workshop_id", "table.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["participant.workshop_id", "participant.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(f"how IN ({sql_in(Assign)}, 'moved')", name="how_known"),
        # One open seat per participant, held by the database.
        Index(
            "ix_seating_open",
            "participant_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
        Index("ix_seating_table", "table_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    table_id: int
    participant_id: int
    # balanced, random or choice as the breakout seated them; moved when the facilitator did.
    how: str = Field(sa_type=String(10))
    seated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
