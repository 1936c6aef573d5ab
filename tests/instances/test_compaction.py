"""An instance that ended keeps no engine rows, and everything a user reads of it still
answers: the instance, its history, its tasks, its diagram with what was done marked."""

import pytest
import sqlalchemy as sa
from lxml import etree

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, history, start, token
from tests.support.sample import linear

UNIT = token("ua", "compact", ("unit",))


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "compact", {"linear.bpmn": linear(3)})).status_code == 201


async def engine_rows(ctx, instance_id: str) -> int:
    async with ctx.engine.connect() as conn:
        return (await conn.execute(sa.text(
            "SELECT count(*) FROM engine_rows WHERE instance_id = :i"), {"i": instance_id})
        ).scalar_one()


async def test_a_completed_instance_keeps_no_engine_rows_and_reads_as_before(client, ctx):
    instance = await start(client, "compact", UNIT, business_key="C1")
    for key in ("t0", "t1"):
        instance = await complete(client, instance, key, {"opinion": key}, UNIT)
    assert await engine_rows(ctx, instance["id"]) > 0  # running: resumable from its rows
    ctx.instances._entries.clear()  # the last step loads it from its rows
    done = await complete(client, instance, "t2", {"opinion": "t2"}, UNIT)
    assert done["state"] == "completed"
    assert await engine_rows(ctx, instance["id"]) == 0

    ctx.instances._entries.clear()
    read = (await client.get(f"{API}/process-instances/{instance['id']}", headers=UNIT)).json()
    assert (read["state"], read["ready_tasks"]) == ("completed", [])
    assert read["variables"]["opinion"] == "t2"
    events = [e["event"] for e in await history(client, instance["id"])]
    assert events.count("task_completed") == 3
    assert events[-1] == "instance_completed"
    tasks = (await client.get(f"{API}/tasks", params={"process_instance_id": instance["id"]},
                              headers=UNIT)).json()["items"]
    assert sorted((t["key"], t["state"]) for t in tasks) == [
        ("t0", "completed"), ("t1", "completed"), ("t2", "completed")]
    svg = await client.get(f"{API}/process-instances/{instance['id']}/svg", headers=UNIT)
    assert svg.status_code == 200
    marks = {g.get("data-element-id"): g.get("class").split()
             for g in etree.fromstring(svg.content).iter("{*}g") if g.get("data-element-id")}
    for key in ("t0", "t1", "t2"):
        assert "completed" in marks[key]
        assert "active" not in marks[key]
    # A finished instance takes no more steps: a refusal, not a failure to load.
    again = await client.post(f"{API}/tasks/{tasks[0]['id']}/complete",
                              json={"variables": {}}, headers=UNIT)
    assert again.status_code == 409
    suspend = await client.post(f"{API}/process-instances/{instance['id']}/suspend",
                                headers=ADMIN)
    assert suspend.status_code == 409


async def test_a_terminated_instance_keeps_no_engine_rows(client, ctx):
    instance = await start(client, "compact", UNIT, business_key="C2")
    ctx.instances._entries.clear()
    ended = await client.post(f"{API}/process-instances/{instance['id']}/terminate",
                              json={"reason": "withdrawn"}, headers=ADMIN)
    assert ended.status_code == 200, ended.text
    assert ended.json()["state"] == "terminated"
    assert await engine_rows(ctx, instance["id"]) == 0
    tasks = (await client.get(f"{API}/tasks", params={"process_instance_id": instance["id"]},
                              headers=UNIT)).json()["items"]
    assert [(t["key"], t["state"]) for t in tasks] == [("t0", "cancelled")]
    svg = await client.get(f"{API}/process-instances/{instance['id']}/svg", headers=UNIT)
    assert svg.status_code == 200
