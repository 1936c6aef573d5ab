"""drop ix_tasks_tenant_state: ix_tasks_tenant_state_created and ix_tasks_tenant_state_due
(revision 0005) lead with the same two columns, so every query it served reads one of those
as well; it only cost every task insert and state change an index entry more (eleven indexes
on the tasks table before, ten now).

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_tasks_tenant_state", table_name="tasks")


def downgrade() -> None:
    op.create_index("ix_tasks_tenant_state", "tasks", ["tenant_id", "state"])
