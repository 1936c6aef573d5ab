"""Revision 0005 upgrades a database that already holds instances and tasks: the rows stay,
the listings' indexes appear, and the inbox answers from them."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from govflow.store.migrate import upgrade
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.conftest import Database

LISTING_INDEXES = {
    "tasks": {"ix_tasks_created", "ix_tasks_state_created", "ix_tasks_tenant_state_created",
              "ix_tasks_tenant_state_due", "ix_tasks_tenant_created", "ix_tasks_ready_due"},
    "process_instances": {"ix_process_instances_created", "ix_process_instances_tenant_created",
                          "ix_process_instances_tenant_state_created"},
}
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


async def fill(engine, n: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text(
            "INSERT INTO tenants (id, name, created_at) VALUES ('old', 'old', :at)"), {"at": AT})
        await conn.execute(sa.text(
            "INSERT INTO diagram_sets (id, tenant_id, version, content_hash, main_process_id, "
            "processes, decisions, created_by, created_at) VALUES (1, 'old', 1, 'h', 'p', '[]', "
            "'[]', 'root', :at)"), {"at": AT})
        for i in range(n):
            instance = str(uuid.uuid4())
            await conn.execute(sa.text(
                "INSERT INTO process_instances (id, tenant_id, diagram_set_id, process_id, "
                "state, version, serializer_version, started_by, created_at, updated_at) "
                "VALUES (:id, 'old', 1, 'p', 'running', 1, '1', 'u', :at, :at)"),
                {"id": instance, "at": AT + timedelta(minutes=i)})
            await conn.execute(sa.text(
                "INSERT INTO tasks (id, instance_id, tenant_id, diagram_set_id, process_id, key, "
                "candidate_groups, state, created_at, due_at) VALUES (:id, :instance, 'old', 1, "
                "'p', 'k', '[]', :state, :at, :due)"),
                {"id": str(uuid.uuid4()), "instance": instance,
                 "state": "ready" if i % 2 else "completed", "at": AT,
                 "due": AT + timedelta(days=i - 2)})


async def indexes_and_rows(engine) -> tuple[dict[str, set[str]], int, int]:
    async with engine.connect() as conn:
        found = await conn.run_sync(lambda sync: {
            table: {ix["name"] for ix in sa.inspect(sync).get_indexes(table)}
            for table in LISTING_INDEXES})
        tasks = (await conn.execute(sa.text("SELECT count(*) FROM tasks"))).scalar_one()
        overdue = (await conn.execute(sa.text(
            "SELECT count(*) FROM tasks WHERE state = 'ready' AND due_at < :now"),
            {"now": AT})).scalar_one()
    return found, tasks, overdue


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_revision_0005_upgrades_a_database_with_tasks(backend, tmp_path):
    async with _scratch(backend, tmp_path) as (db, engine):
        await asyncio.to_thread(upgrade, db.url, "0004", db.connect_args)
        await fill(engine, 6)
        before, tasks, overdue = await indexes_and_rows(engine)
        assert not any(before[t] & names for t, names in LISTING_INDEXES.items())

        await asyncio.to_thread(upgrade, db.url, "head", db.connect_args)
        after, tasks_after, overdue_after = await indexes_and_rows(engine)
        for table, names in LISTING_INDEXES.items():
            assert names <= after[table]
        assert (tasks_after, overdue_after) == (tasks, overdue) == (6, 1)


@asynccontextmanager
async def _scratch(backend: str, tmp_path) -> AsyncIterator[tuple[Database, AsyncEngine]]:
    """An empty database of the test's own and an engine on it, dropped afterwards."""
    from tests.conftest import POSTGRES_URL
    if backend == "postgresql" and not POSTGRES_URL:
        pytest.skip("GOVFLOW_TEST_POSTGRES_URL not set")
    db = _empty_database(backend, tmp_path, POSTGRES_URL)
    if db.schema:
        await _schema_ddl(db.url, f'CREATE SCHEMA "{db.schema}"')
    engine = create_async_engine(db.url, connect_args=db.connect_args)
    try:
        yield db, engine
    finally:
        await engine.dispose()
        if db.schema:
            await _schema_ddl(db.url, f'DROP SCHEMA "{db.schema}" CASCADE')


def _empty_database(backend: str, tmp_path, postgres_url: str | None) -> Database:
    """An empty database of this test's own (not a copy of the migrated template)."""
    if backend == "sqlite":
        return Database("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'migrate.db'}", {})
    schema = f"m_{uuid.uuid4().hex[:12]}"
    return Database("postgresql", postgres_url or "", {"server_settings": {"search_path": schema}},
                    schema=schema)


async def _schema_ddl(url: str, statement: str) -> None:
    admin = create_async_engine(url)
    try:
        async with admin.begin() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await admin.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_migrated_database_has_the_indexes_the_tables_declare(backend, tmp_path):
    """Every index store/tables.py declares is there after the migrations, and no other:
    an index the model dropped (revision 0015: ix_tasks_tenant_state) costs every write."""
    from govflow.store.tables import metadata

    async with _scratch(backend, tmp_path) as (db, engine):
        await asyncio.to_thread(upgrade, db.url, "head", db.connect_args)
        async with engine.connect() as conn:
            found = await conn.run_sync(lambda sync: {
                table.name: {ix["name"] for ix in sa.inspect(sync).get_indexes(table.name)}
                for table in metadata.sorted_tables})
    declared = {table.name: {ix.name for ix in table.indexes}
                for table in metadata.sorted_tables}
    unique = {table.name: {c.name for c in table.constraints
                           if isinstance(c, sa.UniqueConstraint)}
              for table in metadata.sorted_tables}  # SQLite lists their indexes too
    assert {name: found[name] - unique[name] for name in found} == declared
    assert "ix_tasks_tenant_state" not in found["tasks"]
