"""external_tasks: service and send tasks that workers fetch, lock and complete over REST

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("element_name", sa.String(length=300), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("outputs", sa.Text(), nullable=False),
        sa.Column("worker_id", sa.String(length=200), nullable=True),
        sa.Column("locked_by", sa.String(length=200), nullable=True),
        sa.Column("lock_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_details", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name=op.f("fk_external_tasks_instance_id_process_instances")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_tasks")),
    )
    op.create_index("ix_external_tasks_fetch", "external_tasks",
                    ["tenant_id", "topic", "priority", "created_at"])
    op.create_index("ix_external_tasks_instance", "external_tasks", ["instance_id"])


def downgrade() -> None:
    op.drop_index("ix_external_tasks_instance", table_name="external_tasks")
    op.drop_index("ix_external_tasks_fetch", table_name="external_tasks")
    op.drop_table("external_tasks")
