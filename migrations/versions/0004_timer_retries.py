"""timers: failed attempts, next attempt and element, for incidents with back-off

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timers") as batch_op:
        batch_op.add_column(sa.Column("element_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("failed_attempts", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("timers") as batch_op:
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("failed_attempts")
        batch_op.drop_column("element_id")
