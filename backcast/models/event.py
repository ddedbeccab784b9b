"""The workshop's append-only event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.models.base import UTCDateTime, utcnow


class EventRecord(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("workshop_id", "seq"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    seq: int
    type: str = Field(sa_type=String(64))
    # Who caused it: "facilitator:3", "participant:17" or "system".
    actor: str = Field(sa_type=String(40))
    data: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
