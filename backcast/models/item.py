"""Contributions (vision statements, milestones, needs, measures) and the links between them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.enums import ItemKind, sql_in
from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import CLIENT_KEY_MAX, ITEM_TEXT_MAX, YEAR_MAX, YEAR_MIN


class Item(SQLModel, table=True):
    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("workshop_id", "id"),
        # A retried submission carries the same key and is stored once.
        UniqueConstraint("author_id", "client_key"),
        ForeignKeyConstraint(["workshop_id", "author_id"], ["participant.workshop_id", "participant.id"]),
        ForeignKeyConstraint(["workshop_id", "merged_into_id"], ["item.workshop_id", "item.id"]),
        ForeignKeyConstraint(["workshop_id", "table_id"], ["table.workshop_id", "table.id"]),
        CheckConstraint(f"kind IN ({sql_in(ItemKind)})", name="kind_known"),
        CheckConstraint(f"length(text) BETWEEN 1 AND {ITEM_TEXT_MAX}", name="text_length"),
        CheckConstraint(f"year IS NULL OR year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="year_range"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
        Index("ix_item_workshop_kind", "workshop_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    kind: str = Field(sa_type=String(16))
    text: str = Field(sa_type=Text)
    year: int | None = None
    author_id: int | None = Field(default=None, index=True)
    by_facilitator: bool = False
    hidden: bool = False
    withdrawn: bool = False
    # The vision synthesis the later phases refer to.
    adopted: bool = False
    merged_into_id: int | None = None
    # The breakout table it was added at; null for the plenary's.
    table_id: int | None = Field(default=None, index=True)
    client_key: str | None = Field(default=None, sa_type=String(CLIENT_KEY_MAX))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Link(SQLModel, table=True):
    """`from_id` depends on `to_id`: a need serves a milestone, a measure meets a need."""

    __tablename__ = "link"
    __table_args__ = (
        UniqueConstraint("from_id", "to_id"),
        # Both ends in the link's workshop: the database refuses a link across workshops.
        ForeignKeyConstraint(["workshop_id", "from_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["workshop_id", "to_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        CheckConstraint("from_id <> to_id", name="not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    from_id: int = Field(index=True)
    to_id: int = Field(index=True)
