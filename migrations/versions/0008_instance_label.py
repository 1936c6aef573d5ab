"""instance label: the value of the variable a process names with its label_variable property

Stored on the instance row whenever it changes, so an inbox page that shows it is one query.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("process_instances", sa.Column("label", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_instances") as batch:
        batch.drop_column("label")
