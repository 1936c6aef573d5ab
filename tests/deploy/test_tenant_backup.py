"""deploy/tenant-backup.sh: one tenant's data out of one PostgreSQL database and into
another, whole and working; an import never overwrites a tenant that exists."""

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from govflow.auth.principal import Principal
from govflow.commands import UnitOfWork
from govflow.commands.diagrams import deploy_set
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.migrate import upgrade
from govflow.tenants import repository as tenants

from tests.conftest import SECRET
from tests.support.pgdb import fresh_database
from tests.support.sample import linear, waits_a_day

POSTGRES_URL = os.environ.get("GOVFLOW_TEST_POSTGRES_URL")
SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "tenant-backup.sh"
pytestmark = pytest.mark.skipif(not POSTGRES_URL or not shutil.which("psql"),
                                reason="needs GOVFLOW_TEST_POSTGRES_URL and psql")
ADMIN = Principal("test", ("*",), (), admin=True)
TABLES = ("tenants", "diagram_sets", "diagram_files", "process_instances", "engine_rows",
          "variables", "tasks", "task_candidates", "timers", "history")


async def populate(url: str) -> None:
    """Two tenants, each with instances waiting on tasks and on timers."""
    ctx = build_context(Settings(database_url=url, secret_key=SECRET))
    try:
        async with ctx.sessions() as session:
            for tenant in ("north", "south"):
                await tenants.upsert(session, tenant, tenant, ctx.clock.now())
                await session.commit()
                for name, content in (("l.bpmn", linear(2)), ("w.bpmn", waits_a_day())):
                    view, _ = await deploy_set(ctx, ADMIN, tenant, {name: content})
                    for _ in range(3):
                        async with UnitOfWork(ctx, session) as uow:
                            process = "linear" if name == "l.bpmn" else "wait"
                            await uow.start(tenant, view["id"], process, None, {"n": 1}, "test")
                            await uow.commit()
    finally:
        await ctx.engine.dispose()


def scope(table: str) -> str:
    """The tenant's rows of a table (the script's own selection, written independently)."""
    instance = "instance_id IN (SELECT id FROM process_instances WHERE tenant_id = :t)"
    return {"tenants": "id = :t",
            "diagram_files": "set_id IN (SELECT id FROM diagram_sets WHERE tenant_id = :t)",
            "engine_rows": instance, "variables": instance,
            "task_candidates": "task_id IN (SELECT id FROM tasks WHERE tenant_id = :t)",
            }.get(table, "tenant_id = :t")


async def snapshot(url: str, tenant: str) -> dict[str, list]:
    engine = build_context(Settings(database_url=url, secret_key=SECRET)).engine
    found = {}
    async with engine.connect() as conn:
        for table in TABLES:
            rows = (await conn.execute(sa.text(f"SELECT * FROM {table} WHERE {scope(table)}"),
                                       {"t": tenant})).mappings().all()
            found[table] = sorted(str(sorted(r.items())) for r in rows)
    await engine.dispose()
    return found


def backup(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GOVFLOW_DATABASE_URL": url}
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_tenant_exported_from_one_database_imports_into_another(tmp_path: Path) -> None:
    with fresh_database(POSTGRES_URL, "govflow_bk") as source, \
            fresh_database(POSTGRES_URL, "govflow_bk") as target:  # type: ignore[arg-type]
        for url in (source, target):
            upgrade(url)
        asyncio.run(populate(source))
        exported = backup("export", "north", str(tmp_path / "north"), url=source)
        assert exported.returncode == 0, exported.stderr
        imported = backup("import", str(tmp_path / "north"), url=target)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        copied = asyncio.run(snapshot(target, "north"))
        assert copied == asyncio.run(snapshot(source, "north"))  # every row, as it was
        assert [t for t in TABLES if not copied[t]] == []
        # Only north came over (south's rows are not in the target at all).
        assert asyncio.run(snapshot(target, "south"))["process_instances"] == []
        # The copy works: a new set and instance get fresh ids after the imported ones.
        asyncio.run(populate_more(target))
        again = backup("import", str(tmp_path / "north"), url=target)
        assert again.returncode == 1
        assert "exists" in again.stderr


async def populate_more(url: str) -> None:
    ctx = build_context(Settings(database_url=url, secret_key=SECRET))
    try:
        async with ctx.sessions() as session:
            view, created = await deploy_set(ctx, ADMIN, "north",
                                                  {"l3.bpmn": linear(3)})
            assert created
            async with UnitOfWork(ctx, session) as uow:
                await uow.start("north", view["id"], "linear", None, {}, "test")
                await uow.commit()
    finally:
        await ctx.engine.dispose()
