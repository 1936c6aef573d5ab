"""inbox and instance listings: indexes in the order they sort, a partial one for overdue

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

READY = sa.text("state = 'ready'")


def upgrade() -> None:
    op.create_index("ix_process_instances_created", "process_instances", ["created_at", "id"])
    op.create_index("ix_process_instances_tenant_created", "process_instances",
                    ["tenant_id", "created_at", "id"])
    op.create_index("ix_process_instances_tenant_state_created", "process_instances",
                    ["tenant_id", "state", "created_at", "id"])
    op.create_index("ix_tasks_created", "tasks", ["created_at", "id"])
    op.create_index("ix_tasks_state_created", "tasks", ["state", "created_at", "id"])
    op.create_index("ix_tasks_tenant_state_created", "tasks",
                    ["tenant_id", "state", "created_at", "id"])
    op.create_index("ix_tasks_tenant_state_due", "tasks", ["tenant_id", "state", "due_at", "id"])
    op.create_index("ix_tasks_tenant_created", "tasks", ["tenant_id", "created_at", "id"])
    op.create_index("ix_tasks_ready_due", "tasks", ["due_at", "id"],
                    postgresql_where=READY, sqlite_where=READY)


def downgrade() -> None:
    for name in ("ix_tasks_ready_due", "ix_tasks_tenant_created", "ix_tasks_tenant_state_due",
                 "ix_tasks_tenant_state_created", "ix_tasks_state_created", "ix_tasks_created"):
        op.drop_index(name, table_name="tasks")
    for name in ("ix_process_instances_tenant_state_created",
                 "ix_process_instances_tenant_created", "ix_process_instances_created"):
        op.drop_index(name, table_name="process_instances")
