"""privacy text: a workshop's data-protection notice (GDPR Art. 13)

Revision ID: consent
Revises: 0002
Create Date: 2026-12-03 13:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "consent"
down_revision: str | None = "accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Workshops created before this revision have no notice; the facilitator can add one.
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("privacy_text", sa.Text(), nullable=False, server_default=""))
        batch_op.create_check_constraint(op.f("ck_workshop_privacy_length"), "length(privacy_text) <= 10000")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.alter_column("privacy_text", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workshop_privacy_length"), type_="check")
        batch_op.drop_column("privacy_text")
