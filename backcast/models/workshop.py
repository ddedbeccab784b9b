"""A workshop, its owners, criteria and stakeholder groups."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from backcast.enums import (
    ConsensusKind,
    Direction,
    Language,
    NamesMode,
    Phase,
    ReasonMode,
    ReasonTrigger,
    sql_in,
)
from backcast.models.base import UTCDateTime, utcnow
from backcast.models.limits import (
    CODE_LENGTH,
    CONSENT_MAX,
    DOT_BUDGET_MAX,
    KEY_MAX,
    LABEL_MAX,
    PRIVACY_MAX,
    QUESTION_MAX,
    REGION_MAX,
    ROUNDS_MAX,
    SCALE_MAX,
    SCALE_MIN,
    TEMPLATE_KEY_MAX,
    TITLE_MAX,
    YEAR_MAX,
    YEAR_MIN,
)


class Workshop(SQLModel, table=True):
    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint(f"length(code) = {CODE_LENGTH} AND upper(code) = code", name="code_shape"),
        CheckConstraint(f"length(title) BETWEEN 1 AND {TITLE_MAX}", name="title_length"),
        CheckConstraint(f"length(question) <= {QUESTION_MAX}", name="question_length"),
        CheckConstraint(f"present_year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="present_year_range"),
        CheckConstraint(f"vision_year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="vision_year_range"),
        CheckConstraint("vision_year > present_year", name="vision_after_present"),
        CheckConstraint(f"phase IN ({sql_in(Phase)})", name="phase_known"),
        CheckConstraint(f"language IN ({sql_in(Language)})", name="language_known"),
        CheckConstraint(f"names IN ({sql_in(NamesMode)})", name="names_known"),
        CheckConstraint(f"dot_budget BETWEEN 0 AND {DOT_BUDGET_MAX}", name="dot_budget_range"),
        CheckConstraint(f"length(consent_text) <= {CONSENT_MAX}", name="consent_length"),
        CheckConstraint("consent_version >= 0", name="consent_version_positive"),
        CheckConstraint(f"length(privacy_text) <= {PRIVACY_MAX}", name="privacy_length"),
        CheckConstraint("last_seq >= 0", name="last_seq_positive"),
        CheckConstraint("timer_paused_seconds IS NULL OR timer_paused_seconds >= 0", name="timer_positive"),
        CheckConstraint(f"length(region) <= {REGION_MAX}", name="region_length"),
        CheckConstraint(f"length(sector) <= {REGION_MAX}", name="sector_length"),
        CheckConstraint(f"length(venue) <= {TITLE_MAX}", name="venue_length"),
        CheckConstraint(f"current_round BETWEEN 1 AND {ROUNDS_MAX}", name="current_round_range"),
        CheckConstraint(f"planned_rounds BETWEEN 1 AND {ROUNDS_MAX}", name="planned_rounds_range"),
        CheckConstraint(f"consensus_rule IN ({sql_in(ConsensusKind)})", name="consensus_rule_known"),
        CheckConstraint(
            "consensus_iqr_share >= 0 AND consensus_iqr_share <= 1", name="consensus_iqr_share_range"
        ),
        CheckConstraint("consensus_top_k >= 1", name="consensus_top_k_positive"),
        CheckConstraint(
            "consensus_threshold > 0 AND consensus_threshold <= 1", name="consensus_threshold_range"
        ),
        CheckConstraint(f"reason_trigger IN ({sql_in(ReasonTrigger)})", name="reason_trigger_known"),
        CheckConstraint(f"reason_mode IN ({sql_in(ReasonMode)})", name="reason_mode_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(CODE_LENGTH), unique=True)
    title: str = Field(sa_type=String(TITLE_MAX))
    question: str = Field(default="", sa_type=Text)
    present_year: int
    vision_year: int
    milestone_years: list[int] = Field(default_factory=list, sa_type=JSON)
    phase: str = Field(default=Phase.lobby, sa_type=String(20))
    language: str = Field(default=Language.de, sa_type=String(8))
    input_open: bool = False
    results_visible: bool = False
    dot_budget: int = 5
    names: str = Field(default=NamesMode.optional, sa_type=String(10))
    rated_kinds: list[str] = Field(default_factory=lambda: ["measure"], sa_type=JSON)
    consent_text: str = Field(default="", sa_type=Text)
    # The data-protection notice (GDPR Art. 13) participants can read before and after joining.
    privacy_text: str = Field(default="", sa_type=Text)
    # The template the workshop started from (a built-in key, or a saved one's), for the record.
    template: str = Field(default="", sa_type=String(TEMPLATE_KEY_MAX))
    # What participants are asked in each phase, per language: {"vision": {"de": "…", "en": "…"}}.
    # A phase without a text here gets the built-in prompt in the reader's language.
    prompts: dict[str, dict[str, str]] = Field(default_factory=dict, sa_type=JSON)
    # A locked room takes no new participants; those already in keep going.
    joins_locked: bool = False
    # Bumped whenever the consent text changes, so each participant's consent names its text.
    consent_version: int = 0
    # A running timer has an end; a paused one keeps the seconds that were left.
    timer_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    timer_paused_seconds: int | None = None
    # The study it belongs to, if any; a study holding workshops cannot be deleted.
    study_id: int | None = Field(default=None, foreign_key="study.id", ondelete="RESTRICT", index=True)
    # What a study compares its workshops by (the workshop's language is `language`).
    region: str = Field(default="", sa_type=String(REGION_MAX))
    sector: str = Field(default="", sa_type=String(REGION_MAX))
    held_on: date | None = Field(default=None, sa_type=Date)
    venue: str = Field(default="", sa_type=String(TITLE_MAX))
    # Rating rounds (Delphi): ratings go to the current round; earlier rounds stay as they were.
    current_round: int = 1
    # A round may stay open after the workshop; past this moment it takes no more ratings.
    round_closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The consensus rule, fixed before round 1 has ratings: the IQR at most a share of the scale's
    # range, or at least `consensus_threshold` of the answers in the top or bottom k categories.
    consensus_rule: str = Field(default=ConsensusKind.iqr, sa_type=String(10))
    consensus_iqr_share: float = 0.25
    consensus_top_k: int = 2
    consensus_threshold: float = 0.75
    planned_rounds: int = 1
    # Which answers of round 2 onwards ask for a reason, and whether one must be given.
    reason_trigger: str = Field(default=ReasonTrigger.outside, sa_type=String(10))
    reason_mode: str = Field(default=ReasonMode.optional, sa_type=String(10))
    # The newest event's number; incremented under the row lock, which keeps `seq` gap-free.
    last_seq: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkshopOwner(SQLModel, table=True):
    __tablename__ = "workshop_owner"

    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", primary_key=True)
    facilitator_id: int = Field(
        foreign_key="facilitator.id", ondelete="CASCADE", primary_key=True, index=True
    )
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Criterion(SQLModel, table=True):
    __tablename__ = "criterion"
    __table_args__ = (
        UniqueConstraint("workshop_id", "key"),
        # Target of the ratings' foreign key, which copies the scale so a CHECK can hold it.
        UniqueConstraint("workshop_id", "id", "scale_min", "scale_max"),
        CheckConstraint(f"length(key) BETWEEN 1 AND {KEY_MAX}", name="key_length"),
        CheckConstraint(f"length(label) BETWEEN 1 AND {LABEL_MAX}", name="label_length"),
        CheckConstraint(f"length(low_label) <= {LABEL_MAX}", name="low_label_length"),
        CheckConstraint(f"length(high_label) <= {LABEL_MAX}", name="high_label_length"),
        CheckConstraint(
            f"scale_min >= {SCALE_MIN} AND scale_max <= {SCALE_MAX} AND scale_min < scale_max",
            name="scale_range",
        ),
        CheckConstraint("weight >= 0", name="weight_positive"),
        CheckConstraint(f"direction IN ({sql_in(Direction)})", name="direction_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    key: str = Field(sa_type=String(KEY_MAX))
    label: str = Field(sa_type=String(LABEL_MAX))
    low_label: str = Field(default="", sa_type=String(LABEL_MAX))
    high_label: str = Field(default="", sa_type=String(LABEL_MAX))
    scale_min: int = 1
    scale_max: int = 5
    weight: float = 1.0
    direction: str = Field(default=Direction.higher, sa_type=String(10))
    position: int = 0


class StakeholderGroup(SQLModel, table=True):
    __tablename__ = "stakeholder_group"
    __table_args__ = (
        UniqueConstraint("workshop_id", "key"),
        UniqueConstraint("workshop_id", "id"),
        CheckConstraint(f"length(key) BETWEEN 1 AND {KEY_MAX}", name="key_length"),
        CheckConstraint(f"length(label) BETWEEN 1 AND {LABEL_MAX}", name="label_length"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    key: str = Field(sa_type=String(KEY_MAX))
    label: str = Field(sa_type=String(LABEL_MAX))
    position: int = 0
