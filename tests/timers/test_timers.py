"""Due dates on tasks, boundary and intermediate timers fired by the worker as the clock moves."""

from datetime import UTC, datetime, timedelta

import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, history, ready, start, token
from tools.bpmn_builder import ProcessBuilder

HUB = token("ha", "clock", ("hub",))
UNIT = token("ua", "clock", ("unit",))
SHANGHAI_0928 = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


def reviewed_with_deadline() -> bytes:
    b = ProcessBuilder("project", lanes=[("unit", "单位"), ("hub", "数据局")], main=True)
    b.start("s", lane="unit")
    b.user_task("initial_review", "初审", lane="hub", candidate_groups=["hub"], due="10WD",
                clause="河源 第十一条(四)")
    b.boundary_timer("review_overdue", "初审超期", attached_to="initial_review",
                     duration="10WD", cancel=False)
    b.user_task("escalation", "督办", lane="hub", candidate_groups=["hub"])
    b.timer_catch("trial_run", "试运行三个月", lane="unit", duration="P3M")
    b.user_task("initial_acceptance", "初步验收", lane="unit", candidate_groups=["unit"])
    b.end("done", lane="unit", outcome="accepted")
    b.end("escalated", lane="hub")
    for source, target in (("s", "initial_review"), ("initial_review", "trial_run"),
                           ("trial_run", "initial_acceptance"), ("initial_acceptance", "done"),
                           ("review_overdue", "escalation"), ("escalation", "escalated")):
        b.flow(source, target)
    return b.to_xml()


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "clock", {"p.bpmn": reviewed_with_deadline()})).status_code \
        == 201


@pytest.fixture
def clock(ctx):
    ctx.clock.set(SHANGHAI_0928)
    return ctx.clock


async def test_task_due_date_counts_working_days_across_national_day(client, clock):
    instance = await start(client, "clock", UNIT)
    task = ready(instance, "initial_review")
    # 2026-09-28 + 10 working days: Sep 29, 30, Oct 9, 10 (make-up Saturday), 12..16.
    assert task["due_at"] == "2026-10-16T15:59:59.999999Z"
    assert task["due_estimated"] is False


async def test_overdue_and_due_before_filters_and_due_sort(client, clock):
    instance = await start(client, "clock", UNIT, business_key="OVERDUE")
    task = ready(instance, "initial_review")
    query = {"process_instance_id": instance["id"], "overdue": "true"}
    assert (await client.get(f"{API}/tasks", params=query, headers=HUB)).json()["items"] == []
    clock.set(datetime(2026, 10, 17, 1, tzinfo=UTC))
    overdue = (await client.get(f"{API}/tasks", params=query, headers=HUB)).json()["items"]
    assert [t["id"] for t in overdue] == [task["id"]]
    before = (await client.get(f"{API}/tasks", headers=HUB, params={
        "due_before": "2026-10-17T00:00:00Z", "key": "initial_review", "sort": "due_at"})).json()
    assert task["id"] in [t["id"] for t in before["items"]]
    dues = [t["due_at"] for t in before["items"]]
    assert dues == sorted(dues)


async def test_boundary_timer_escalates_when_the_deadline_passes(client, ctx, clock):
    instance = await start(client, "clock", UNIT, business_key="ESCALATE")
    worker = Worker(ctx, "test")
    clock.set(datetime(2026, 10, 16, 15, 59, tzinfo=UTC))
    await worker.fire_due()
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)).json()
    assert [t["key"] for t in body["ready_tasks"]] == ["initial_review"]
    clock.set(datetime(2026, 10, 16, 16, 0, tzinfo=UTC))  # 00:00 on Oct 17 in Shanghai
    assert await worker.fire_due() >= 1
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)).json()
    assert sorted(t["key"] for t in body["ready_tasks"]) == ["escalation", "initial_review"]
    fired = [e for e in await history(client, instance["id"]) if e["event"] == "deadline_passed"]
    assert [(e["element_id"], e["actor"]) for e in fired] == [("review_overdue", "timer:test")]
    assert fired[0]["data"]["due_at"].startswith("2026-10-16T15:59:59")
    assert await worker.fire_due() == 0  # fired once, not again


