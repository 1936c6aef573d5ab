"""Exact ISO 8601 timers over REST: durations with hours and minutes, date-times, and
repeating cycles on a non-interrupting boundary event (a reminder while a task waits).

The START clock is 2026-03-02 09:00 UTC (17:00 in Shanghai); tests walk it forward and let
the worker fire what is due."""

from datetime import timedelta

import pytest
from govflow.timers.worker import Worker

from tests.conftest import START, deploy
from tests.support.api import API, complete, history, start, token
from tools.bpmn_builder import ProcessBuilder

UNIT = token("ui", "iso", ("unit",))


def waits_for_review(boundary: str, kind: str = "timeDuration", cancel: bool = False) -> bytes:
    """A review with a timer on its boundary leading to a reminder (an urge task)."""
    b = ProcessBuilder("review", lanes=[("unit", "单位")], main=True)
    b.start("s")
    b.user_task("review", "审核", candidate_groups=["unit"])
    b.boundary_timer("remind", "催办", attached_to="review", duration=boundary, kind=kind,
                     cancel=cancel)
    b.manual_task("urge", "督办", candidate_groups=["unit"])
    b.end("done", outcome="reviewed")
    b.end("urged")
    for source, target in (("s", "review"), ("review", "done"), ("remind", "urge"),
                           ("urge", "urged")):
        b.flow(source, target)
    return b.to_xml()


def waits_at(value: str, kind: str, *, start_timer: bool = False) -> bytes:
    b = ProcessBuilder("wait", lanes=[("unit", "单位")], main=True)
    if start_timer:
        b.start("s", timer=value, timer_kind=kind)
        first = "s"
    else:
        b.start("s")
        b.timer_catch("pause", "等待", duration=value, kind=kind)
        b.flow("s", "pause")
        first = "pause"
    b.user_task("act", "办理", candidate_groups=["unit"])
    b.end("e")
    b.flow(first, "act")
    b.flow("act", "e")
    return b.to_xml()


async def _instance(client, instance_id: str) -> dict:
    return (await client.get(f"{API}/process-instances/{instance_id}", headers=UNIT)).json()


async def _keys(client, instance_id: str) -> list[str]:
    return sorted(t["key"] for t in (await _instance(client, instance_id))["ready_tasks"])


async def _timers_of(ctx, instance_id: str) -> list:
    import sqlalchemy as sa
    from govflow.store.tables import timers

    async with ctx.engine.connect() as conn:
        return (await conn.execute(sa.select(timers.c.due_at).where(
            timers.c.instance_id == instance_id))).scalars().all()


async def test_a_boundary_pt2h_fires_at_two_hours_not_before(client, ctx):
    assert (await deploy(client, "iso", {"r.bpmn": waits_for_review("PT2H")})).status_code \
        == 201
    instance = await start(client, "iso", UNIT)
    [due] = await _timers_of(ctx, instance["id"])
    assert due.replace(tzinfo=None) == (START + timedelta(hours=2)).replace(tzinfo=None)
    worker = Worker(ctx, "test")
    for minutes in (30, 60, 119):
        ctx.clock.set(START + timedelta(minutes=minutes))
        assert await worker.fire_due() == 0
        assert await _keys(client, instance["id"]) == ["review"]
    ctx.clock.set(START + timedelta(hours=2, seconds=1))
    assert await worker.fire_due() == 1
    assert await _keys(client, instance["id"]) == ["review", "urge"]
    fired = [e for e in await history(client, instance["id"]) if e["event"] == "deadline_passed"]
    assert [(e["element_id"], e["data"]["due_at"]) for e in fired] == [
        ("remind", "2026-03-02T11:00:00Z")]
    ctx.clock.set(START + timedelta(days=3))
    assert await worker.fire_due() == 0  # once, not again


