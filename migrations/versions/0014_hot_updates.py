"""room for HOT updates: a fillfactor on the tables a step rewrites in place (PostgreSQL)

A step updates its instance's row (version, updated_at), the engine rows whose content
changed and the variables that changed; none of those columns is indexed, so PostgreSQL can
write the new version into the same page (a heap-only tuple: no index entry, and the dead
version is pruned from the page without waiting for VACUUM), as long as the page has room.
A fillfactor leaves that room. Only pages written from now on are affected.

Revision ID: 0014
Revises: 0012
"""
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

# Kept in step with store/tables.py (postgresql_with).
FILLFACTOR = {"engine_rows": 85, "variables": 85, "process_instances": 85}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no fillfactor: pages are rewritten whole anyway
    for table, percent in FILLFACTOR.items():
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in FILLFACTOR:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
