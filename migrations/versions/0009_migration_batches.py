"""migration batches: a diagram-set swap applied to running instances, one item each

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "migration_batches",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("source_set_id", sa.Integer, nullable=False),
        sa.Column("target_set_id", sa.Integer, nullable=False),
        sa.Column("plan", sa.Text, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("rollback_of", sa.String(36), nullable=True),
        sa.Column("rolled_back_by", sa.String(36), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_migration_batches_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["source_set_id"], ["diagram_sets.id"],
                                name="fk_migration_batches_source_set_id_diagram_sets"),
        sa.ForeignKeyConstraint(["target_set_id"], ["diagram_sets.id"],
                                name="fk_migration_batches_target_set_id_diagram_sets"),
        sa.PrimaryKeyConstraint("id", name="pk_migration_batches"),
    )
    op.create_index("ix_migration_batches_tenant_created", "migration_batches",
                    ["tenant_id", "created_at"])
    op.create_table(
        "migration_items",
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("updated_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["migration_batches.id"],
                                name="fk_migration_items_batch_id_migration_batches"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name="fk_migration_items_instance_id_process_instances"),
        sa.PrimaryKeyConstraint("batch_id", "instance_id", name="pk_migration_items"),
    )
    op.create_index("ix_migration_items_batch_state", "migration_items",
                    ["batch_id", "state", "seq"])


def downgrade() -> None:
    op.drop_index("ix_migration_items_batch_state", table_name="migration_items")
    op.drop_table("migration_items")
    op.drop_index("ix_migration_batches_tenant_created", table_name="migration_batches")
    op.drop_table("migration_batches")
