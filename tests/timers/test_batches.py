"""Workers fire due timers in batches: far fewer transactions, each timer still exactly
once however many workers race, and a bad timer in a batch still an incident on its own
instance while the rest of the batch fires."""

import asyncio
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from govflow.instances import repository as instance_repo
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, start, token
from tests.support.sample import waits_a_day

UNIT = token("ua", "batch", ("unit",))
START = datetime(2026, 3, 2, 1, tzinfo=UTC)
DUE = datetime(2026, 3, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "batch", {"wait.bpmn": waits_a_day()})).status_code == 201


@pytest.fixture
def batches_of_five(ctx, monkeypatch):
    monkeypatch.setattr(ctx.settings, "timer_batch_size", 5)


async def waiting(client, ctx, n: int) -> list[str]:
    ctx.clock.set(START)
    ids = [(await start(client, "batch", UNIT))["id"] for _ in range(n)]
    ctx.clock.set(DUE)
    return ids


async def fired_once(client, instance_id: str) -> bool:
    events = [e["event"] for e in await history(client, instance_id)]
    body = (await client.get(f"{API}/process-instances/{instance_id}", headers=ADMIN)).json()
    return events.count("timer_fired") == 1 and \
        [t["key"] for t in body["ready_tasks"]] == ["after"]


async def test_one_worker_fires_a_batch_in_one_transaction(client, ctx, batches_of_five):
    ids = await waiting(client, ctx, 10)
    commits = []
    listener = lambda _conn: commits.append(1)
    sa.event.listen(ctx.engine.sync_engine, "commit", listener)
    try:
        assert await Worker(ctx, "one").fire_due() == 10
    finally:
        sa.event.remove(ctx.engine.sync_engine, "commit", listener)
    assert len(commits) <= 3  # two batches of five (not ten transactions)
    for instance_id in ids:
        assert await fired_once(client, instance_id)


async def test_workers_racing_in_batches_fire_each_timer_once(client, ctx, batches_of_five):
    ids = await waiting(client, ctx, 23)
    fired = await asyncio.gather(*(Worker(ctx, f"w{i}").fire_due() for i in range(3)))
    assert sum(fired) == 23
    for instance_id in ids:
        assert await fired_once(client, instance_id)


async def test_a_bad_timer_in_a_batch_is_an_incident_and_the_rest_fire(client, ctx,
                                                                      batches_of_five,
                                                                      monkeypatch):
    ids = await waiting(client, ctx, 7)
    bad = ids[2]
    real = instance_repo.write_variables

    async def write_variables(session, instance_id, *args):
        if instance_id == bad:
            raise RuntimeError(f"disk I/O error writing {instance_id}")
        return await real(session, instance_id, *args)

    monkeypatch.setattr(instance_repo, "write_variables", write_variables)
    assert await Worker(ctx, "one").fire_due() == 7  # six fired, one put in error
    for instance_id in ids:
        if instance_id != bad:
            assert await fired_once(client, instance_id)
    events = [e for e in await history(client, bad) if e["event"] in ("timer_fired",
                                                                      "incident")]
    assert [e["event"] for e in events] == ["incident"]
    assert events[0]["data"]["attempt"] == 1
    body = (await client.get(f"{API}/process-instances/{bad}", headers=ADMIN)).json()
    assert body["state"] == "error"
    monkeypatch.undo()
    terminated = await client.post(f"{API}/process-instances/{bad}/terminate",
                                   json={"reason": "test over"}, headers=ADMIN)
    assert terminated.status_code == 200
