"""How many due timers per second one worker fires on PostgreSQL.

Starts N instances that each wait on a one-day timer, moves the clock two days on, and
times one worker firing them all (each in its own transaction: claim with FOR UPDATE SKIP
LOCKED, run the engine, write, commit). Then the same with two workers side by side.
Last, one poisoned timer (most overdue, its step fails with an error the engine does not
expect) beside 100 healthy ones of four tenants, fired by a polling worker loop: how long
until all 100 have fired.

    python bench/timers.py [--instances 500]
"""

import argparse
import asyncio
import logging
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govflow.commands import UnitOfWork
from govflow.commands.diagrams import deploy_set
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from govflow.store.migrate import upgrade
from govflow.store.tables import process_instances, timers
from govflow.tenants import repository as tenants
from govflow.timers.worker import Worker

from bench.engine import ADMIN, drop_schema, postgres_schema
from tests.support.sample import waits_a_day, waits_then_stores_bytes

START = datetime(2026, 3, 2, 1, tzinfo=UTC)


async def run(url: str, connect_args: dict, n: int, workers: int) -> float:
    clock = FrozenClock(START)
    ctx = build_context(Settings(database_url=url, secret_key="bench"), clock, connect_args)
    tenant = f"timers{uuid.uuid4().hex[:6]}"
    async with ctx.sessions() as session:
        await tenants.upsert(session, tenant, tenant, clock.now())
        await session.commit()
        await deploy_set(ctx, ADMIN, tenant, {"wait.bpmn": waits_a_day()})
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


async def start_instances(ctx, tenant: str, files: dict[str, bytes], n: int) -> list[str]:
    async with ctx.sessions() as session:
        await tenants.upsert(session, tenant, tenant, ctx.clock.now())
        await session.commit()
        await deploy_set(ctx, ADMIN, tenant, files)
        set_id = (await tenants.get(session, tenant)).active_set_id
        process_id = (await ctx.specs.get(session, set_id)).main_process_id
        ids = []
        for _ in range(n):
            async with UnitOfWork(ctx, session) as uow:
                ids.append((await uow.start(tenant, set_id, process_id, None, {}, "bench"))[0])
                await uow.commit()
    return ids


async def poisoned(url: str, connect_args: dict) -> tuple[int, float, str]:
    """(healthy timers fired, seconds until the last fired, the poisoned instance's state)."""
    clock = FrozenClock(START - timedelta(days=1))  # the poisoned timer is the most overdue
    ctx = build_context(Settings(database_url=url, secret_key="bench"), clock, connect_args)
    suffix = uuid.uuid4().hex[:6]
    [bad] = await start_instances(ctx, f"poison{suffix}", {"b.bpmn": waits_then_stores_bytes()},
                                  1)
    clock.set(START)
    healthy = [i for t in range(4) for i in await start_instances(
        ctx, f"healthy{t}{suffix}", {"wait.bpmn": waits_a_day()}, 25)]
    ctx.instances._entries.clear()
    clock.set(START + timedelta(days=3))
    logging.getLogger("govflow.worker").setLevel(logging.CRITICAL)  # one failure per round
    stop = asyncio.Event()
    loop = asyncio.create_task(Worker(ctx, "bench").run(stop))
    started, fired = time.perf_counter(), 0
    while time.perf_counter() - started < 25 and fired < len(healthy):
        await asyncio.sleep(0.05)
        async with ctx.engine.connect() as conn:
            fired = (await conn.execute(sa.select(sa.func.count()).select_from(timers).where(
                timers.c.instance_id.in_(healthy)))).scalar_one()
            fired = len(healthy) - fired
    elapsed = time.perf_counter() - started
    stop.set()
    await loop
    async with ctx.engine.connect() as conn:
        state = (await conn.execute(sa.select(process_instances.c.state).where(
            process_instances.c.id == bad))).scalar_one()
    await ctx.engine.dispose()
    return fired, elapsed, state


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
        fired, elapsed, state = asyncio.run(poisoned(url, connect_args))
        print(f"one poisoned timer beside 100 healthy ones: {fired} of 100 fired in "
              f"{elapsed:.2f} s by a polling worker; the poisoned instance is {state}")
    finally:
        asyncio.run(drop_schema(url, schema))


if __name__ == "__main__":
    main()
