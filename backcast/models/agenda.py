"""The action agenda: the measures the workshop decided to pursue."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.enums import AgendaStatus, sql_in
from backcast.models.base import UTCDateTime, utcnow
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
        CheckConstraint(f"status IN ({sql_in(AgendaStatus)})", name="status_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    item_id: int
    owner: str = Field(default="", sa_type=String(OWNER_MAX))
    start_year: int | None = None
    note: str = Field(default="", sa_type=Text)
    position: int = 0
    status: str = Field(default=AgendaStatus.planned, sa_type=String(10))


class AgendaHistory(SQLModel, table=True):
    """One status change of an agenda entry, with its date and note. Rows are only ever added:
    the follow-up's record outlives the entry (taken off the agenda, the entry's rows stay)."""

    __tablename__ = "agenda_history"
    __table_args__ = (
        ForeignKeyConstraint(["workshop_id", "item_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        CheckConstraint(f"status IN ({sql_in(AgendaStatus)})", name="status_known"),
        CheckConstraint(f"previous_status IN ({sql_in(AgendaStatus)})", name="previous_status_known"),
        CheckConstraint(f"length(note) <= {NOTE_MAX}", name="note_length"),
        Index("ix_agenda_history_workshop_entry", "workshop_id", "entry_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    # No foreign key: the history stays when the entry is taken off the agenda.
    entry_id: int
    item_id: int
    previous_status: str = Field(sa_type=String(10))
    status: str = Field(sa_type=String(10))
    # The day the change happened, as the facilitator gives it (not before the workshop).
    changed_on: date = Field(sa_type=Date)
    note: str = Field(default="", sa_type=Text)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
