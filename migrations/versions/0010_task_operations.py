"""task operations: delegation, drafts and urging on tasks; copies (抄送) of tasks and
instances; comments

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("delegation_state", sa.String(20), nullable=True))
        batch.add_column(sa.Column("draft", sa.Text, nullable=True))
        batch.add_column(sa.Column("urged_count", sa.Integer, nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("last_urged_at", TS, nullable=True))
    op.create_table(
        "task_copies",
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("copied_by", sa.String(200), nullable=False),
        sa.Column("copied_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"],
                                name="fk_task_copies_task_id_tasks"),
        sa.PrimaryKeyConstraint("task_id", "user_name", name="pk_task_copies"),
    )
    op.create_index("ix_task_copies_user", "task_copies", ["user_name", "copied_at"])
    op.create_table(
        "instance_copies",
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("copied_by", sa.String(200), nullable=False),
        sa.Column("copied_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name="fk_instance_copies_instance_id_process_instances"),
        sa.PrimaryKeyConstraint("instance_id", "user_name", name="pk_instance_copies"),
    )
    op.create_index("ix_instance_copies_user", "instance_copies", ["user_name", "copied_at"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name="fk_comments_instance_id_process_instances"),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
    )
    op.create_index("ix_comments_instance", "comments", ["instance_id", "id"])
    op.create_index("ix_comments_task", "comments", ["task_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_comments_task", table_name="comments")
    op.drop_index("ix_comments_instance", table_name="comments")
    op.drop_table("comments")
    op.drop_index("ix_instance_copies_user", table_name="instance_copies")
    op.drop_table("instance_copies")
    op.drop_index("ix_task_copies_user", table_name="task_copies")
    op.drop_table("task_copies")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("last_urged_at")
        batch.drop_column("urged_count")
        batch.drop_column("draft")
        batch.drop_column("delegation_state")
        batch.drop_column("owner")
