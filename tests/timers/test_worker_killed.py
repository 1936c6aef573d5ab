"""A real worker process killed with SIGKILL in the middle of firing: nothing it had not
committed is lost, nothing is fired twice, and another worker finishes the rest."""

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from govflow.auth.principal import Principal
from govflow.commands import UnitOfWork
from govflow.commands.diagrams import deploy_set
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.clock import Clock, FrozenClock
from govflow.store.migrate import upgrade
from govflow.tenants import repository as tenants
from govflow.timers.worker import Worker
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import POSTGRES_URL
from tests.support.sample import waits_a_day

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs GOVFLOW_TEST_POSTGRES_URL: "
                                "a worker process and the test share one PostgreSQL database")
ADMIN = Principal("test", ("*",), (), admin=True)
INSTANCES = 150


async def _admin_sql(url: str, statement: str) -> None:
    engine = create_async_engine(url.rsplit("/", 1)[0] + "/postgres",
                                 isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(sa.text(statement))
    await engine.dispose()


async def _fired(ctx) -> dict[str, int]:
    async with ctx.engine.connect() as conn:
        rows = await conn.execute(sa.text(
            "SELECT instance_id, count(*) FROM history WHERE event = 'timer_fired' "
            "GROUP BY instance_id"))
        return dict(rows.all())


async def test_a_killed_worker_loses_and_duplicates_nothing():
    name = f"govflow_kill_{uuid.uuid4().hex[:8]}"
    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    await _admin_sql(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    try:
        await asyncio.to_thread(upgrade, url)
        # One-day timers started ten days ago (a day that ends on a weekend moves to Monday):
        # due in real time, so the worker process fires them at once.
        clock = FrozenClock(datetime.now(UTC) - timedelta(days=10))
        ctx = build_context(Settings(database_url=url, secret_key="k" * 40), clock)
        async with ctx.sessions() as session:
            await tenants.upsert(session, "kill", "kill", clock.now())
            await session.commit()
            await deploy_set(ctx, ADMIN, "kill", {"wait.bpmn": waits_a_day()})
            set_id = (await tenants.get(session, "kill")).active_set_id
            ids = []
            for _ in range(INSTANCES):
                async with UnitOfWork(ctx, session) as uow:
                    ids.append((await uow.start("kill", set_id, "wait", None, {}, "t"))[0])
                    await uow.commit()
        env = {**os.environ, "GOVFLOW_DATABASE_URL": url, "GOVFLOW_SECRET_KEY": "k" * 40,
               "GOVFLOW_LOG_LEVEL": "warning"}
        with tempfile.TemporaryFile("w+") as log:
            worker = subprocess.Popen(  # noqa: ASYNC220 - killed below, never waited on long
                [sys.executable, "-m", "govflow", "worker"], env=env, stdout=log, stderr=log)
            try:
                deadline = time.monotonic() + 60
                while len(await _fired(ctx)) < INSTANCES // 5 and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
            finally:
                worker.send_signal(signal.SIGKILL)  # no cleanup, mid-transaction or not
                worker.wait(timeout=30)
            before = await _fired(ctx)
            log.seek(0)
            assert 0 < len(before) < INSTANCES, f"the kill should land mid-way: {log.read()}"
        ctx.clock = Clock()
        ctx.instances._entries.clear()
        assert await Worker(ctx, "survivor").fire_due() == INSTANCES - len(before)
        after = await _fired(ctx)
        assert sorted(after) == sorted(ids)
        assert set(after.values()) == {1}  # each timer fired exactly once
        async with ctx.engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT count(*) FROM timers"))).scalar() == 0
        await ctx.engine.dispose()
    finally:
        await _admin_sql(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
