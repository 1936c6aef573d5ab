"""The deploy/ topology as processes, under load and under SIGKILL: nginx in front of two
`govflow serve` replicas and two `govflow worker` processes on one PostgreSQL database.

Concurrent clients start instances and complete their tasks through the proxy while one
replica and one worker are killed with SIGKILL and restarted. Afterwards every completion
a client was told succeeded is in the database, no task was completed twice, every due
timer fired exactly once, and the killed replica's /readyz did not answer while it was down.
Runs when nginx and GOVFLOW_TEST_POSTGRES_URL are there; in CI (CI set) it must run."""

import asyncio
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from govflow.commands import UnitOfWork
from govflow.main import build_context
from govflow.settings import Settings
from govflow.store.clock import FrozenClock

from deploy.local_topology import Topology, http_status
from tests.conftest import SECRET, token
from tests.support.pgdb import fresh_database
from tests.support.sample import linear, waits_a_day

POSTGRES_URL = os.environ.get("GOVFLOW_TEST_POSTGRES_URL")
MISSING = [what for what, there in (("nginx", shutil.which("nginx") or
                                     Path("/usr/sbin/nginx").exists()),
                                    ("GOVFLOW_TEST_POSTGRES_URL", POSTGRES_URL)) if not there]
if MISSING and os.environ.get("CI"):
    raise RuntimeError(f"the topology test must run in CI; missing: {MISSING}")
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {MISSING}")

CLIENTS = 8
INSTANCES_PER_CLIENT = 5
TASKS = 4               # per instance: 8 x 5 x 4 = 160 completions
TIMERS = (40, 120)      # due timers added before the run, and just before a worker is killed
BUDGET = 90             # seconds for the whole run, start-up included
ADMIN = token("root", ("*",), ("admin",), admin=True)
UNIT = token("clerk", ("topo",), ("unit",))
RETRYABLE = (502, 503, 504)


class Run:
    """What the clients were told: the completions acknowledged with 200."""

    def __init__(self) -> None:
        self.acknowledged: list[str] = []
        self.retries = 0
        self.deadline = time.monotonic() + BUDGET

    async def send(self, client: httpx.AsyncClient, method: str, url: str,
                   **kwargs: object) -> httpx.Response:
        """Retry what the proxy could not deliver (a replica died under it)."""
        while True:
            assert time.monotonic() < self.deadline, "the run took longer than its budget"
            try:
                response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code not in RETRYABLE:
                return response
            self.retries += 1
            await asyncio.sleep(0.05)

    async def until(self, condition: Callable[[], bool], clients: list[asyncio.Task]) -> None:
        """Wait for the load to reach a point; a failed client or the budget ends the wait."""
        while not condition() and not all(c.done() for c in clients):
            for failed in (c for c in clients if c.done() and c.exception()):
                raise failed.exception()  # type: ignore[misc]
            assert time.monotonic() < self.deadline, "the run took longer than its budget"
            await asyncio.sleep(0.02)

    async def client(self, http: httpx.AsyncClient) -> None:
        for _ in range(INSTANCES_PER_CLIENT):
            started = await self.send(http, "POST", "/api/v1/tenants/topo/process-instances",
                                      json={}, headers=UNIT)
            assert started.status_code == 201, started.text
            instance = started.json()
            while instance["ready_tasks"]:
                task = instance["ready_tasks"][0]
                done = await self.send(http, "POST", f"/api/v1/tasks/{task['id']}/complete",
                                       json={"variables": {}}, headers=UNIT)
                if done.status_code == 200:
                    self.acknowledged.append(task["id"])
                    instance = done.json()
                    continue
                # 409: a retry of a completion that had committed before its replica died.
                assert done.status_code == 409, done.text
                got = await self.send(http, "GET", f"/api/v1/process-instances/{instance['id']}",
                                      headers=UNIT)
                instance = got.json()