async def test_intermediate_timer_waits_three_months(client, ctx, clock):
    instance = await start(client, "clock", UNIT, business_key="TRIAL")
    instance = await complete(client, instance, "initial_review", {}, HUB)
    assert instance["ready_tasks"] == []
    worker = Worker(ctx, "test")
    clock.set(datetime(2026, 12, 28, 15, tzinfo=UTC))
    await worker.fire_due()
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)).json()
    assert body["ready_tasks"] == []
    clock.set(datetime(2026, 12, 28, 16, tzinfo=UTC) + timedelta(seconds=1))
    await worker.fire_due()
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)).json()
    assert [t["key"] for t in body["ready_tasks"]] == ["initial_acceptance"]


async def test_cancelled_boundary_timer_never_fires(client, ctx, clock):
    instance = await start(client, "clock", UNIT, business_key="ONTIME")
    await complete(client, instance, "initial_review", {}, HUB)
    clock.set(datetime(2026, 10, 20, tzinfo=UTC))
    await Worker(ctx, "test").fire_due()
    events = [e["event"] for e in await history(client, instance["id"])]
    assert "deadline_passed" not in events


async def test_a_running_worker_fires_a_timer_that_falls_due_while_it_runs(client, ctx, clock):
    import asyncio

    instance = await start(client, "clock", UNIT, business_key="PROMPT")
    stop = asyncio.Event()
    loop = asyncio.create_task(Worker(ctx, "loop", poll_seconds=0.01).run(stop))
    try:
        await asyncio.sleep(0.05)  # let it poll while nothing is due
        clock.set(datetime(2026, 10, 17, tzinfo=UTC))  # the deadline passes now
        moved = False
        # A bound, not a speed check: a worker that never fires fails here, not by hanging.
        async with asyncio.timeout(60):
            while not moved:
                await asyncio.sleep(0.01)
                body = (await client.get(f"{API}/process-instances/{instance['id']}",
                                         headers=HUB)).json()
                moved = "escalation" in [t["key"] for t in body["ready_tasks"]]
        fired = [e for e in await history(client, instance["id"]) if e["event"] == "deadline_passed"]
        assert [e["actor"] for e in fired] == ["timer:loop"]
    finally:
        stop.set()
        await loop


async def test_an_escalation_branch_does_not_leak_into_the_instance_variables(client, ctx, clock):
    instance = await start(client, "clock", UNIT, business_key="LEAK",
                           variables={"project_name": "档案"})
    clock.set(datetime(2026, 10, 17, tzinfo=UTC))
    await Worker(ctx, "test").fire_due()
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)).json()
    after = await complete(client, body, "escalation", {"measure": "urge"}, HUB)
    assert after["variables"] == {"project_name": "档案"}
    assert [t["key"] for t in after["ready_tasks"]] == ["initial_review"]


async def test_a_timer_whose_step_fails_puts_the_instance_in_error_until_resumed(client, ctx,
                                                                                 clock):
    b = ProcessBuilder("broken", lanes=[("unit", "单位")], main=True)
    b.start("s")
    b.timer_catch("wait", "等待", duration="P1D")
    b.script_task("calc", "计算", script="x = missing + 1")
    b.end("e")
    for source, target in (("s", "wait"), ("wait", "calc"), ("calc", "e")):
        b.flow(source, target)
    assert (await deploy(client, "broken", {"b.bpmn": b.to_xml()})).status_code == 201
    headers = token("ub", "broken", ("unit",))
    instance = await start(client, "broken", headers)
    clock.set(datetime(2026, 10, 20, tzinfo=UTC))
    assert await Worker(ctx, "test").fire_due() == 1
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=headers)).json()
    assert body["state"] == "error"
    assert "calc" in body["error"]
    incident = [e for e in await history(client, instance["id"]) if e["event"] == "incident"]
    assert [(e["actor"], "calc" in e["data"]["error"]) for e in incident] == [("timer:test", True)]
    assert await Worker(ctx, "test").fire_due() == 0  # not again before its back-off
    resumed = await client.post(f"{API}/process-instances/{instance['id']}/resume",
                                headers=ADMIN)
    assert (resumed.json()["state"], resumed.json()["error"]) == ("running", None)
    assert await Worker(ctx, "test").fire_due() == 1  # retried; the diagram still fails
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=headers)).json()
    assert body["state"] == "error"
