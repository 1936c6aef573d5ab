"""Several workers on one database: each timer fires exactly once; a worker that dies
mid-fire leaves its timer to another."""

import asyncio
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from govflow.timers.worker import Worker
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, start, token
from tests.support.sample import waits_a_day

UNIT = token("ua", "race", ("unit",))
START = datetime(2026, 3, 2, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "race", {"wait.bpmn": waits_a_day()})).status_code == 201


async def waiting_instances(client, ctx, n: int) -> list[str]:
    ctx.clock.set(START)
    return [(await start(client, "race", UNIT))["id"] for _ in range(n)]


async def test_two_workers_racing_fire_each_timer_once(client, ctx):
    ids = await waiting_instances(client, ctx, 12)
    ctx.clock.set(datetime(2026, 3, 4, tzinfo=UTC))
    fired = await asyncio.gather(Worker(ctx, "a").fire_due(), Worker(ctx, "b").fire_due())
    assert sum(fired) == 12
    for instance_id in ids:
        events = [e for e in await history(client, instance_id) if e["event"] == "timer_fired"]
        assert len(events) == 1
        body = (await client.get(f"{API}/process-instances/{instance_id}", headers=ADMIN)).json()
        assert [t["key"] for t in body["ready_tasks"]] == ["after"]


async def test_a_worker_killed_mid_fire_leaves_the_timer_to_another(client, ctx, database):
    if database.backend != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) are PostgreSQL's; SQLite serialises")
    [instance_id] = await waiting_instances(client, ctx, 1)
    ctx.clock.set(datetime(2026, 3, 4, tzinfo=UTC))
    # Worker "dying" holds the timer row locked, as a worker does while it fires.
    engine = create_async_engine(database.url, connect_args=database.connect_args)
    dying = await engine.connect()
    transaction = await dying.begin()
    locked = await dying.execute(sa.text(
        "SELECT task_id FROM timers WHERE instance_id = :i FOR UPDATE"), {"i": instance_id})
    assert locked.first() is not None
    survivor = Worker(ctx, "survivor")
    assert await survivor.fire_due() == 0  # skipped: another worker holds it
    await transaction.rollback()  # the dying worker's transaction never commits
    await dying.close()
    await engine.dispose()
    assert await survivor.fire_due() == 1
    events = [e for e in await history(client, instance_id) if e["event"] == "timer_fired"]
    assert [e["actor"] for e in events] == ["timer:survivor"]
