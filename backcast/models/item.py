"""Contributions (vision statements, milestones, needs, measures) and the links between them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.enums import ItemKind, NeedType, sql_in
from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import (
    CARRIED_LABEL_MAX,
    CLIENT_KEY_MAX,
    CODE_LENGTH,
    ITEM_TEXT_MAX,
    YEAR_MAX,
    YEAR_MIN,
)


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
        CheckConstraint(f"length(carried_label) <= {CARRIED_LABEL_MAX}", name="carried_label_length"),
        CheckConstraint(f"need_type IS NULL OR need_type IN ({sql_in(NeedType)})", name="need_type_known"),
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
    # A starting contribution carried over from another workshop of the study: that workshop's
    # code and item id (plain values, so the origin outlives the source), and how the mark on
    # screens names it ("Bremen 2026").
    carried_from_workshop: str | None = Field(default=None, sa_type=String(CODE_LENGTH))
    carried_from_item: int | None = None
    carried_label: str = Field(default="", sa_type=String(CARRIED_LABEL_MAX))
    # For needs: a need proper, a barrier in the way, or an opportunity; null for other kinds.
    need_type: str | None = Field(default=None, sa_type=String(12))
    # For barriers and opportunities: the fields they belong to (`Tag` values), in that order.
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
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
