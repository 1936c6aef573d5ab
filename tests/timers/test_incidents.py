"""A timer whose firing fails for any reason becomes an incident on its own instance, with
retries after a back-off; it never holds back the other tenants' timers."""

import asyncio
import os
import socket
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from govflow.instances import repository as instance_repo
from govflow.timers import repository as timer_repo
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, start, token
from tests.support.sample import waits_a_day, waits_then_stores_bytes

TENANTS = [f"inc{i}" for i in range(4)]
UNITS = {t: token("ua", t, ("unit",)) for t in [*TENANTS, "incb"]}
START = datetime(2026, 3, 2, 1, tzinfo=UTC)
DUE = datetime(2026, 3, 5, tzinfo=UTC)  # every one-day timer started on START is due
HOST_PID = f"timer:{socket.gethostname()}:{os.getpid()}"


@pytest.fixture(autouse=True)
async def deployed(client):
    for tenant in TENANTS:
        assert (await deploy(client, tenant, {"wait.bpmn": waits_a_day()})).status_code == 201
    assert (await deploy(client, "incb", {"b.bpmn": waits_then_stores_bytes()})).status_code \
        == 201


@pytest.fixture
async def poisoned(client, ctx, monkeypatch):
    """Instance ids whose next write fails with an error nobody expects (a database
    hiccup, a driver bug); what is left waiting or in error is terminated afterwards."""
    ids: set[str] = set()
    real = instance_repo.write_variables

    async def write_variables(session, instance_id, *args):
        if instance_id in ids:
            raise RuntimeError(f"disk I/O error writing {instance_id}")
        return await real(session, instance_id, *args)

    monkeypatch.setattr(instance_repo, "write_variables", write_variables)
    ctx.clock.set(START)
    yield ids
    ids.clear()
    async with ctx.engine.connect() as conn:
        left = (await conn.execute(sa.text(
            "SELECT instance_id FROM timers UNION "
            "SELECT id FROM process_instances WHERE state = 'error'"))).scalars().all()
    for instance_id in left:
        response = await client.post(f"{API}/process-instances/{instance_id}/terminate",
                                     json={"reason": "test over"}, headers=ADMIN)
        assert response.status_code == 200, response.text


async def _start(client, tenant: str) -> str:
    return (await start(client, tenant, UNITS[tenant]))["id"]


