"""GET /api/v1/events/stream: a front end learns of new work without polling."""

import asyncio

import pytest

from tests.conftest import ADMIN, app_for, deploy, token
from tests.support.api import API, start
from tests.support.sample import linear
from tests.support.sse import EventReader, streaming_client

UNIT = token("ua", "demo", ("unit",))
STREAM = f"{API}/events/stream"


@pytest.fixture
async def sse(ctx):
    async with streaming_client(app_for(ctx)) as c:
        yield c


async def _deployed(client, *tenants):
    for tenant in tenants:
        assert (await deploy(client, tenant, {"linear.bpmn": linear(2)})).status_code == 201


async def test_a_completion_reaches_an_open_stream(client, sse):
    await _deployed(client, "demo")
    instance = await start(client, "demo", UNIT)
    async with sse.stream("GET", STREAM, headers=UNIT) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = EventReader(response)
        task = instance["ready_tasks"][0]
        done = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {}})
        assert done.status_code == 200, done.text
        events = await reader.next(2)
    assert [e["event"] for e in events] == ["task_completed", "task_created"]
    assert events[0]["data"]["task_id"] == task["id"]
    assert {e["data"]["instance_id"] for e in events} == {instance["id"]}
    assert events[0]["data"]["actor"] == "ua"
    assert int(events[0]["id"]) < int(events[1]["id"])
    assert "variables" not in events[0]["data"]


async def test_another_tenants_events_never_reach_a_stream(client, sse):
    await _deployed(client, "demo", "other")
    async with sse.stream("GET", STREAM, headers=UNIT) as response:
        reader = EventReader(response)
        foreign = await start(client, "other", ADMIN)
        await start(client, "other", ADMIN)
        own = await start(client, "demo", UNIT)
        events = await reader.next(2)
    assert [e["event"] for e in events] == ["instance_started", "task_created"]
    assert {e["data"]["tenant_id"] for e in events} == {"demo"}
    assert {e["data"]["instance_id"] for e in events} == {own["id"]} != {foreign["id"]}


async def test_last_event_id_replays_what_was_missed(client, sse):
    await _deployed(client, "demo")
    async with sse.stream("GET", STREAM, headers=UNIT) as response:
        reader = EventReader(response)
        first = await start(client, "demo", UNIT)
        seen = await reader.next(1)
    assert seen[0]["event"] == "instance_started"
    # Disconnected: another instance starts and a task completes meanwhile.
    second = await start(client, "demo", UNIT)
    task = first["ready_tasks"][0]
    assert (await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                              json={"variables": {}})).status_code == 200
    async with sse.stream("GET", STREAM, headers={**UNIT, "Last-Event-ID": seen[0]["id"]}
                          ) as response:
        replayed = await EventReader(response).next(5)
    assert [(e["event"], e["data"]["instance_id"]) for e in replayed] == [
        ("task_created", first["id"]), ("instance_started", second["id"]),
        ("task_created", second["id"]), ("task_completed", first["id"]),
        ("task_created", first["id"])]
    assert [int(e["id"]) for e in replayed] == sorted(int(e["id"]) for e in replayed)


async def test_kinds_filter_the_stream(client, sse):
    await _deployed(client, "demo")
    async with sse.stream("GET", STREAM, params={"kinds": "task_created"},
                          headers=UNIT) as response:
        reader = EventReader(response)
        await start(client, "demo", UNIT)
        await start(client, "demo", UNIT)
        events = await reader.next(2)
    assert [e["event"] for e in events] == ["task_created", "task_created"]


async def test_a_resume_too_far_back_says_resync(ctx, client, sse):
    await _deployed(client, "demo")
    ctx.settings.events_replay_limit = 2
    for _ in range(2):
        await start(client, "demo", UNIT)
    async with sse.stream("GET", STREAM, headers={**UNIT, "Last-Event-ID": "0"}) as response:
        reader = EventReader(response)
        first = await reader.next(1)
        own = await start(client, "demo", UNIT)
        after = await reader.next(1)
    assert first[0]["event"] == "resync"
    assert after[0]["data"]["instance_id"] == own["id"]


async def test_refusals(ctx, client, sse):
    unauthenticated = await client.get(STREAM)
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "auth.token_missing"
    bad_id = await client.get(STREAM, headers={**UNIT, "Last-Event-ID": "abc"})
    assert (bad_id.status_code, bad_id.json()["code"]) == (422, "events.last_event_id_invalid")
    bad_kind = await client.get(STREAM, params={"kinds": "task_created,nope"}, headers=UNIT)
    assert (bad_kind.status_code, bad_kind.json()["code"]) == (422, "events.kinds_invalid")
    assert "nope" in bad_kind.json()["detail"]


async def test_streams_per_user_are_bounded(ctx, sse):
    ctx.settings.events_streams_per_user = 1
    async with sse.stream("GET", STREAM, headers=UNIT) as response:
        assert response.status_code == 200
        second = await sse.get(STREAM, headers=UNIT)
        assert (second.status_code, second.json()["code"]) == (429, "events.too_many_streams")
        other_user = token("ub", "demo", ("unit",))
        async with sse.stream("GET", STREAM, headers=other_user) as theirs:
            assert theirs.status_code == 200
    # Closed: the slot is free again.
    async with sse.stream("GET", STREAM, headers=UNIT) as again:
        assert again.status_code == 200


async def test_a_stream_holds_no_connection_while_idle(ctx, sse):
    ctx.settings.events_poll_seconds = 5  # after its first poll, the stream waits
    async with sse.stream("GET", STREAM, headers=UNIT) as response:
        assert response.status_code == 200
        await asyncio.sleep(0.5)
        assert ctx.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