async def start_due_timers(ctx, set_id: int, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Instances waiting on one-day timers started ten days ago: due now, in real time."""
    ids = []
    async with ctx.sessions() as session:
        for _ in range(n):
            async with UnitOfWork(ctx, session) as uow:
                ids.append((await uow.start("topot", set_id, "wait", None, {}, "test"))[0])
                await uow.commit()
    return ids


async def scalar_rows(ctx, sql: str) -> list:  # type: ignore[no-untyped-def]
    async with ctx.engine.connect() as conn:
        return list((await conn.execute(sa.text(sql))).all())


def test_replica_and_worker_killed_under_load_lose_and_double_nothing(tmp_path: Path) -> None:
    with fresh_database(POSTGRES_URL, "govflow_topo") as url:  # type: ignore[arg-type]
        asyncio.run(scenario(url, tmp_path))


async def scenario(url: str, tmp_path: Path) -> None:
    run = Run()
    topology = Topology(url, SECRET, tmp_path / "topology",
                        extra_env={"GOVFLOW_LOG_LEVEL": "warning"})
    ctx = build_context(Settings(database_url=url, secret_key=SECRET),
                        FrozenClock(datetime.now(UTC) - timedelta(days=10)))
    try:
        await asyncio.to_thread(topology.start)
        limits = httpx.Limits(max_connections=CLIENTS)
        async with httpx.AsyncClient(base_url=topology.url, timeout=30,
                                     limits=limits) as http:
            for tenant, name, content in (("topo", "linear.bpmn", linear(TASKS)),
                                          ("topot", "wait.bpmn", waits_a_day())):
                await run.send(http, "PUT", f"/api/v1/tenants/{tenant}", json={"name": tenant},
                               headers=ADMIN)
                uploaded = await run.send(http, "POST", f"/api/v1/tenants/{tenant}/diagram-sets",
                                          files=[("files", (name, content))], headers=ADMIN)
                assert uploaded.status_code == 201, uploaded.text
            timer_set = uploaded.json()["id"]
            timers = await start_due_timers(ctx, timer_set, TIMERS[0])

            clients = [asyncio.create_task(run.client(http)) for _ in range(CLIENTS)]
            await run.until(lambda: len(run.acknowledged) >= 40, clients)
            # Mid-run: a batch of timers comes due and one worker dies while firing;
            # one replica dies with requests in flight.
            timers += await start_due_timers(ctx, timer_set, TIMERS[1])
            topology.kill("worker-1")
            topology.kill("api-1")
            killed_at = len(run.acknowledged)
            assert await asyncio.to_thread(http_status, f"{topology.replica_url(0)}/readyz") \
                == 0
            await run.until(lambda: len(run.acknowledged) >= killed_at + 40, clients)
            down_readyz = await asyncio.to_thread(http_status,
                                                  f"{topology.replica_url(0)}/readyz")
            topology.start_replica(0)
            topology.start_worker(0)
            await asyncio.gather(*clients)
            await asyncio.to_thread(topology.wait_ready, max(5, run.deadline - time.monotonic()))

        while (await scalar_rows(ctx, "SELECT count(*) FROM timers"))[0][0]:
            assert time.monotonic() < run.deadline, "due timers left unfired"
            await asyncio.sleep(0.2)

        completed = dict(await scalar_rows(
            ctx, "SELECT task_id, count(*) FROM history WHERE event = 'task_completed' "
                 "GROUP BY task_id"))
        states = dict(await scalar_rows(ctx, "SELECT id, state FROM tasks "
                                             "WHERE tenant_id = 'topo'"))
        fired = dict(await scalar_rows(
            ctx, "SELECT instance_id, count(*) FROM history WHERE event = 'timer_fired' "
                 "GROUP BY instance_id"))
        finished = (await scalar_rows(
            ctx, "SELECT count(*) FROM process_instances WHERE tenant_id = 'topo' "
                 "AND state = 'completed'"))[0][0]
    finally:
        topology.stop()
        await ctx.engine.dispose()

    assert down_readyz == 0  # the dead replica does not claim to be ready
    assert len(run.acknowledged) == len(set(run.acknowledged))
    assert all(states[task] == "completed" for task in run.acknowledged)
    assert set(completed.values()) == {1}  # no task completed twice
    assert set(run.acknowledged) <= set(completed)
    assert finished >= CLIENTS * INSTANCES_PER_CLIENT
    assert sorted(fired) == sorted(timers)
    assert set(fired.values()) == {1}  # every due timer fired exactly once
