"""The action agenda: the measures the workshop decided to pursue."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.models.limits import NOTE_MAX, OWNER_MAX, YEAR_MAX, YEAR_MIN


class AgendaEntry(SQLModel, table=True):
    __tablename__ = "agenda_entry"
    __table_args__ = (
        UniqueConstraint("workshop_id", "item_id"),
        ForeignKeyConstraint(["workshop_id", "item_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        CheckConstraint(f"length(owner) <= {OWNER_MAX}", name="owner_length"),
        CheckConstraint(f"length(note) <= {NOTE_MAX}", name="note_length"),
        CheckConstraint(
            f"start_year IS NULL OR start_year BETWEEN {YEAR_MIN} AND {YEAR_MAX}",
            name="start_year_range",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    item_id: int
    owner: str = Field(default="", sa_type=String(OWNER_MAX))
    start_year: int | None = None
    note: str = Field(default="", sa_type=Text)
    position: int = 0
