"""pathways: agenda status with its history, actors and their roles, barriers and opportunities

Revision ID: pathways
Revises: tables
Create Date: 2026-12-03 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pathways"
down_revision: str | None = "rounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'planned', 'started', 'done', 'dropped'"


def upgrade() -> None:
    with op.batch_alter_table("agenda_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="planned")
        )
        batch_op.create_check_constraint(op.f("ck_agenda_entry_status_known"), f"status IN ({STATUSES})")
    with op.batch_alter_table("agenda_entry", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
    op.create_table(
        "agenda_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("previous_status", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_agenda_history_status_known")),
        sa.CheckConstraint(
            f"previous_status IN ({STATUSES})", name=op.f("ck_agenda_history_previous_status_known")
        ),
        sa.CheckConstraint("length(note) <= 1000", name=op.f("ck_agenda_history_note_length")),
        sa.ForeignKeyConstraint(
            ["workshop_id", "item_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_agenda_history_workshop_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_agenda_history_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_history")),
    )
    with op.batch_alter_table("agenda_history", schema=None) as batch_op:
        batch_op.create_index("ix_agenda_history_workshop_entry", ["workshop_id", "entry_id"], unique=False)

    op.create_table(
        "actor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("group_key", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("by_facilitator", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 200", name=op.f("ck_actor_name_length")),
        sa.CheckConstraint("status IN ('proposed', 'confirmed')", name=op.f("ck_actor_status_known")),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id", name=op.f("ck_actor_not_merged_into_self")
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "merged_into_id"],
            ["actor.workshop_id", "actor.id"],
            name=op.f("fk_actor_workshop_id_actor"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_actor_workshop_id_workshop"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor")),
        sa.UniqueConstraint("workshop_id", "id", name=op.f("uq_actor_workshop_id_id")),
    )
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_workshop_id"), ["workshop_id"], unique=False)
    op.create_table(
        "actor_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.CheckConstraint(
            "role IN ('leads', 'contributes', 'must_agree', 'could_block')",
            name=op.f("ck_actor_role_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "actor_id"],
            ["actor.workshop_id", "actor.id"],
            name=op.f("fk_actor_role_workshop_id_actor"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "item_id"],
            ["item.workshop_id", "item.id"],
            name=op.f("fk_actor_role_workshop_id_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_actor_role_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_role")),
        sa.UniqueConstraint("actor_id", "item_id", name=op.f("uq_actor_role_actor_id_item_id")),
    )
    with op.batch_alter_table("actor_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_role_item_id"), ["item_id"], unique=False)

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("need_type", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.create_check_constraint(
            op.f("ck_item_need_type_known"),
            "need_type IS NULL OR need_type IN ('need', 'barrier', 'opportunity')",
        )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.alter_column("tags", server_default=None)
    op.execute("UPDATE item SET need_type = 'need' WHERE kind = 'need'")


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_item_need_type_known"), type_="check")
        batch_op.drop_column("tags")
        batch_op.drop_column("need_type")
    with op.batch_alter_table("actor_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_role_item_id"))
    op.drop_table("actor_role")
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_workshop_id"))
    op.drop_table("actor")
    with op.batch_alter_table("agenda_history", schema=None) as batch_op:
        batch_op.drop_index("ix_agenda_history_workshop_entry")
    op.drop_table("agenda_history")
    with op.batch_alter_table("agenda_entry", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_agenda_entry_status_known"), type_="check")
        batch_op.drop_column("status")
