"""Workshop templates a facilitator saved or imported (the built-in ones are files in the package)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import TEMPLATE_KEY_MAX, TITLE_MAX


class SavedTemplate(SQLModel, table=True):
    __tablename__ = "saved_template"
    __table_args__ = (
        UniqueConstraint("facilitator_id", "key"),
        CheckConstraint(f"length(key) BETWEEN 1 AND {TEMPLATE_KEY_MAX}", name="key_length"),
        CheckConstraint(f"length(name) BETWEEN 1 AND {TITLE_MAX}", name="name_length"),
    )

    id: int | None = Field(default=None, primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", index=True)
    key: str = Field(sa_type=String(TEMPLATE_KEY_MAX))
    name: str = Field(sa_type=String(TITLE_MAX))
    # The template file's content, as `backcast.workshop_templates.WorkshopTemplate` validates it.
    body: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
