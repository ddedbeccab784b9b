"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 22:18:17.110197
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_event")),
    )
    op.create_table(
        "facilitator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(email) BETWEEN 3 AND 254", name=op.f("ck_facilitator_email_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilitator")),
        sa.UniqueConstraint("email", name=op.f("uq_facilitator_email")),
    )
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("present_year", sa.Integer(), nullable=False),
        sa.Column("vision_year", sa.Integer(), nullable=False),
        sa.Column("milestone_years", sa.JSON(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("input_open", sa.Boolean(), nullable=False),
        sa.Column("results_visible", sa.Boolean(), nullable=False),
        sa.Column("dot_budget", sa.Integer(), nullable=False),
        sa.Column("names", sa.String(length=10), nullable=False),
        sa.Column("rated_kinds", sa.JSON(), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("consent_version", sa.Integer(), nullable=False),
        sa.Column("timer_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timer_paused_seconds", sa.Integer(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("language IN ('de', 'en')", name=op.f("ck_workshop_language_known")),
        sa.CheckConstraint("names IN ('optional', 'required', 'off')", name=op.f("ck_workshop_names_known")),
        sa.CheckConstraint(
            "phase IN ('lobby', 'vision', 'milestones', 'needs', 'measures', 'rating', 'prioritisation', 'results')",
            name=op.f("ck_workshop_phase_known"),
        ),
        sa.CheckConstraint("consent_version >= 0", name=op.f("ck_workshop_consent_version_positive")),
        sa.CheckConstraint("dot_budget BETWEEN 0 AND 100", name=op.f("ck_workshop_dot_budget_range")),
        sa.CheckConstraint("last_seq >= 0", name=op.f("ck_workshop_last_seq_positive")),
        sa.CheckConstraint("length(code) = 6 AND upper(code) = code", name=op.f("ck_workshop_code_shape")),
        sa.CheckConstraint("length(consent_text) <= 5000", name=op.f("ck_workshop_consent_length")),
        sa.CheckConstraint("length(question) <= 1000", name=op.f("ck_workshop_question_length")),
        sa.CheckConstraint("length(title) BETWEEN 1 AND 200", name=op.f("ck_workshop_title_length")),
        sa.CheckConstraint("present_year BETWEEN 1900 AND 2300", name=op.f("ck_workshop_present_year_range")),
        sa.CheckConstraint(
            "timer_paused_seconds IS NULL OR timer_paused_seconds >= 0",
            name=op.f("ck_workshop_timer_positive"),
        ),
        sa.CheckConstraint("vision_year > present_year", name=op.f("ck_workshop_vision_after_present")),
        sa.CheckConstraint("vision_year BETWEEN 1900 AND 2300", name=op.f("ck_workshop_vision_year_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop")),
        sa.UniqueConstraint("code", name=op.f("uq_workshop_code")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_api_token_facilitator_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_facilitator_id"), ["facilitator_id"], unique=False)

    op.create_table(
        "criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("low_label", sa.String(length=100), nullable=False),
        sa.Column("high_label", sa.String(length=100), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f("ck_criterion_direction_known")),
        sa.CheckConstraint("length(high_label) <= 100", name=op.f("ck_criterion_high_label_length")),
        sa.CheckConstraint("length(key) BETWEEN 1 AND 32", name=op.f("ck_criterion_key_length")),
        sa.CheckConstraint("length(label) BETWEEN 1 AND 100", name=op.f("ck_criterion_label_length")),
        sa.CheckConstraint("length(low_label) <= 100", name=op.f("ck_criterion_low_label_length")),
        sa.CheckConstraint(
            "scale_min >= 0 AND scale_max <= 100 AND scale_min < scale_max",
            name=op.f("ck_criterion_scale_range"),
        ),
        sa.CheckConstraint("weight >= 0", name=op.f("ck_criterion_weight_positive")),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_criterion_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion")),
        sa.UniqueConstraint(
            "workshop_id",
            "id",
            "scale_min",
            "scale_max",
            name=op.f("uq_criterion_workshop_id_id_scale_min_scale_max"),
        ),
        sa.UniqueConstraint("workshop_id", "key", name=op.f("uq_criterion_workshop_id_key")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_event_seq_positive")),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_event_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint("workshop_id", "seq", name=op.f("uq_event_workshop_id_seq")),
    )
    op.create_table(
        "stakeholder_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(key) BETWEEN 1 AND 32", name=op.f("ck_stakeholder_group_key_length")),
        sa.CheckConstraint("length(label) BETWEEN 1 AND 100", name=op.f("ck_stakeholder_group_label_length")),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_stakeholder_group_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholder_group")),
        sa.UniqueConstraint("workshop_id", "id", name=op.f("uq_stakeholder_group_workshop_id_id")),
        sa.UniqueConstraint("workshop_id", "key", name=op.f("uq_stakeholder_group_workshop_id_key")),
    )
    op.create_table(
        "workshop_owner",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_workshop_owner_facilitator_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_workshop_owner_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workshop_id", "facilitator_id", name=op.f("pk_workshop_owner")),
    )
    with op.batch_alter_table("workshop_owner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workshop_owner_facilitator_id"), ["facilitator_id"], unique=False
        )

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("consent_version", sa.Integer(), nullable=True),
        sa.Column("consent_text", sa.Text(), nullable=True),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "consent_text IS NULL OR length(consent_text) <= 5000",
            name=op.f("ck_participant_consent_length"),
        ),
        sa.CheckConstraint(
            "name IS NULL OR length(name) BETWEEN 1 AND 60", name=op.f("ck_participant_name_length")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "group_id"],
            ["stakeholder_group.workshop_id", "stakeholder_group.id"],
            name=op.f("fk_participant_workshop_id_group_id_stakeholder_group"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_participant_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_participant_token_hash")),
        sa.UniqueConstraint("workshop_id", "id", name=op.f("uq_participant_workshop_id_id")),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_group_id"), ["group_id"], unique=False)

    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("by_facilitator", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("adopted", sa.Boolean(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('vision', 'milestone', 'need', 'measure')", name=op.f("ck_item_kind_known")
        ),
        sa.CheckConstraint("length(text) BETWEEN 1 AND 500", name=op.f("ck_item_text_length")),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id",
            name=op.f("ck_item_not_merged_into_self"),
        ),
        sa.CheckConstraint("year IS NULL OR year BETWEEN 1900 AND 2300", name=op.f("ck_item_year_range")),
        sa.ForeignKeyConstraint(
            ["workshop_id", "author_id"],
            ["participant.workshop_id", "participant.id"],
            name=op.f("fk_item_workshop_id_author_id_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "merged_into_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_item_workshop_id_merged_into_id_item"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_item_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("author_id", "client_key", name=op.f("uq_item_author_id_client_key")),
        sa.UniqueConstraint("workshop_id", "id", name=op.f("uq_item_workshop_id_id")),
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_item_workshop_kind", ["workshop_id", "kind"], unique=False)

    op.create_table(
        "agenda_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("length(note) <= 1000", name=op.f("ck_agenda_entry_note_length")),
        sa.CheckConstraint("length(owner) <= 200", name=op.f("ck_agenda_entry_owner_length")),
        sa.CheckConstraint(
            "start_year IS NULL OR start_year BETWEEN 1900 AND 2300",
            name=op.f("ck_agenda_entry_start_year_range"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "item_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_agenda_entry_workshop_id_item_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_agenda_entry_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_entry")),
        sa.UniqueConstraint("workshop_id", "item_id", name=op.f("uq_agenda_entry_workshop_id_item_id")),
    )
    op.create_table(
        "dots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_dots_count_positive")),
        sa.ForeignKeyConstraint(
            ["workshop_id", "item_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_dots_workshop_id_item_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["participant.workshop_id", "participant.id"],
            name=op.f("fk_dots_workshop_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_dots_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dots")),
        sa.UniqueConstraint("participant_id", "item_id", name=op.f("uq_dots_participant_id_item_id")),
    )
    with op.batch_alter_table("dots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dots_item_id"), ["item_id"], unique=False)

    op.create_table(
        "link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("from_id <> to_id", name=op.f("ck_link_not_self")),
        sa.ForeignKeyConstraint(
            ["workshop_id", "from_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_link_workshop_id_from_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "to_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_link_workshop_id_to_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_link_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link")),
        sa.UniqueConstraint("from_id", "to_id", name=op.f("uq_link_from_id_to_id")),
    )
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_from_id"), ["from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_link_to_id"), ["to_id"], unique=False)

    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "value IS NULL OR (value >= scale_min AND value <= scale_max)",
            name=op.f("ck_rating_value_on_scale"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "criterion_id", "scale_min", "scale_max"],
            ["criterion.workshop_id", "criterion.id", "criterion.scale_min", "criterion.scale_max"],
            name=op.f("fk_rating_workshop_id_criterion_id_scale_min_scale_max_criterion"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "item_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_rating_workshop_id_item_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["participant.workshop_id", "participant.id"],
            name=op.f("fk_rating_workshop_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_rating_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint(
            "participant_id",
            "item_id",
            "criterion_id",
            name=op.f("uq_rating_participant_id_item_id_criterion_id"),
        ),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_criterion_id"), ["criterion_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rating_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_item_id"))
        batch_op.drop_index(batch_op.f("ix_rating_criterion_id"))

    op.drop_table("rating")
    with op.batch_alter_table("link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_to_id"))
        batch_op.drop_index(batch_op.f("ix_link_from_id"))

    op.drop_table("link")
    with op.batch_alter_table("dots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dots_item_id"))

    op.drop_table("dots")
    op.drop_table("agenda_entry")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index("ix_item_workshop_kind")
        batch_op.drop_index(batch_op.f("ix_item_author_id"))

    op.drop_table("item")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_group_id"))

    op.drop_table("participant")
    with op.batch_alter_table("workshop_owner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_owner_facilitator_id"))

    op.drop_table("workshop_owner")
    op.drop_table("stakeholder_group")
    op.drop_table("event")
    op.drop_table("criterion")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_facilitator_id"))

    op.drop_table("api_token")
    op.drop_table("workshop")
    op.drop_table("facilitator")
    op.drop_table("account_event")
