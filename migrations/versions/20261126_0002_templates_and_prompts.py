"""templates and prompts: a workshop's template and per-phase prompts; facilitators' saved templates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 01:16:15.513964
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(key) BETWEEN 1 AND 60", name=op.f("ck_saved_template_key_length")),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 200", name=op.f("ck_saved_template_name_length")),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_saved_template_facilitator_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_template")),
        sa.UniqueConstraint("facilitator_id", "key", name=op.f("uq_saved_template_facilitator_id_key")),
    )
    with op.batch_alter_table("saved_template", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saved_template_facilitator_id"), ["facilitator_id"], unique=False
        )

    # Workshops created before this revision keep the built-in prompts (an empty map) and no template.
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template", sa.String(length=60), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("prompts", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.alter_column("template", server_default=None)
        batch_op.alter_column("prompts", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("prompts")
        batch_op.drop_column("template")

    with op.batch_alter_table("saved_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_template_facilitator_id"))

    op.drop_table("saved_template")
