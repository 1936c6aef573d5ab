"""timers: the worker's queue of waiting timers; tasks.due_estimated

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timers",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name=op.f("fk_timers_instance_id_process_instances")),
        sa.PrimaryKeyConstraint("instance_id", "task_id", name=op.f("pk_timers")),
    )
    op.create_index("ix_timers_due_at", "timers", ["due_at"], unique=False)
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("due_estimated", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_column("due_estimated")
    op.drop_index("ix_timers_due_at", table_name="timers")
    op.drop_table("timers")
