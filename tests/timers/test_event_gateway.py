"""An event-based gateway racing a message against a timer: whichever comes first wins,
whether the timer is due when the instance starts or later, fired by the worker."""

from datetime import UTC, datetime

import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.support.api import API, history, start, token
from tools.bpmn_builder import ProcessBuilder

UNIT = token("ua", "gateway", ("unit",))
START = datetime(2026, 3, 2, 1, tzinfo=UTC)


def reply_or_reminder() -> bytes:
    b = ProcessBuilder("inquiry", lanes=[("unit", "单位")], main=True)
    b.start("s")
    b.event_gateway("gw", "答复或超时")
    b.message_catch("reply", "收到答复", message="reply",
                    properties={"senders": "unit", "payload": "text"})
    b.timer_catch("reply_late", "答复超期", duration="@reply_by")
    b.user_task("read_reply", "阅读答复", candidate_groups=["unit"])
    b.user_task("remind", "催办", candidate_groups=["unit"])
    b.end("answered", outcome="answered")
    b.end("reminded", outcome="reminded")
    for source, target in (("s", "gw"), ("gw", "reply"), ("gw", "reply_late"),
                           ("reply", "read_reply"), ("reply_late", "remind"),
                           ("read_reply", "answered"), ("remind", "reminded")):
        b.flow(source, target)
    return b.to_xml()


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "gateway", {"g.bpmn": reply_or_reminder()})).status_code \
        == 201


@pytest.fixture
def clock(ctx):
    ctx.clock.set(START)
    ctx.instances._entries.clear()  # the worker reads rows written by the API, as in production
    return ctx.clock


async def _get(client, instance_id: str) -> dict:
    response = await client.get(f"{API}/process-instances/{instance_id}", headers=UNIT)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_timer_due_at_start_takes_the_timer_branch_at_once(client, clock):
    instance = await start(client, "gateway", UNIT, variables={"reply_by": "2026-02-27"})
    assert [t["key"] for t in instance["ready_tasks"]] == ["remind"]
    late = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                             json={"name": "reply", "payload": {}}, headers=UNIT)
    assert late.status_code == 409  # the race is over: nobody waits for the reply any more


async def test_a_timer_due_later_fires_through_the_worker(client, ctx, clock):
    instance = await start(client, "gateway", UNIT, variables={"reply_by": "2026-03-06"})
    assert instance["ready_tasks"] == []
    worker = Worker(ctx, "test")
    clock.set(datetime(2026, 3, 6, 15, tzinfo=UTC))  # 23:00 on the due day in Shanghai
    assert await worker.fire_due() == 0
    clock.set(datetime(2026, 3, 6, 16, tzinfo=UTC))  # midnight: the deadline has passed
    assert await worker.fire_due() == 1
    body = await _get(client, instance["id"])
    assert (body["state"], [t["key"] for t in body["ready_tasks"]]) == ("running", ["remind"])
    fired = [e for e in await history(client, instance["id"]) if e["event"] == "timer_fired"]
    assert [(e["element_id"], e["actor"]) for e in fired] == [("gw", "timer:test")]
    assert fired[0]["data"]["due_at"] == "2026-03-06T15:59:59.999999Z"
    assert await worker.fire_due() == 0  # fired once


async def test_a_message_first_takes_the_message_branch_and_cancels_the_timer(client, ctx,
                                                                              clock):
    instance = await start(client, "gateway", UNIT, variables={"reply_by": "2026-03-06"})
    response = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 json={"name": "reply", "payload": {"text": "已办"}},
                                 headers=UNIT)
    assert response.status_code == 200, response.text
    assert [t["key"] for t in response.json()["ready_tasks"]] == ["read_reply"]
    assert response.json()["variables"]["text"] == "已办"
    clock.set(datetime(2026, 3, 10, tzinfo=UTC))
    assert await Worker(ctx, "test").fire_due() == 0  # the timer lost the race
    events = [e["event"] for e in await history(client, instance["id"])]
    assert "timer_fired" not in events
    assert [t["key"] for t in (await _get(client, instance["id"]))["ready_tasks"]] \
        == ["read_reply"]
