"""Revision 0014: on PostgreSQL the tables a step rewrites in place keep room in each page
for HOT updates (a fillfactor), as store/tables.py declares (SQLite has no fillfactor: the
revision does nothing there, and every SQLite test database is upgraded through it)."""

import asyncio

import pytest
import sqlalchemy as sa
from govflow.store.migrate import upgrade
from govflow.store.tables import engine_rows, process_instances, variables
from sqlalchemy.ext.asyncio import create_async_engine

from tests.test_migrations import _empty_database, _schema_ddl

TABLES = (engine_rows, variables, process_instances)


async def fillfactors(url: str, connect_args: dict) -> dict[str, str | None]:
    engine = create_async_engine(url, connect_args=connect_args)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text(
                "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                "AND c.relname = ANY(:names)"), {"names": [t.name for t in TABLES]})).all()
    finally:
        await engine.dispose()
    return {name: next((o for o in options or [] if o.startswith("fillfactor=")), None)
            for name, options in rows}


async def test_revision_0014_leaves_room_for_hot_updates_on_postgresql(tmp_path):
    from tests.conftest import POSTGRES_URL
    if not POSTGRES_URL:
        pytest.skip("GOVFLOW_TEST_POSTGRES_URL not set")
    db = _empty_database("postgresql", tmp_path, POSTGRES_URL)
    await _schema_ddl(db.url, f'CREATE SCHEMA "{db.schema}"')
    try:
        await asyncio.to_thread(upgrade, db.url, "0012", db.connect_args)
        assert set((await fillfactors(db.url, db.connect_args)).values()) == {None}
        await asyncio.to_thread(upgrade, db.url, "head", db.connect_args)
        declared = {t.name: f"fillfactor={t.dialect_options['postgresql']['with']['fillfactor']}"
                    for t in TABLES}
        assert await fillfactors(db.url, db.connect_args) == declared
    finally:
        await _schema_ddl(db.url, f'DROP SCHEMA "{db.schema}" CASCADE')

