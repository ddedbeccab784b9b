"""studies: a series of workshops with one codebook, its members, themes and log

Revision ID: studies
Revises: consent
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "studies"
down_revision: str | None = "consent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("codebook", sa.JSON(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(title) BETWEEN 1 AND 200", name=op.f("ck_study_title_length")),
        sa.CheckConstraint("length(description) <= 5000", name=op.f("ck_study_description_length")),
        sa.CheckConstraint("last_seq >= 0", name=op.f("ck_study_last_seq_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study")),
    )
    op.create_table(
        "study_member",
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('facilitator', 'researcher')", name=op.f("ck_study_member_role_known")),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_study_member_facilitator_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_study_member_study_id_study"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("study_id", "facilitator_id", name=op.f("pk_study_member")),
    )
    with op.batch_alter_table("study_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_member_facilitator_id"), ["facilitator_id"], unique=False)
    op.create_table(
        "study_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("label_de", sa.String(length=100), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(key) BETWEEN 1 AND 32", name=op.f("ck_study_theme_key_length")),
        sa.CheckConstraint("length(label_de) <= 100", name=op.f("ck_study_theme_label_de_length")),
        sa.CheckConstraint("length(label_en) <= 100", name=op.f("ck_study_theme_label_en_length")),
        sa.CheckConstraint(
            "length(label_de) + length(label_en) > 0", name=op.f("ck_study_theme_label_given")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_study_theme_study_id_study"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_theme")),
        sa.UniqueConstraint("study_id", "id", name=op.f("uq_study_theme_study_id_id")),
        sa.UniqueConstraint("study_id", "key", name=op.f("uq_study_theme_study_id_key")),
    )
    op.create_table(
        "study_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_study_event_study_id_study"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_event")),
        sa.UniqueConstraint("study_id", "seq", name=op.f("uq_study_event_study_id_seq")),
    )
    # Workshops that exist already belong to no study and have no study metadata yet.
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("study_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("region", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("sector", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("held_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("venue", sa.String(length=200), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_workshop_study_id"), ["study_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_workshop_study_id_study"), "study", ["study_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_check_constraint(op.f("ck_workshop_region_length"), "length(region) <= 100")
        batch_op.create_check_constraint(op.f("ck_workshop_sector_length"), "length(sector) <= 100")
        batch_op.create_check_constraint(op.f("ck_workshop_venue_length"), "length(venue) <= 200")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.alter_column("region", server_default=None)
        batch_op.alter_column("sector", server_default=None)
        batch_op.alter_column("venue", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workshop_venue_length"), type_="check")
        batch_op.drop_constraint(op.f("ck_workshop_sector_length"), type_="check")
        batch_op.drop_constraint(op.f("ck_workshop_region_length"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_workshop_study_id_study"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_workshop_study_id"))
        batch_op.drop_column("venue")
        batch_op.drop_column("held_on")
        batch_op.drop_column("sector")
        batch_op.drop_column("region")
        batch_op.drop_column("study_id")
    op.drop_table("study_event")
    op.drop_table("study_theme")
    with op.batch_alter_table("study_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_member_facilitator_id"))
    op.drop_table("study_member")
    op.drop_table("study")
