"""documents: files uploaded to tasks, and which task's completion used each

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=True),
        sa.Column("task_key", sa.String(200), nullable=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(200), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("uploaded_by", sa.String(200), nullable=False),
        sa.Column("uploaded_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name="fk_documents_instance_id_process_instances"),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
    )
    op.create_index("ix_documents_instance", "documents", ["instance_id", "uploaded_at"])
    op.create_index("ix_documents_task", "documents", ["task_id"])
    op.create_table(
        "document_uses",
        sa.Column("document_id", sa.String(36), nullable=False),
        sa.Column("task_id", sa.String(36), nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("used_by", sa.String(200), nullable=False),
        sa.Column("used_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name="fk_document_uses_document_id_documents"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"],
                                name="fk_document_uses_instance_id_process_instances"),
        sa.PrimaryKeyConstraint("document_id", "task_id", "field", name="pk_document_uses"),
    )
    op.create_index("ix_document_uses_task", "document_uses", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_document_uses_task", table_name="document_uses")
    op.drop_table("document_uses")
    op.drop_index("ix_documents_task", table_name="documents")
    op.drop_index("ix_documents_instance", table_name="documents")
    op.drop_table("documents")
