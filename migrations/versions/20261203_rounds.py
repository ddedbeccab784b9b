"""rounds: ratings per round (Delphi), the consensus rule fixed in advance, reasons

Revision ID: rounds
Revises: coding
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "rounds"
down_revision: str | None = "carry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column, type, server default for rows that exist: today's rule and a single round.
_WORKSHOP_COLUMNS = (
    ("current_round", sa.Integer(), "1"),
    ("consensus_rule", sa.String(length=10), "iqr"),
    ("consensus_iqr_share", sa.Float(), "0.25"),
    ("consensus_top_k", sa.Integer(), "2"),
    ("consensus_threshold", sa.Float(), "0.75"),
    ("planned_rounds", sa.Integer(), "1"),
    ("reason_trigger", sa.String(length=10), "outside"),
    ("reason_mode", sa.String(length=10), "optional"),
)
_WORKSHOP_CHECKS = (
    ("current_round_range", "current_round BETWEEN 1 AND 20"),
    ("planned_rounds_range", "planned_rounds BETWEEN 1 AND 20"),
    ("consensus_rule_known", "consensus_rule IN ('iqr', 'agreement')"),
    ("consensus_iqr_share_range", "consensus_iqr_share >= 0 AND consensus_iqr_share <= 1"),
    ("consensus_top_k_positive", "consensus_top_k >= 1"),
    ("consensus_threshold_range", "consensus_threshold > 0 AND consensus_threshold <= 1"),
    ("reason_trigger_known", "reason_trigger IN ('outside', 'changed')"),
    ("reason_mode_known", "reason_mode IN ('off', 'optional', 'required')"),
)


def upgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        for name, type_, default in _WORKSHOP_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        batch_op.add_column(sa.Column("round_closes_at", sa.DateTime(timezone=True), nullable=True))
        for name, condition in _WORKSHOP_CHECKS:
            batch_op.create_check_constraint(op.f(f"ck_workshop_{name}"), condition)
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        for name, _, _ in _WORKSHOP_COLUMNS:
            batch_op.alter_column(name, server_default=None)

    # Every rating given so far belongs to round 1.
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="1"))
        batch_op.drop_constraint(op.f("uq_rating_participant_id_item_id_criterion_id"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_rating_participant_id_item_id_criterion_id_round"),
            ["participant_id", "item_id", "criterion_id", "round"],
        )
        batch_op.create_check_constraint(op.f("ck_rating_round_positive"), "round >= 1")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.alter_column("round", server_default=None)

    op.create_table(
        "reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(text) BETWEEN 1 AND 500", name=op.f("ck_reason_text_length")),
        sa.CheckConstraint("round >= 2", name=op.f("ck_reason_round_after_first")),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criterion.id"],
            name=op.f("fk_reason_criterion_id_criterion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "item_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_reason_workshop_id_item_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "participant_id"],
            ["participant.workshop_id", "participant.id"],
            name=op.f("fk_reason_workshop_id_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_reason_workshop_id_workshop"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reason")),
        sa.UniqueConstraint(
            "participant_id",
            "item_id",
            "criterion_id",
            "round",
            name=op.f("uq_reason_participant_id_item_id_criterion_id_round"),
        ),
    )
    with op.batch_alter_table("reason", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reason_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reason", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reason_item_id"))
    op.drop_table("reason")
    # Only the latest value of each rating can stay: earlier rounds' rows go.
    op.execute(
        "DELETE FROM rating WHERE round < (SELECT MAX(r.round) FROM rating r WHERE r.participant_id = "
        "rating.participant_id AND r.item_id = rating.item_id AND r.criterion_id = rating.criterion_id)"
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_rating_round_positive"), type_="check")
        batch_op.drop_constraint(op.f("uq_rating_participant_id_item_id_criterion_id_round"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_rating_participant_id_item_id_criterion_id"),
            ["participant_id", "item_id", "criterion_id"],
        )
        batch_op.drop_column("round")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        for name, _ in reversed(_WORKSHOP_CHECKS):
            batch_op.drop_constraint(op.f(f"ck_workshop_{name}"), type_="check")
        batch_op.drop_column("round_closes_at")
        for name, _, _ in reversed(_WORKSHOP_COLUMNS):
            batch_op.drop_column(name)
