"""Who works external tasks: a token minted for a worker system, rows claimed under
another transaction's lock are skipped (PostgreSQL), and an instance rebuilt from its rows
still hands out and takes back its external task."""

import asyncio
import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from govflow.auth.tokens import verify

from tests.conftest import deploy
from tests.external.test_external_tasks import (
    ADMIN,
    API,
    BASE,
    TENANT,
    WORKER,
    _start,
    fetch,
    instance,
    payment_process,
    post,
)
from tests.support.api import history


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, {"payment.bpmn": payment_process()})
    assert response.status_code == 201, response.text


def test_the_cli_mints_a_worker_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
    env["GOVFLOW_SECRET_KEY"] = "cli-test-secret-cli-test-secret-cli-test"
    env["GOVFLOW_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "govflow", "token", "create", "--user", "finance-system",
         "--tenant", "ext", "--external-worker"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    principal = verify(env["GOVFLOW_SECRET_KEY"], done.stdout.strip())
    assert (principal.user, principal.tenants, principal.groups, principal.admin) == \
        ("finance-system", ("ext",), ("external-worker",), False)


async def test_a_row_another_transaction_is_claiming_is_skipped_not_waited_for(client, ctx,
                                                                              backend):
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: there is nothing to skip")
    first = await _start(client, "k1")
    second = await _start(client, "k2")
    async with ctx.engine.connect() as conn:
        await conn.execute(sa.text("BEGIN"))
        await conn.execute(sa.text("SELECT id FROM external_tasks WHERE instance_id = :i "
                                   "FOR UPDATE"), {"i": first["id"]})
        got = await fetch(client)  # does not wait for the held row
        await conn.rollback()
    assert [t["process_instance_id"] for t in got] == [second["id"]]
    assert [t["process_instance_id"] for t in await fetch(client, "w2")] == [first["id"]]


async def test_an_instance_rebuilt_from_its_rows_completes_its_external_task(client, ctx):
    started = await _start(client)
    ctx.instances.discard(started["id"])
    [task] = await fetch(client)
    ctx.instances.discard(started["id"])
    response = await post(client, task["id"], "complete",
                          {"worker_id": "w1", "variables": {"paid_on": "2026-03-02"}})
    assert response.status_code == 204, response.text
    assert (await instance(client, started["id"]))["variables"]["paid_on"] == "2026-03-02"


async def test_resuming_an_instance_gives_its_failed_task_another_try(client):
    started = await _start(client)
    [task] = await fetch(client)
    await post(client, task["id"], "failure",
               {"worker_id": "w1", "error_message": "down", "retries": 0})
    assert await fetch(client) == []
    response = await client.post(f"{API}/process-instances/{started['id']}/resume",
                                 headers=ADMIN)
    assert response.status_code == 200, response.text
    assert (await history(client, started["id"]))[-1]["event"] == "instance_resumed"
    [again] = await fetch(client)
    assert (again["id"], again["retries"]) == (task["id"], 1)
    one = (await client.get(f"{BASE}/{task['id']}", headers=WORKER)).json()
    assert (one["locked"], one["error_message"]) == (True, "down")


async def test_a_long_polling_fetch_returns_as_soon_as_a_task_appears(client):
    body = {"worker_id": "w1", "max_tasks": 1, "async_response_timeout": 20_000,
            "topics": [{"topic_name": "payment", "lock_duration": 60_000}]}
    polling = asyncio.create_task(client.post(f"{BASE}/fetch-and-lock", json=body,
                                              headers=WORKER))
    await asyncio.sleep(0.3)
    assert not polling.done()
    started = time.monotonic()
    created = await _start(client)
    response = await asyncio.wait_for(polling, 10)
    assert response.status_code == 200, response.text
    assert [t["process_instance_id"] for t in response.json()] == [created["id"]]
    assert time.monotonic() - started < 5  # woken, not the 20 s timeout


async def test_a_long_polling_fetch_with_nothing_to_do_answers_empty_after_its_timeout(client):
    body = {"worker_id": "w1", "max_tasks": 1, "async_response_timeout": 300,
            "topics": [{"topic_name": "payment", "lock_duration": 60_000}]}
    started = time.monotonic()
    response = await client.post(f"{BASE}/fetch-and-lock", json=body, headers=WORKER)
    assert (response.status_code, response.json()) == (200, [])
    assert 0.3 <= time.monotonic() - started < 5
    body["async_response_timeout"] = 60_001
    too_long = await client.post(f"{BASE}/fetch-and-lock", json=body, headers=WORKER)
    assert too_long.status_code == 422
