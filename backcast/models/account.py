"""Facilitator accounts, API tokens and the account log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String
from sqlmodel import Field, SQLModel

from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import EMAIL_MAX


class Facilitator(SQLModel, table=True):
    __tablename__ = "facilitator"
    __table_args__ = (CheckConstraint(f"length(email) BETWEEN 3 AND {EMAIL_MAX}", name="email_length"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(EMAIL_MAX), unique=True)
    password_hash: str = Field(sa_type=String(255))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", index=True)
    # SHA-256 of the token: tokens are long random strings, so a fast hash is enough.
    token_hash: str = Field(sa_type=String(64), unique=True)
    label: str = Field(default="", sa_type=String(100))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FacilitatorSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random token whose hash is kept here, so signing
    out, a new password or "sign out everywhere" ends a session at once, on every process."""

    __tablename__ = "facilitator_session"

    id: int | None = Field(default=None, primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class RateHit(SQLModel, table=True):
    """One counted attempt of a rate limit, when several processes share their limits through
    the database (the postgres broker). `bucket` names the limit and its key."""

    __tablename__ = "rate_hit"

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(sa_type=String(300), index=True)
    # Seconds since the epoch: the processes' clocks are compared, not their monotonic timers.
    at: float


class AccountEvent(SQLModel, table=True):
    """Changes to accounts, which belong to no workshop's log."""

    __tablename__ = "account_event"

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(sa_type=String(64))
    data: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
