"""How many due timers per second `govflow worker` processes fire on PostgreSQL.

Fills a database with N instances (default 10,000) that each wait on a one-day timer
started ten days ago, copies it (CREATE DATABASE ... TEMPLATE) for each run, starts one
and then two `govflow worker` processes on a copy and watches the timers table empty:
timers fired per second from the first timer fired to the last. Every instance must have
fired exactly once. Last, in-process: one poisoned timer (most overdue, its step fails with
an error the engine does not expect) beside 100 healthy ones of four tenants, fired by a
polling worker loop: how long until all 100 have fired.

    python bench/timers.py [--instances 10000] [--batch 20]
"""

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govflow.commands import UnitOfWork
from govflow.commands.diagrams import deploy_set
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.clock import FrozenClock
from govflow.store.migrate import upgrade
from govflow.store.tables import history, process_instances, timers
from govflow.tenants import repository as tenants
from govflow.timers.worker import Worker

from bench.engine import ADMIN, drop_schema, postgres_schema
from bench.rest import SECRET
from tests.support.sample import waits_a_day, waits_then_stores_bytes

START = datetime(2026, 3, 2, 1, tzinfo=UTC)
WATCHER = "bench-timers-watch"  # the watcher's own backend is not the workers' database work


async def fill(url: str, n: int) -> None:
    """N instances whose one-day timer (a working day, to the end of the day in Beijing) was
    started ten days before now (real time): due whatever the weekday."""
    clock = FrozenClock(datetime.now(UTC) - timedelta(days=10))
    ctx = build_context(Settings(database_url=url, secret_key=SECRET), clock)
    try:
        async with ctx.sessions() as session:
            await tenants.upsert(session, "timers", "timers", clock.now())
            await session.commit()
            await deploy_set(ctx, ADMIN, "timers", {"wait.bpmn": waits_a_day()})
            set_id = (await tenants.get(session, "timers")).active_set_id

        async def starter(count: int) -> None:
            async with ctx.sessions() as session:
                for _ in range(count):
                    async with UnitOfWork(ctx, session) as uow:
                        await uow.start("timers", set_id, "wait", None, {}, "bench")
                        await uow.commit()
                    ctx.instances._entries.clear()

        await asyncio.gather(*(starter(n // 4 + (i < n % 4)) for i in range(4)))
    finally:
        await ctx.engine.dispose()


async def watch(url: str, n: int, timeout: float, on_first=lambda: None) -> tuple[float, int]:
    """Seconds from the first timer fired to the last, and how many fired in that span
    (``on_first`` is called when the first is seen fired)."""
    engine = create_async_engine(url, connect_args={
        "server_settings": {"application_name": WATCHER}})
    first: tuple[float, int] | None = None
    deadline = time.perf_counter() + timeout
    try:
        while time.perf_counter() < deadline:
            async with engine.connect() as conn:
                left = (await conn.execute(sa.select(sa.func.count()).select_from(timers))
                        ).scalar_one()
            now = time.perf_counter()
            if first is None and left < n:
                first = (now, left)
                on_first()
            if left == 0:
                assert first is not None
                return now - first[0], first[1]
            await asyncio.sleep(0.02)
        raise SystemExit(f"timers left after {timeout} s")
    finally:
        await engine.dispose()


async def fired_once(url: str, n: int) -> bool:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            per_instance = (await conn.execute(
                sa.select(history.c.instance_id, sa.func.count())
                .where(history.c.event == "timer_fired").group_by(history.c.instance_id)
            )).all()
    finally:
        await engine.dispose()
    return len(per_instance) == n and all(count == 1 for _, count in per_instance)


def backends_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving ``database``, but the
    watcher's and this query's (the server on this host: its /proc)."""
    query = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
             f"AND pid <> pg_backend_pid() AND application_name <> '{WATCHER}'")
    pids = subprocess.run(
        ["psql", f"postgresql://postgres@127.0.0.1:5432/{database}", "-tAc", query],
        check=True, capture_output=True, text=True).stdout.split()
    cpu = {}
    for pid in map(int, pids):
        try:
            cpu[pid] = cpu_seconds(pid)
        except FileNotFoundError:  # the connection closed meanwhile
            pass
    return cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_workers(template: str, url_of, n: int, workers: int, batch: int
                ) -> tuple[float, float, float]:
    """Timers fired per second, and worker and PostgreSQL CPU milliseconds per timer (the
    workers' and their backends' CPU while they fired, over the timers they fired: figures
    the machine's load does not inflate the way it does the rate)."""
    name = f"{template}_{workers}w"
    psql("postgres", f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = url_of(name)
    env = {**os.environ, "GOVFLOW_DATABASE_URL": url, "GOVFLOW_SECRET_KEY": SECRET,
           "GOVFLOW_LOG_LEVEL": "warning", "GOVFLOW_TIMER_BATCH_SIZE": str(batch)}
    procs = [subprocess.Popen([sys.executable, "-m", "govflow", "worker"], cwd=ROOT,
                              env={**env, "GOVFLOW_WORKER_NAME": f"w{i}"})
             for i in range(workers)]
    try:
        started: list[float] = []  # the workers' CPU when the first timer was seen fired
        backends: list[dict[int, float]] = []  # and their backends'

        def first_fired() -> None:
            started.append(sum(cpu_seconds(p.pid) for p in procs))
            backends.append(backends_cpu(name))

        elapsed, count = asyncio.run(watch(url, n, 600, first_fired))
        busy = sum(cpu_seconds(p.pid) for p in procs) - started[0]
        database = sum(cpu - backends[0].get(pid, 0.0)
                       for pid, cpu in backends_cpu(name).items())
        assert asyncio.run(fired_once(url, n)), "a timer fired twice or not at all"
        return count / elapsed, busy * 1000 / count, database * 1000 / count
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def psql(database: str, sql: str) -> None:
    subprocess.run(["psql", f"postgresql://postgres@127.0.0.1:5432/{database}", "-qc", sql],
                   check=True, capture_output=True)


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
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=20, help="GOVFLOW_TIMER_BATCH_SIZE")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    url = os.environ.get("GOVFLOW_BENCH_POSTGRES_URL",
                         "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    template = f"govflow_bench_timers_{uuid.uuid4().hex[:6]}"

    def url_of(name: str) -> str:
        return url.rsplit("/", 1)[0] + "/" + name

    psql("postgres", f'CREATE DATABASE "{template}"')
    try:
        upgrade(url_of(template))
        started = time.perf_counter()
        asyncio.run(fill(url_of(template), args.instances))
        print(f"{args.instances:,} instances waiting on a due timer, "
              f"made in {time.perf_counter() - started:.0f} s")
        # A live database's tables have been analyzed by autovacuum; a copy made right after
        # the fill has no statistics and no activity that would make autovacuum look, and
        # would plan the claim as a sort of every due timer for the whole run.
        psql(template, "ANALYZE")
        for workers in args.workers:
            rate, cpu, db = run_workers(template, url_of, args.instances, workers, args.batch)
            print(f"{workers} `govflow worker` process(es), batches of {args.batch}: "
                  f"{rate:,.0f} timers fired per second, each exactly once; worker CPU "
                  f"{cpu:.2f} ms per timer, PostgreSQL CPU {db:.2f} ms per timer "
                  f"(load average {os.getloadavg()[0]:.1f})")
    finally:
        psql("postgres", f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
    schema, connect_args = asyncio.run(postgres_schema(url))
    try:
        upgrade(url, connect_args=connect_args)
        fired, elapsed, state = asyncio.run(poisoned(url, connect_args))
        print(f"one poisoned timer beside 100 healthy ones: {fired} of 100 fired in "
              f"{elapsed:.2f} s by a polling worker; the poisoned instance is {state}")
    finally:
        asyncio.run(drop_schema(url, schema))


if __name__ == "__main__":
    main()
