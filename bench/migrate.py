"""Instances migrated per second: a batch that moves N running 河源 projects (half parked at
two parallel reviews with deadline timers, half at the declaration) from the bundled set
to the edited copy of tests/migration/test_heyuan_migration.py, run by the in-process
migration worker (one instance per transaction), on SQLite and, with --postgres, on
PostgreSQL. The instance cache is off, as for a batch over years-old instances.

    python bench/migrate.py [--instances 10000] [--postgres]
"""

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govflow.auth.principal import ALL_TENANTS, Principal
from govflow.commands import execute
from govflow.commands.diagrams import deploy_set
from govflow.commands.documents import UploadDocument
from govflow.commands.instances import StartInstance
from govflow.commands.migrations import StartMigration
from govflow.commands.tasks import CompleteTask
from govflow.commands.tenants import EnsureTenant
from govflow.documents.intake import receive
from govflow.main import build_context
from govflow.migration import repository
from govflow.migration.plan import MigrationPlan
from govflow.migration.worker import MigrationWorker
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from govflow.store.migrate import upgrade
from govflow.tasks import repository as task_repo

from tests.migration.test_heyuan_migration import MAPPING, edited
from tests.scenarios.heyuan.heyuan_support import DECLARATION, DOC, PDF, TENANT, variables
from tests.support.bundled import bundled

ADMIN = Principal("bench", (ALL_TENANTS,), ("unit",), admin=True)
SECRET = "bench-secret-bench-secret-bench-secret-00"


async def declaration(ctx: Any, task_id: str) -> dict[str, Any]:
    """The declaration with a small PDF uploaded for each material it names (``DOC``)."""
    async def pdf() -> AsyncIterator[bytes]:
        yield PDF

    data = dict(DECLARATION)
    for field, value in DECLARATION.items():
        if value == DOC:
            got = await receive(pdf(), f"{field}.pdf", len(PDF), ["application/pdf"])
            data[field] = await execute(ctx, UploadDocument(ADMIN, task_id, got))
    return data


async def run(url: str, n: int) -> tuple[float, float, dict[str, int]]:
    settings = Settings(database_url=url, secret_key=SECRET, instance_cache_size=0,
                        load_bundled_diagrams=False)
    ctx = build_context(settings, FrozenClock(datetime(2026, 3, 2, 1, tzinfo=UTC)))
    try:
        await execute(ctx, EnsureTenant(TENANT, "河源市"))
        old, _ = await deploy_set(ctx, ADMIN, TENANT, bundled(TENANT))
        new, _ = await deploy_set(ctx, ADMIN, TENANT, edited(), activate=False)
        started = time.perf_counter()
        for i in range(n):
            instance = await execute(ctx, StartInstance(ADMIN, TENANT, None, f"B-{i}",
                                                        variables()))
            if i % 2:
                async with ctx.sessions() as session:
                    task = (await task_repo.ready_of_instance(session, instance))[0]
                await execute(ctx, CompleteTask(ADMIN, task.id, await declaration(ctx, task.id)))
        filled = time.perf_counter() - started
        plan = MigrationPlan(old["id"], new["id"], MAPPING, {}, "recompute")
        started = time.perf_counter()
        created = await execute(ctx, StartMigration(ADMIN, TENANT, plan))
        await MigrationWorker(ctx).drain(batch_id=created["id"])
        moved = time.perf_counter() - started
        async with ctx.sessions() as session:
            counts = await repository.counts(session, created["id"])
        return filled, moved, counts
    finally:
        await ctx.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        upgrade(url)
        report("SQLite", args.instances, *asyncio.run(run(url, args.instances)))
    if args.postgres:
        name = f"govflow_bench_migrate_{uuid.uuid4().hex[:6]}"
        admin = "postgresql://postgres@127.0.0.1:5432/postgres"
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
        try:
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
            upgrade(url)
            report("PostgreSQL", args.instances, *asyncio.run(run(url, args.instances)))
        finally:
            subprocess.run(["psql", admin, "-qc", f'DROP DATABASE "{name}"'], check=True)


def report(backend: str, n: int, filled: float, moved: float, counts: dict[str, int]) -> None:
    print(f"{backend}: {n} instances started in {filled:.1f} s; batch migrated "
          f"{counts['migrated']} (refused {counts['refused']}, failed {counts['failed']}) "
          f"in {moved:.1f} s = {counts['migrated'] / moved:.0f} instances/s")


if __name__ == "__main__":
    main()
