"""Who must act on the pathway: a workshop's actors and the roles they take for its items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.enums import ActorStatus, Role, sql_in
from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import ACTOR_NAME_MAX, KEY_MAX


class Actor(SQLModel, table=True):
    """A stakeholder group of the workshop (`group_key` set) or a named organisation."""

    __tablename__ = "actor"
    __table_args__ = (
        UniqueConstraint("workshop_id", "id"),
        ForeignKeyConstraint(["workshop_id", "merged_into_id"], ["actor.workshop_id", "actor.id"]),
        CheckConstraint(f"length(name) BETWEEN 1 AND {ACTOR_NAME_MAX}", name="name_length"),
        CheckConstraint(f"status IN ({sql_in(ActorStatus)})", name="status_known"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_type=String(ACTOR_NAME_MAX))
    # A group's key, kept as text: the group's label may change, and the actor outlives a group
    # taken out of the set-up.
    group_key: str | None = Field(default=None, sa_type=String(KEY_MAX))
    status: str = Field(default=ActorStatus.confirmed, sa_type=String(10))
    # Merged into another actor: its roles moved there, the row stays for the record.
    merged_into_id: int | None = None
    by_facilitator: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActorRole(SQLModel, table=True):
    """An actor's one role for one item: leads, contributes, must agree or could block."""

    __tablename__ = "actor_role"
    __table_args__ = (
        UniqueConstraint("actor_id", "item_id"),
        ForeignKeyConstraint(
            ["workshop_id", "actor_id"], ["actor.workshop_id", "actor.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["workshop_id", "item_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        CheckConstraint(f"role IN ({sql_in(Role)})", name="role_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    actor_id: int
    item_id: int = Field(index=True)
    role: str = Field(sa_type=String(12))
