"""How many due timers per second one worker fires on PostgreSQL.

Starts N instances that each wait on a one-day timer, moves the clock two days on, and
times one worker firing them all (each in its own transaction: claim with FOR UPDATE SKIP
LOCKED, run the engine, write, commit). Then the same with two workers side by side.

    python bench/timers.py [--instances 500]
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govflow.diagrams import service as diagrams
from govflow.instances.executor import UnitOfWork
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from govflow.store.migrate import upgrade
from govflow.tenants import repository as tenants
from govflow.timers.worker import Worker

from bench.engine import ADMIN, drop_schema, postgres_schema
from tests.support.sample import waits_a_day

START = datetime(2026, 3, 2, 1, tzinfo=UTC)


async def run(url: str, connect_args: dict, n: int, workers: int) -> float:
    clock = FrozenClock(START)
    ctx = build_context(Settings(database_url=url, secret_key="bench"), clock, connect_args)
    tenant = f"timers{uuid.uuid4().hex[:6]}"
    async with ctx.sessions() as session:
        await tenants.upsert(session, tenant, tenant, clock.now())
        await session.commit()
        await diagrams.upload(ctx, session, ADMIN, tenant, {"wait.bpmn": waits_a_day()})
        set_id = (await tenants.get(session, tenant)).active_set_id
        for _ in range(n):
            async with UnitOfWork(ctx, session) as uow:
                await uow.start(tenant, set_id, "wait", None, {}, "bench")
                await uow.commit()
    ctx.instances._entries.clear()  # a worker process starts cold: no cached workflows
    clock.set(START + timedelta(days=3))
    started = time.perf_counter()
    fired = await asyncio.gather(*(Worker(ctx, f"w{i}").fire_due() for i in range(workers)))
    elapsed = time.perf_counter() - started
    assert sum(fired) == n, fired
    await ctx.engine.dispose()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("GOVFLOW_BENCH_POSTGRES_URL",
                         "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    schema, connect_args = asyncio.run(postgres_schema(url))
    try:
        upgrade(url, connect_args=connect_args)
        for workers in (1, 2):
            rate = asyncio.run(run(url, connect_args, args.instances, workers))
            print(f"{workers} worker(s) in one process: {rate:,.0f} timers fired per second "
                  f"({args.instances} due timers, each its own transaction)")
    finally:
        asyncio.run(drop_schema(url, schema))


if __name__ == "__main__":
    main()
