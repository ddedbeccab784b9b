"""tables: breakout tables, seating and the table of each contribution

Revision ID: tables
Revises: coding
Create Date: 2026-12-03 18:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tables"
down_revision: str | None = "coding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "table",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("breakout", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("scope_item_id", sa.Integer(), nullable=True),
        sa.Column("scope_text", sa.String(length=200), nullable=False),
        sa.Column("assign", sa.String(length=10), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("others_visible", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("assign IN ('balanced', 'random', 'choice')", name=op.f("ck_table_assign_known")),
        sa.CheckConstraint("breakout >= 1", name=op.f("ck_table_breakout_positive")),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 60", name=op.f("ck_table_name_length")),
        sa.CheckConstraint("length(scope_text) <= 200", name=op.f("ck_table_scope_length")),
        sa.CheckConstraint("number BETWEEN 1 AND 12", name=op.f("ck_table_number_range")),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_table_workshop_id_workshop"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table")),
        sa.UniqueConstraint(
            "workshop_id", "breakout", "number", name=op.f("uq_table_workshop_id_breakout_number")
        ),
        sa.UniqueConstraint("workshop_id", "id", name=op.f("uq_table_workshop_id_id")),
    )
    op.create_table(
        "seating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(length=10), nullable=False),
        sa.Column("seated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "how IN ('balanced', 'random', 'choice', 'moved')", name=op.f("ck_seating_how_known")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["participant.workshop_id", "participant.id"],
            name=op.f("fk_seating_workshop_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "table_id"],
            ["table.workshop_id", "table.id"],
            name=op.f("fk_seating_workshop_id_table_id_table"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_seating_workshop_id_workshop"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seating")),
    )
    with op.batch_alter_table("seating", schema=None) as batch_op:
        batch_op.create_index(
            "ix_seating_open",
            ["participant_id"],
            unique=True,
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        )
        batch_op.create_index("ix_seating_table", ["table_id"], unique=False)

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("table_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_item_table_id"), ["table_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_item_workshop_id_table_id_table"),
            "table",
            ["workshop_id", "table_id"],
            ["workshop_id", "id"],
        )


def downgrade() -> None:

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_item_workshop_id_table_id_table"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_item_table_id"))
        batch_op.drop_column("table_id")

    with op.batch_alter_table("seating", schema=None) as batch_op:
        batch_op.drop_index("ix_seating_table")
        batch_op.drop_index(
            "ix_seating_open",
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        )

    op.drop_table("seating")
    op.drop_table("table")
