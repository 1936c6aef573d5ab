"""Per-task cost of a step: raw SpiffWorkflow in memory vs. GovFlow's command layer.

Runs a 30-task and a 100-task linear process (a) on SpiffWorkflow alone, in memory, and
(b) through GovFlow's unit of work (load, run, write changed rows, history, commit) on
SQLite and, when GOVFLOW_BENCH_POSTGRES_URL is set (default: the local test database),
on PostgreSQL. Prints ms per task, bytes written by the first and last step, and the
ratio to (a).

    python bench/engine.py [--rounds 3]
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govflow.auth.principal import Principal
from govflow.commands import UnitOfWork
from govflow.commands.diagrams import deploy_set
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.migrate import upgrade
from govflow.tenants import repository as tenants

from tests.support.sample import linear

PAYLOAD = {"approved": True, "opinion": "同意"}
ADMIN = Principal("bench", ("*",), ("unit",), admin=True)


def raw_ms_per_task(n: int) -> float:
    parser = CamundaParser()
    parser.add_bpmn_str(linear(n))
    workflow = BpmnWorkflow(parser.get_spec("linear"))
    workflow.do_engine_steps()
    started = time.perf_counter()
    for _ in range(n):
        task = workflow.get_next_task(state=TaskState.READY, manual=True)
        task.data.update(PAYLOAD)
        task.run()
        workflow.do_engine_steps()
    assert workflow.completed
    return (time.perf_counter() - started) * 1000 / n


async def service_run(url: str, connect_args: dict, n: int) -> tuple[float, int, int]:
    """ms per task, bytes of the first and of the last step."""
    ctx = build_context(Settings(database_url=url, secret_key="bench"),
                        connect_args=connect_args)
    tenant = f"bench{uuid.uuid4().hex[:8]}"
    async with ctx.sessions() as session:
        await tenants.upsert(session, tenant, tenant, ctx.clock.now())
        await session.commit()
        await deploy_set(ctx, ADMIN, tenant, {"linear.bpmn": linear(n)})
        set_id = (await tenants.get(session, tenant)).active_set_id
        async with UnitOfWork(ctx, session) as uow:
            instance_id, result = await uow.start(tenant, set_id, "linear", None, {}, "bench")
            await uow.commit()
        task_id = result.created[0].id
        sizes, started = [], time.perf_counter()
        for _ in range(n):
            async with UnitOfWork(ctx, session) as uow:
                step = await uow.step(instance_id,
                                      lambda e, t=task_id: e.complete_task(t, PAYLOAD, "bench"),
                                      "bench")
                await uow.commit()
            sizes.append(uow.bytes_written)
            task_id = step.created[0].id if step.created else None
        elapsed = time.perf_counter() - started
    await ctx.engine.dispose()
    return elapsed * 1000 / n, sizes[0], sizes[-1]


async def postgres_schema(url: str) -> tuple[str, dict]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    await engine.dispose()
    return schema, {"server_settings": {"search_path": schema}}


async def drop_schema(url: str, schema: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="best of N runs per figure")
    args = parser.parse_args()
    pg_url = os.environ.get("GOVFLOW_BENCH_POSTGRES_URL",
                            "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    backends: list[tuple[str, str, dict]] = []
    tmp = tempfile.mkdtemp()
    sqlite_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    upgrade(sqlite_url)
    backends.append(("sqlite", sqlite_url, {}))
    schema = None
    try:
        schema, pg_args = asyncio.run(postgres_schema(pg_url))
        upgrade(pg_url, connect_args=pg_args)
        backends.append(("postgresql", pg_url, pg_args))
    except Exception as exc:  # noqa: BLE001 - PostgreSQL is optional for this script
        print(f"(PostgreSQL skipped: {type(exc).__name__}: {exc})")
    print(f"{'tasks':>5} {'backend':<11} {'ms/task':>8} {'raw ms':>7} {'ratio':>6} "
          f"{'first B':>8} {'last B':>7} {'last/first':>10}")
    try:
        for n in (30, 100):
            raw = min(raw_ms_per_task(n) for _ in range(args.rounds))
            print(f"{n:>5} {'spiff raw':<11} {raw:>8.3f}")
            for name, url, connect_args in backends:
                runs = [asyncio.run(service_run(url, connect_args, n)) for _ in range(args.rounds)]
                ms = min(r[0] for r in runs)
                first, last = runs[0][1], runs[0][2]
                print(f"{n:>5} {name:<11} {ms:>8.3f} {raw:>7.3f} {ms / raw:>6.1f} "
                      f"{first:>8} {last:>7} {last / first:>10.2f}")
    finally:
        if schema:
            asyncio.run(drop_schema(pg_url, schema))


if __name__ == "__main__":
    main()
