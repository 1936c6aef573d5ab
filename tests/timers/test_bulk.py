"""Timers in bulk (issue 15 item 4): a batch's writes go out one statement per kind for the
whole batch, hundreds of due timers fire exactly once however many workers race, a timer
whose instance fails is an incident while the rest of its batch still fires in batches,
and a worker does not sleep while timers are due."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, start, token
from tests.support.sample import waits_a_day, waits_then_stores_bytes

TENANTS = ("bulk0", "bulk1", "bulk2")
UNITS = {t: token("ua", t, ("unit",)) for t in (*TENANTS, "bulkbad")}
START = datetime(2026, 3, 2, 1, tzinfo=UTC)
DUE = datetime(2026, 3, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def deployed(client):
    for tenant in TENANTS:
        assert (await deploy(client, tenant, {"wait.bpmn": waits_a_day()})).status_code == 201


async def waiting(client, ctx, n: int) -> list[str]:
    """``n`` instances spread over the tenants, each waiting on a timer due at ``DUE``."""
    ctx.clock.set(START)
    ids = [(await start(client, TENANTS[i % 3], UNITS[TENANTS[i % 3]]))["id"]
           for i in range(n)]
    ctx.clock.set(DUE)
    return ids


async def fired_once_each(ctx, ids: list[str]) -> bool:
    """Every instance fired its timer once and waits on its one task after it."""
    async with ctx.engine.connect() as conn:
        fired = dict((await conn.execute(
            sa.text("SELECT instance_id, count(*) FROM history WHERE event = 'timer_fired' "
                    "GROUP BY instance_id"))).all())
        ready = dict((await conn.execute(
            sa.text("SELECT instance_id, count(*) FROM tasks WHERE state = 'ready' "
                    "AND key = 'after' GROUP BY instance_id"))).all())
        waiting = set((await conn.execute(sa.text("SELECT instance_id FROM timers"))).scalars())
    return not waiting & set(ids) and all(fired.get(i) == 1 and ready.get(i) == 1 for i in ids)


class Counting:
    """Statements and commits the database is sent while the block runs."""

    def __init__(self, ctx) -> None:
        self.engine, self.statements, self.commits = ctx.engine.sync_engine, 0, 0

    def _statement(self, *_args) -> None:
        self.statements += 1

    def _commit(self, *_args) -> None:
        self.commits += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._statement)
        sa.event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *_exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._statement)
        sa.event.remove(self.engine, "commit", self._commit)


async def test_250_due_timers_fire_once_each_with_two_workers_racing(client, ctx, database):
    if database.backend != "postgresql":
        pytest.skip("racing workers claim with FOR UPDATE SKIP LOCKED: PostgreSQL's")
    ids = await waiting(client, ctx, 250)
    fired = await asyncio.gather(Worker(ctx, "a").fire_due(), Worker(ctx, "b").fire_due())
    assert sum(fired) == 250
    assert all(n > 0 for n in fired)  # both took part
    assert await fired_once_each(ctx, ids)


async def test_a_batch_sends_as_many_statements_for_20_instances_as_for_4(client, ctx,
                                                                         monkeypatch):
    ids = await waiting(client, ctx, 24)
    sent = []
    for size in (4, 20):
        monkeypatch.setattr(ctx.settings, "timer_batch_size", size)
        with Counting(ctx) as counted:
            assert await Worker(ctx, f"batch{size}").fire_due(limit=size) == size
        sent.append(counted.statements)
    assert sent[0] == sent[1]  # one statement per kind of write, not one per instance
    assert sent[1] < 20
    assert await fired_once_each(ctx, ids)


async def test_a_failing_timer_is_an_incident_and_the_rest_of_its_batch_fires_in_batches(
        client, ctx, monkeypatch):
    assert (await deploy(client, "bulkbad", {"b.bpmn": waits_then_stores_bytes()})
            ).status_code == 201
    ctx.clock.set(START - timedelta(days=1))  # the most overdue: in the first batch
    bad = (await start(client, "bulkbad", UNITS["bulkbad"]))["id"]
    ids = await waiting(client, ctx, 30)
    monkeypatch.setattr(ctx.settings, "timer_batch_size", 10)
    with Counting(ctx) as counted:
        assert await Worker(ctx, "one").fire_due() == 31  # 30 fired, one put in error
    assert await fired_once_each(ctx, ids)
    # The incident, three batches of ten, the claim that finds nothing: not the first
    # batch's nine healthy timers fired one per transaction.
    assert counted.commits <= 6
    body = (await client.get(f"{API}/process-instances/{bad}", headers=ADMIN)).json()
    assert body["state"] == "error"
    incidents = [e for e in await history(client, bad) if e["event"] == "incident"]
    assert len(incidents) == 1
    assert incidents[0]["data"]["attempt"] == 1
    assert incidents[0]["data"]["timer_task_id"]
    assert not [e for e in await history(client, bad) if e["event"] == "timer_fired"]
    terminated = await client.post(f"{API}/process-instances/{bad}/terminate",
                                   json={"reason": "test over"}, headers=ADMIN)
    assert terminated.status_code == 200


async def test_a_worker_goes_on_without_sleeping_while_timers_are_due(client, ctx,
                                                                     monkeypatch):
    ids = await waiting(client, ctx, 23)
    monkeypatch.setattr(ctx.settings, "timer_batch_size", 4)
    # Rounds of five and a minute's sleep between rounds that find nothing due: all 23
    # fire in seconds only if the worker never sleeps while some are due.
    worker = Worker(ctx, "eager", poll_seconds=60, round_size=5)
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run(stop))
    try:
        for _ in range(200):
            if await fired_once_each(ctx, ids):
                break
            await asyncio.sleep(0.05)
        assert await fired_once_each(ctx, ids)
    finally:
        stop.set()
        await loop