@pytest.mark.parametrize(("value", "hours"), [("PT10M", 1 / 6), ("P1DT12H", 36)])
async def test_durations_with_time_parts_are_exact_elapsed_time(client, ctx, value, hours):
    assert (await deploy(client, "iso", {"w.bpmn": waits_at(value, "timeDuration")})
            ).status_code == 201
    instance = await start(client, "iso", UNIT)
    worker = Worker(ctx, "test")
    ctx.clock.set(START + timedelta(hours=hours) - timedelta(seconds=1))
    assert await worker.fire_due() == 0
    ctx.clock.set(START + timedelta(hours=hours, seconds=1))
    assert await worker.fire_due() == 1
    assert await _keys(client, instance["id"]) == ["act"]


async def test_a_cycle_of_three_fires_three_times_while_the_task_waits(client, ctx):
    assert (await deploy(client, "iso", {"r.bpmn": waits_for_review("R3/PT1H", "timeCycle")})
            ).status_code == 201
    instance = await start(client, "iso", UNIT)
    worker = Worker(ctx, "test")
    fired_at = []
    for minutes in range(0, 6 * 60, 15):  # walk six hours, a quarter at a time
        ctx.clock.set(START + timedelta(minutes=minutes, seconds=1))
        if await worker.fire_due():
            fired_at.append(minutes)
    assert fired_at == [60, 120, 180]
    events = [e for e in await history(client, instance["id"]) if e["event"] == "timer_fired"]
    assert [(e["element_id"], e["data"]["occurrence"], e["data"]["due_at"]) for e in events] == [
        ("remind", 1, "2026-03-02T10:00:00Z"), ("remind", 2, "2026-03-02T11:00:00Z"),
        ("remind", 3, "2026-03-02T12:00:00Z")]
    body = await _instance(client, instance["id"])
    assert [t["key"] for t in body["ready_tasks"]].count("urge") == 3
    assert await _timers_of(ctx, instance["id"]) == []  # spent: no row left


async def test_an_unbounded_reminder_stops_when_the_task_completes(client, ctx):
    assert (await deploy(client, "iso", {"r.bpmn": waits_for_review("R/PT1H", "timeCycle")})
            ).status_code == 201
    instance = await start(client, "iso", UNIT)
    worker = Worker(ctx, "test")
    for hour in (1, 2):
        ctx.instances.discard(instance["id"])  # rebuilt from its rows: the cycle's state too
        ctx.clock.set(START + timedelta(hours=hour, seconds=1))
        assert await worker.fire_due() == 1
    # The worker was down for five hours: one reminder, not five.
    ctx.clock.set(START + timedelta(hours=7, seconds=1))
    assert await worker.fire_due() == 1
    assert await worker.fire_due() == 0
    [due] = await _timers_of(ctx, instance["id"])
    assert due.replace(tzinfo=None) == (START + timedelta(hours=8)).replace(tzinfo=None)
    body = await complete(client, await _instance(client, instance["id"]), "review", {}, UNIT)
    assert await _timers_of(ctx, instance["id"]) == []
    urges = (await client.get(f"{API}/tasks", headers=UNIT, params={
        "process_instance_id": instance["id"], "key": "urge"})).json()["items"]
    assert sorted(t["state"] for t in urges) == ["cancelled"] * 3  # reminders end with it
    ctx.clock.set(START + timedelta(hours=20))
    assert await worker.fire_due() == 0
    events = [e["event"] for e in await history(client, body["id"])]
    assert events.count("timer_fired") == 3


async def test_a_cycle_may_name_its_first_moment(client, ctx):
    cycle = "R2/2026-03-03T09:00:00+08:00/PT30M"
    assert (await deploy(client, "iso", {"r.bpmn": waits_for_review(cycle, "timeCycle")})
            ).status_code == 201
    instance = await start(client, "iso", UNIT)
    worker = Worker(ctx, "test")
    first = START + timedelta(hours=16)  # 2026-03-03 01:00 UTC
    ctx.clock.set(first - timedelta(seconds=1))
    assert await worker.fire_due() == 0
    ctx.clock.set(first + timedelta(seconds=1))
    assert await worker.fire_due() == 1
    ctx.clock.set(first + timedelta(minutes=30, seconds=1))
    assert await worker.fire_due() == 1
    ctx.clock.set(first + timedelta(days=1))
    assert await worker.fire_due() == 0
    assert (await _keys(client, instance["id"])).count("urge") == 2