async def _instance(client, instance_id: str) -> dict:
    response = await client.get(f"{API}/process-instances/{instance_id}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def _incidents(client, instance_id: str) -> list[dict]:
    return [e for e in await history(client, instance_id) if e["event"] == "incident"]


async def _failures(ctx, instance_id: str) -> list[tuple[int, datetime | None]]:
    async with ctx.sessions() as session:
        return list((await timer_repo.failures(session, instance_id)).values())


async def _fired(ctx) -> dict[str, list[str]]:
    async with ctx.engine.connect() as conn:
        rows = await conn.execute(sa.text(
            "SELECT instance_id, actor FROM history WHERE event = 'timer_fired'"))
    fired: dict[str, list[str]] = {}
    for instance_id, actor in rows.all():
        fired.setdefault(instance_id, []).append(actor)
    return fired


async def test_a_failing_timer_holds_back_none_of_100_others(client, ctx, poisoned):
    ctx.clock.set(START - timedelta(days=1))  # the poisoned timer is the most overdue
    bad = await _start(client, "inc0")
    poisoned.add(bad)
    ctx.clock.set(START)
    healthy = [await _start(client, TENANTS[i % 4]) for i in range(100)]
    ctx.clock.set(DUE)
    ctx.instances._entries.clear()

    assert await Worker(ctx).fire_due() == 101  # one call: the incident and all 100 fired

    fired = await _fired(ctx)
    assert {i: fired.get(i) for i in healthy} == {i: [HOST_PID] for i in healthy}
    for instance_id in healthy[:4]:
        body = await _instance(client, instance_id)
        assert (body["state"], [t["key"] for t in body["ready_tasks"]]) == ("running", ["after"])
    body = await _instance(client, bad)
    assert body["state"] == "error"
    assert body["error"] == f"RuntimeError: disk I/O error writing {bad}"
    [incident] = await _incidents(client, bad)
    assert (incident["actor"], incident["element_id"]) == (HOST_PID, "one_day")
    assert incident["data"]["error"] == body["error"]
    assert incident["data"]["attempt"] == 1
    assert incident["data"]["next_attempt_at"] == "2026-03-05T00:00:10Z"
    assert await _failures(ctx, bad) == [(1, DUE + timedelta(seconds=10))]
    assert bad not in fired


async def test_a_failing_timer_is_retried_after_each_back_off_then_waits_for_resume(
        client, ctx, poisoned):
    bad = await _start(client, "inc1")
    poisoned.add(bad)
    worker = Worker(ctx, "w1")
    ctx.clock.set(DUE)
    assert await worker.fire_due() == 1
    attempts = [DUE]
    for backoff in (10, 60, 300):  # the default back-offs
        ctx.clock.set(attempts[-1] + timedelta(seconds=backoff - 1))
        assert await worker.fire_due() == 0  # never before its next attempt
        ctx.clock.set(attempts[-1] + timedelta(seconds=backoff))
        assert await worker.fire_due() == 1
        attempts.append(ctx.clock.now())
    incidents = await _incidents(client, bad)
    assert [e["data"]["attempt"] for e in incidents] == [1, 2, 3, 4]
    assert [e["data"]["retries_left"] for e in incidents] == [3, 2, 1, 0]
    assert incidents[-1]["data"]["next_attempt_at"] is None
    assert await _failures(ctx, bad) == [(4, None)]

    ctx.clock.set(DUE + timedelta(days=30))
    assert await worker.fire_due() == 0  # retries spent: no longer claimed
    assert (await _instance(client, bad))["state"] == "error"

    resumed = await client.post(f"{API}/process-instances/{bad}/resume", headers=ADMIN)
    assert resumed.status_code == 200, resumed.text
    assert (resumed.json()["state"], resumed.json()["error"]) == ("running", None)
    assert await _failures(ctx, bad) == [(0, None)]  # every retry again
    assert await worker.fire_due() == 1  # still failing: attempt 1 of a fresh round
    assert (await _incidents(client, bad))[-1]["data"]["attempt"] == 1
    assert await _failures(ctx, bad) == [(1, ctx.clock.now() + timedelta(seconds=10))]


async def test_a_retry_that_succeeds_fires_the_timer_and_clears_the_error(client, ctx,
                                                                          poisoned):
    bad = await _start(client, "inc2")
    poisoned.add(bad)
    ctx.clock.set(DUE)
    assert await Worker(ctx, "w2").fire_due() == 1
    poisoned.discard(bad)  # whatever failed is mended
    ctx.clock.set(DUE + timedelta(seconds=10))
    assert await Worker(ctx, "w3").fire_due() == 1
    body = await _instance(client, bad)
    assert (body["state"], body["error"]) == ("running", None)
    assert [t["key"] for t in body["ready_tasks"]] == ["after"]
    events = [(e["event"], e["actor"]) for e in await history(client, bad)
              if e["event"] in ("incident", "incident_retried", "timer_fired")]
    assert events == [("incident", "timer:w2"), ("incident_retried", "timer:w3"),
                      ("timer_fired", "timer:w3")]
    assert await _failures(ctx, bad) == []  # fired: the timer row is gone


async def test_an_instance_in_error_refuses_commands_but_an_admin_may_terminate_it(
        client, ctx, poisoned):
    bad = await _start(client, "inc3")
    poisoned.add(bad)
    ctx.clock.set(DUE)
    assert await Worker(ctx, "w4").fire_due() == 1
    poisoned.discard(bad)
    suspend = await client.post(f"{API}/process-instances/{bad}/suspend", headers=ADMIN)
    assert suspend.status_code == 409
    user = await client.post(f"{API}/process-instances/{bad}/terminate",
                             json={"reason": "放弃"}, headers=UNITS["inc3"])
    assert user.status_code == 403  # only an admin
    ended = await client.post(f"{API}/process-instances/{bad}/terminate",
                              json={"reason": "放弃"}, headers=ADMIN)
    assert ended.status_code == 200, ended.text
    assert (ended.json()["state"], ended.json()["outcome"]) == ("terminated", "terminated")
    events = [e["event"] for e in await history(client, bad)]
    assert events[-4:] == ["incident", "incident_resolved", "instance_terminated",
                           "instance_completed"]
    assert await _failures(ctx, bad) == []
    ctx.clock.set(DUE + timedelta(days=1))
    assert await Worker(ctx, "w4").fire_due() == 0


async def test_two_workers_record_one_incident_per_failed_attempt(client, ctx, poisoned):
    bad = await _start(client, "inc0")
    poisoned.add(bad)
    healthy = [await _start(client, TENANTS[i % 4]) for i in range(12)]
    ctx.clock.set(DUE)
    done = await asyncio.gather(Worker(ctx, "a").fire_due(), Worker(ctx, "b").fire_due())
    assert sum(done) == 13
    fired = await _fired(ctx)
    assert all(len(fired[i]) == 1 for i in healthy)
    assert len(await _incidents(client, bad)) == 1
    assert await _failures(ctx, bad) == [(1, DUE + timedelta(seconds=10))]



async def test_a_value_the_store_cannot_hold_is_an_incident_not_a_stuck_worker(client, ctx,
                                                                             poisoned):
    bad = await _start(client, "incb")  # after its timer, a script sets x = b"..."
    healthy = await _start(client, "inc1")
    ctx.clock.set(DUE)
    assert await Worker(ctx, "w5").fire_due() == 2
    assert (await _fired(ctx))[healthy] == ["timer:w5"]
    body = await _instance(client, bad)
    # Today the serializer refuses it (TypeError); should scripts refuse it one day, the
    # failing element becomes the script instead of the timer: an incident all the same.
    assert (body["state"], "bytes" in body["error"]) == ("error", True)
    [incident] = await _incidents(client, bad)
    assert (incident["element_id"] in ("wait", "calc"), incident["data"]["attempt"]) == (True, 1)
