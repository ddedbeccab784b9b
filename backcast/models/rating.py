"""Ratings on criteria, and dots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import REASON_MAX


class Rating(SQLModel, table=True):
    """One participant's value for one item on one criterion; a null value is "can't judge"."""

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("participant_id", "item_id", "criterion_id", "round"),
        ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["participant.workshop_id", "participant.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["workshop_id", "item_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        # The scale is copied from the criterion and kept in step by the cascade, so the CHECK
        # below holds in the database, and a scale change that would strand a value is refused.
        ForeignKeyConstraint(
            ["workshop_id", "criterion_id", "scale_min", "scale_max"],
            ["criterion.workshop_id", "criterion.id", "criterion.scale_min", "criterion.scale_max"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        CheckConstraint(
            "value IS NULL OR (value >= scale_min AND value <= scale_max)", name="value_on_scale"
        ),
        CheckConstraint("round >= 1", name="round_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    participant_id: int
    item_id: int = Field(index=True)
    criterion_id: int = Field(index=True)
    scale_min: int
    scale_max: int
    value: int | None = None
    # The rating round (Delphi) it was given in; a single-round workshop has only round 1.
    round: int = 1
    rated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Dots(SQLModel, table=True):
    """How many of their dots a participant gave an item."""

    __tablename__ = "dots"
    __table_args__ = (
        UniqueConstraint("participant_id", "item_id"),
        ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["participant.workshop_id", "participant.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["workshop_id", "item_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        CheckConstraint("count >= 0", name="count_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    participant_id: int
    item_id: int = Field(index=True)
    count: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Reason(SQLModel, table=True):
    """Why a participant's answer in a round after the first lies apart from the room's (or changed).
    The room sees it without its author; the facilitator moderates it like a contribution (hide, edit)."""

    __tablename__ = "reason"
    __table_args__ = (
        UniqueConstraint("participant_id", "item_id", "criterion_id", "round"),
        ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["participant.workshop_id", "participant.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(["workshop_id", "item_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        CheckConstraint(f"length(text) BETWEEN 1 AND {REASON_MAX}", name="text_length"),
        CheckConstraint("round >= 2", name="round_after_first"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    participant_id: int
    item_id: int = Field(index=True)
    criterion_id: int = Field(foreign_key="criterion.id", ondelete="CASCADE")
    round: int
    text: str = Field(sa_type=Text)
    hidden: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
