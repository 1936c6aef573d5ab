"""tasks: candidate users (queryable), the slot of a multi-instance task

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("candidate_users", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("slot", sa.Integer(), nullable=True))
    op.create_table(
        "task_candidate_users",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("user_name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"],
                                name=op.f("fk_task_candidate_users_task_id_tasks")),
        sa.PrimaryKeyConstraint("task_id", "user_name", name=op.f("pk_task_candidate_users")),
    )
    op.create_index("ix_task_candidate_users_user", "task_candidate_users", ["user_name"])


def downgrade() -> None:
    op.drop_index("ix_task_candidate_users_user", table_name="task_candidate_users")
    op.drop_table("task_candidate_users")
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_column("slot")
        batch_op.drop_column("candidate_users")