@pytest.mark.parametrize("start_timer", [False, True], ids=["catch", "start"])
@pytest.mark.parametrize(("value", "at"), [
    ("2026-03-05T09:30:00+08:00", START + timedelta(days=3, hours=-8, minutes=30)),
    ("2026-03-05T09:30:00", START + timedelta(days=3, hours=-8, minutes=30)),  # +08:00
    ("2026-03-05T01:30:00Z", START + timedelta(days=3, hours=-8, minutes=30)),
])
async def test_a_date_time_waits_until_that_moment(client, ctx, value, at, start_timer):
    assert (await deploy(client, "iso", {"w.bpmn": waits_at(value, "timeDate",
                                                            start_timer=start_timer)})
            ).status_code == 201
    instance = await start(client, "iso", UNIT)
    assert instance["ready_tasks"] == []
    worker = Worker(ctx, "test")
    ctx.clock.set(at - timedelta(seconds=1))
    assert await worker.fire_due() == 0
    ctx.clock.set(at + timedelta(seconds=1))
    assert await worker.fire_due() == 1
    assert await _keys(client, instance["id"]) == ["act"]


async def test_a_date_time_already_past_does_not_wait(client, ctx):
    files = {"w.bpmn": waits_at("2026-01-01T00:00:00+08:00", "timeDate")}
    assert (await deploy(client, "iso", files)).status_code == 201
    instance = await start(client, "iso", UNIT)
    assert [t["key"] for t in instance["ready_tasks"]] == ["act"]


async def test_the_legal_day_notation_still_counts_days(client, ctx):
    # P1D stays a legal period: the end of the next day in Shanghai, not 24 hours.
    assert (await deploy(client, "iso", {"w.bpmn": waits_at("P1D", "timeDuration")})
            ).status_code == 201
    instance = await start(client, "iso", UNIT)
    [due] = await _timers_of(ctx, instance["id"])
    assert due.replace(tzinfo=None).isoformat().startswith("2026-03-03T15:59:59")


@pytest.mark.parametrize(("files", "element", "words"), [
    ({"w.bpmn": waits_at("PT2X", "timeDuration")}, "pause", "'PT2X'"),
    ({"w.bpmn": waits_at("PT0M", "timeDuration")}, "pause", "longer than zero"),
    ({"w.bpmn": waits_at("2026-13-01T09:00:00+08:00", "timeDate")}, "pause",
     "'2026-13-01T09:00:00+08:00'"),
    ({"w.bpmn": waits_at("R3/PT1H", "timeCycle")}, "pause", "non-interrupting boundary"),
    ({"r.bpmn": waits_for_review("R3/PT1H", "timeCycle", cancel=True)}, "remind",
     "non-interrupting boundary"),
    ({"r.bpmn": waits_for_review("R0/PT1H", "timeCycle")}, "remind", "'R0/PT1H'"),
    ({"r.bpmn": waits_for_review("R/PT10S", "timeCycle")}, "remind", "once a minute"),
    ({"r.bpmn": waits_for_review("R3/P1M", "timeCycle")}, "remind", "'R3/P1M'"),
    ({"r.bpmn": waits_for_review("R3/tomorrow/PT1H", "timeCycle")}, "remind", "tomorrow"),
    ({"r.bpmn": waits_for_review("every hour", "timeCycle")}, "remind", "'every hour'"),
])
async def test_malformed_timers_are_refused_naming_file_element_and_value(client, files,
                                                                          element, words):
    response = await deploy(client, "iso", files)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["loc"], error["element"]) == (next(iter(files)), element)
    assert isinstance(error["line"], int)
    assert words in error["msg"]
