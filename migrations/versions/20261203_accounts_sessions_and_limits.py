"""sessions and limits: server-side facilitator sessions, shared rate-limit hits, locked rooms

Revision ID: accounts
Revises: 0002
Create Date: 2026-12-03 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "accounts"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "facilitator_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_facilitator_session_facilitator_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilitator_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_facilitator_session_token_hash")),
    )
    with op.batch_alter_table("facilitator_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facilitator_session_facilitator_id"), ["facilitator_id"], unique=False
        )
    op.create_table(
        "rate_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=300), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_hit")),
    )
    with op.batch_alter_table("rate_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_hit_bucket"), ["bucket"], unique=False)

    # Rooms that exist already stay open.
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("joins_locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.alter_column("joins_locked", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("joins_locked")
    with op.batch_alter_table("rate_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_hit_bucket"))
    op.drop_table("rate_hit")
    with op.batch_alter_table("facilitator_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilitator_session_facilitator_id"))
    op.drop_table("facilitator_session")
