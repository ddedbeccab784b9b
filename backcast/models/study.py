"""A study: a series of workshops with one codebook, its members and its themes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.enums import StudyRole, sql_in
from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import DESCRIPTION_MAX, KEY_MAX, LABEL_MAX, TITLE_MAX


class Study(SQLModel, table=True):
    __tablename__ = "study"
    __table_args__ = (
        CheckConstraint(f"length(title) BETWEEN 1 AND {TITLE_MAX}", name="title_length"),
        CheckConstraint(f"length(description) <= {DESCRIPTION_MAX}", name="description_length"),
        CheckConstraint("last_seq >= 0", name="last_seq_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_type=String(TITLE_MAX))
    description: str = Field(default="", sa_type=Text)
    # The codebook's criteria and groups (and the rest of a workshop's set-up), in both languages,
    # as a workshop template (`backcast.workshop_templates.WorkshopTemplate`): every workshop of
    # the study is created from it, and comparability is checked against its keys, scales and
    # directions. The workshops keep their own criterion and group rows, which ratings point at.
    codebook: dict[str, Any] = Field(sa_type=JSON)
    # The newest entry of the study's log (`study_event`); incremented under the row lock.
    last_seq: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyMember(SQLModel, table=True):
    __tablename__ = "study_member"
    __table_args__ = (CheckConstraint(f"role IN ({sql_in(StudyRole)})", name="role_known"),)

    study_id: int = Field(foreign_key="study.id", ondelete="CASCADE", primary_key=True)
    facilitator_id: int = Field(
        foreign_key="facilitator.id", ondelete="CASCADE", primary_key=True, index=True
    )
    role: str = Field(sa_type=String(20))
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyTheme(SQLModel, table=True):
    """A code of the study's codebook, for coding contributions across its workshops."""

    __tablename__ = "study_theme"
    __table_args__ = (
        UniqueConstraint("study_id", "key"),
        # Target of the codings' foreign key, so that a coding names a theme of its own study.
        UniqueConstraint("study_id", "id"),
        CheckConstraint(f"length(key) BETWEEN 1 AND {KEY_MAX}", name="key_length"),
        CheckConstraint(f"length(label_de) <= {LABEL_MAX}", name="label_de_length"),
        CheckConstraint(f"length(label_en) <= {LABEL_MAX}", name="label_en_length"),
        CheckConstraint("length(label_de) + length(label_en) > 0", name="label_given"),
    )

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", ondelete="CASCADE")
    key: str = Field(sa_type=String(KEY_MAX))
    label_de: str = Field(default="", sa_type=String(LABEL_MAX))
    label_en: str = Field(default="", sa_type=String(LABEL_MAX))
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyEvent(SQLModel, table=True):
    """The study's own log: what changed the study, its members and which workshops belong to it.
    A workshop joining or leaving is also written to that workshop's log."""

    __tablename__ = "study_event"
    __table_args__ = (UniqueConstraint("study_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", ondelete="CASCADE")
    seq: int
    type: str = Field(sa_type=String(64))
    actor: str = Field(sa_type=String(40))
    data: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyCodedItem(SQLModel, table=True):
    """One coder's coding of one contribution (its themes are `StudyCoding` rows; none at all is
    a coding too: "no theme fits"). `settled` marks the coding the study settled on after
    comparing its coders; results use that one. A study has at most one settled coding per item,
    kept so by the service under the study's row lock."""

    __tablename__ = "study_coded_item"
    __table_args__ = (
        UniqueConstraint("item_id", "coder_id", "settled"),
        # The item's workshop is in the study when coded; kept here so that a workshop leaving the
        # study is seen and its codings are not mistaken for another study's.
        ForeignKeyConstraint(["workshop_id", "item_id"], ["item.workshop_id", "item.id"], ondelete="CASCADE"),
        Index("ix_study_coded_item_study", "study_id", "settled"),
    )

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", ondelete="CASCADE")
    workshop_id: int
    item_id: int
    coder_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", index=True)
    settled: bool = False
    coded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StudyCoding(SQLModel, table=True):
    """One theme given to a contribution by one coder, at a time: the rows a study's agreement and
    results are computed from."""

    __tablename__ = "study_coding"
    __table_args__ = (
        UniqueConstraint("coded_item_id", "theme_id"),
        # The theme must be one of the coding's own study.
        ForeignKeyConstraint(
            ["study_id", "theme_id"], ["study_theme.study_id", "study_theme.id"], ondelete="CASCADE"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    coded_item_id: int = Field(foreign_key="study_coded_item.id", ondelete="CASCADE")
    study_id: int
    item_id: int = Field(index=True)
    theme_id: int
    coder_id: int
    settled: bool = False
    coded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
