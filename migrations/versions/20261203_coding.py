"""coding: contributions coded with a study's themes, by coder, and the settled coding per item

Revision ID: coding
Revises: studies
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "coding"
down_revision: str | None = "studies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "study_coded_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["facilitator.id"],
            name=op.f("fk_study_coded_item_coder_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"], ["study.id"], name=op.f("fk_study_coded_item_study_id_study"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "item_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_study_coded_item_workshop_id_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_coded_item")),
        sa.UniqueConstraint(
            "item_id", "coder_id", "settled", name=op.f("uq_study_coded_item_item_id_coder_id_settled")
        ),
    )
    with op.batch_alter_table("study_coded_item", schema=None) as batch_op:
        batch_op.create_index("ix_study_coded_item_study", ["study_id", "settled"], unique=False)
        batch_op.create_index(batch_op.f("ix_study_coded_item_coder_id"), ["coder_id"], unique=False)
    op.create_table(
        "study_coding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coded_item_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coded_item_id"],
            ["study_coded_item.id"],
            name=op.f("fk_study_coding_coded_item_id_study_coded_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id", "theme_id"],
            ["study_theme.study_id", "study_theme.id"],
            name=op.f("fk_study_coding_study_id_study_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_coding")),
        sa.UniqueConstraint("coded_item_id", "theme_id", name=op.f("uq_study_coding_coded_item_id_theme_id")),
    )
    with op.batch_alter_table("study_coding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_coding_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("study_coding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_coding_item_id"))
    op.drop_table("study_coding")
    with op.batch_alter_table("study_coded_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_study_coded_item_coder_id"))
        batch_op.drop_index("ix_study_coded_item_study")
    op.drop_table("study_coded_item")
