"""carry: a contribution carried over from another workshop of the study keeps its origin

Revision ID: carry
Revises: tables
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "carry"
down_revision: str | None = "tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_workshop", sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column("carried_from_item", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("carried_label", sa.String(length=205), nullable=False, server_default="")
        )
        batch_op.create_check_constraint(op.f("ck_item_carried_label_length"), "length(carried_label) <= 205")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.alter_column("carried_label", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_item_carried_label_length"), type_="check")
        batch_op.drop_column("carried_label")
        batch_op.drop_column("carried_from_item")
        batch_op.drop_column("carried_from_workshop")
