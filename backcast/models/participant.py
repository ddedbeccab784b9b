"""A participant: pseudonymous (a name only where the workshop asks for one), known to the server
by a hashed token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import CONSENT_MAX, NAME_MAX


class Participant(SQLModel, table=True):
    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("workshop_id", "id"),
        # The group must belong to the same workshop.
        ForeignKeyConstraint(
            ["workshop_id", "group_id"], ["stakeholder_group.workshop_id", "stakeholder_group.id"]
        ),
        CheckConstraint(f"name IS NULL OR length(name) BETWEEN 1 AND {NAME_MAX}", name="name_length"),
        CheckConstraint(
            f"consent_text IS NULL OR length(consent_text) <= {CONSENT_MAX}", name="consent_length"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    token_hash: str = Field(sa_type=String(64), unique=True)
    name: str | None = Field(default=None, sa_type=String(NAME_MAX))
    group_id: int | None = Field(default=None, index=True)
    # The consent text and version the participant was shown, and when they agreed to it: all null
    # when none was asked, `consented_at` alone null when they declined (and took part anyway).
    consent_version: int | None = None
    consent_text: str | None = Field(default=None, sa_type=Text)
    consented_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
