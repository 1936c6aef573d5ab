"""高青's deadlines and timers with a moving clock: every task with a due date escalates to the
县大数据局 (groups hub and finance, 二、三(三)4) when its deadline passes, without interrupting
anything; a task completed in time escalates nothing; new software waits 3 months on trial
before the initial acceptance (三(四)1). The trial run and the half year count from the
completion date recorded in implementation (``completed_on``); an extension is due on the date
granted (``extended_until``), a rectification on the date the hub set (``rectification_due``).

Due moments are computed by hand from the State Council's 2026 arrangement (清明 Apr 4–6 off;
国庆 Oct 1–7 off, Sep 20 and Oct 10 worked): the end of the due day in Asia/Shanghai, 15:59:59.999999
UTC. Each test has a database and a frozen clock of its own and sets the clock first."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_support import (
    ACCEPTED,
    APPLICATION,
    DECLARATION,
    DOC,
    EVALUATION,
    EXPERTS,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    HUB_LANE,
    INITIAL_PASSED,
    JOINT_OK,
    OK,
    ONSITE_OK,
    RECTIFIED,
    SETTLEMENT,
    TENANT,
    UNIT,
    WRITTEN_OK,
    begin,
    complete,
    in_construction,
    inspect,
    keys,
    message,
    step,
)
from tests.support.api import API, history, ready, start
from tests.support.bundled import bundled


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


SEP_28_0900 = utc(2026, 9, 28, 1)  # Monday 09:00 in Shanghai
SEP_01_2025 = utc(2025, 9, 1, 1)   # a plan-year-2026 project is declared and reviewed in 2025
SUPERVISION = "高青 二、三(三)4"
ESCALATED = {"measure": "urge", "opinion": "已督促限期办结"}


async def fire(ctx) -> None:
    await Worker(ctx, "test").fire_due()


async def fetch(client: httpx.AsyncClient, instance: dict) -> dict:
    response = await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)
    assert response.status_code == 200, response.text
    return response.json()


async def passed(client: httpx.AsyncClient, instance: dict, boundary: str) -> list[dict]:
    return [e for e in await history(client, instance["id"])
            if e["event"] == "deadline_passed" and e["element_id"] == boundary]


# -- walks to each task with a deadline ------------------------------------------------------

async def at_declare(client, ctx) -> dict:
    ctx.clock.set(SEP_28_0900)
    return await begin(client)


async def at_written_review(client, ctx) -> dict:
    instance = await at_declare(client, ctx)
    return await step(client, instance, "declare", DECLARATION)


async def at_onsite_review(client, ctx) -> dict:
    ctx.clock.set(SEP_28_0900)
    instance = await begin(client, total_investment=120)  # 计划投资 80: no consultancy
    return await step(client, instance, "declare", DECLARATION)


async def at_joint_review(client, ctx) -> dict:
    instance = await at_written_review(client, ctx)
    return await step(client, instance, "written_review", WRITTEN_OK)


async def at_plan_compilation(client, ctx) -> dict:
    ctx.clock.set(SEP_28_0900)
    return await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": 2027})


async def at_plan_approval(client, ctx) -> dict:
    instance = await at_plan_compilation(client, ctx)
    return await step(client, instance, "plan_compilation", {"projects": []})


def completion(day: str) -> dict:
    return {"next_step": "completed", "completed_on": day}


async def at_initial_acceptance(client, ctx) -> dict:
    ctx.clock.set(SEP_01_2025)
    instance = await in_construction(client, None, plan_year=2026)
    # construction completed on Wednesday 2026-04-01, reported on Friday 04-03
    ctx.clock.set(utc(2026, 4, 3, 1))
    return await step(client, instance, "implementation", completion("2026-04-01"))


async def at_acceptance_application(client, ctx) -> dict:
    instance = await at_initial_acceptance(client, ctx)
    return await complete(client, instance, "initial_acceptance", INITIAL_PASSED, UNIT)


async def at_initial_acceptance_extended(client, ctx) -> dict:
    ctx.clock.set(SEP_01_2025)
    instance = await in_construction(client, None, plan_year=2026)
    ctx.clock.set(utc(2026, 3, 2, 1))
    instance = await step(client, instance, "implementation", completion("2026-03-02"))
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED | {
        "initial_result": "extension", "opinion": "等待上级平台对接"})
    return await step(client, instance, "acceptance_extension", OK | {
        "special_reason": True, "extended_until": "2026-12-31"})


async def at_rectification(client, ctx) -> dict:
    ctx.clock.set(SEP_01_2025)
    instance = await in_construction(client, None, plan_year=2026)
    ctx.clock.set(SEP_28_0900)
    instance = await message(client, instance, "inspection_started")
    instance = await inspect(client, instance, {"hub": "problems"})
    return await step(client, instance, "rectification_order", {
        "rectification_requirements": "按方案部署", "rectification_due": "2026-10-03"})


async def at_final_acceptance(client, ctx) -> dict:
    ctx.clock.set(SEP_01_2025)
    instance = await in_construction(client, None, plan_year=2026)
    ctx.clock.set(SEP_28_0900)
    instance = await step(client, instance, "implementation", completion("2026-09-28"))
    instance = await complete(client, instance, "initial_acceptance", INITIAL_PASSED, UNIT)
    return await step(client, instance, "acceptance_application", APPLICATION)  # complete


@dataclass(frozen=True)
class Deadline:
    task: str
    walk: Callable[..., Awaitable[dict]]
    clause: str  # the deadline's own clause, after the supervision clause
    due_at: str  # by hand
    done: dict   # completing the task in time
    who: dict


DEADLINES = [
    # (declare has no escalation: at its deadline the project moves to the next year's
    # cycle, see test_a_declaration_not_made_by_september_30_moves_to_the_next_year)
    # --11-30@declaration_year (plan_year - 1)
    Deadline("written_review", at_written_review, "三(二)1", "2026-11-30T15:59:59.999999Z",
             WRITTEN_OK, EXPERTS),
    Deadline("onsite_review", at_onsite_review, "三(二)1", "2026-11-30T15:59:59.999999Z",
             ONSITE_OK, EXPERTS),
    Deadline("joint_review", at_joint_review, "三(二)2", "2026-11-30T15:59:59.999999Z",
             JOINT_OK, HUB),
    Deadline("fund_review", at_joint_review, "三(二)2", "2026-11-30T15:59:59.999999Z",
             FUND_OK, FINANCE),
    # --12-31@plan_year-1, in process annual_plan
    Deadline("plan_compilation", at_plan_compilation, "三(二)3", "2026-12-31T15:59:59.999999Z",
             {"projects": []}, HUB),
    Deadline("plan_approval", at_plan_approval, "三(二)3", "2026-12-31T15:59:59.999999Z",
             OK, GOVERNMENT),
    # P6M@completed_on, completed 2026-04-01 (reported Apr 3): 2026-10-01 is National Day
    # (Oct 1–7 off) -> Thursday Oct 8
    Deadline("initial_acceptance", at_initial_acceptance, "三(四)1",
             "2026-10-08T15:59:59.999999Z", INITIAL_PASSED, UNIT),
    # @extended_until: the date the hub granted, Thursday 2026-12-31
    Deadline("initial_acceptance_extended", at_initial_acceptance_extended, "三(四)1、附件7 一",
             "2026-12-31T15:59:59.999999Z", INITIAL_PASSED, UNIT),
    # P1D@application_due_from (附件7 一), the day before the half year ends: completed
    # 2026-04-01 -> 09-30 + 1 day = Oct 1, National Day -> Thursday Oct 8, as the initial
    # acceptance
    Deadline("acceptance_application", at_acceptance_application, "附件7 一",
             "2026-10-08T15:59:59.999999Z", APPLICATION, UNIT),
    # @rectification_due: a date someone set is not moved, even inside National Day
    Deadline("rectification", at_rectification, "三(四)2、四",  # 三(三)4 is cited already
             "2026-10-03T15:59:59.999999Z", RECTIFIED, UNIT),
    # 20WD from Monday 2026-09-28: Sep 29, 30, Oct 8, 9, 10 (make-up Saturday), 12–16, 19–23,
    # 26–30 -> Friday Oct 30
    Deadline("final_acceptance", at_final_acceptance, "三(四)2、附件7 四",
             "2026-10-30T15:59:59.999999Z", ACCEPTED, HUB),
]
IDS = [d.task for d in DEADLINES]


def moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@pytest.mark.parametrize("deadline", DEADLINES, ids=IDS)
async def test_a_passed_deadline_escalates_to_the_hub_and_the_task_stays_open(client, ctx,
                                                                               deadline):
    instance = await deadline.walk(client, ctx)
    task = ready(instance, deadline.task)
    assert task["due_at"] == deadline.due_at
    assert task["due_estimated"] is False
    due = moment(deadline.due_at)
    # the other signature of the countersigned opinion (三(二)2) is open beside it
    others = [k for k in keys(instance) if k != deadline.task]

    ctx.clock.set(due.replace(microsecond=0))  # 23:59:59 in Shanghai: not yet
    await fire(ctx)
    body = await fetch(client, instance)
    assert keys(body) == sorted([deadline.task, *others])
    assert await passed(client, instance, f"{deadline.task}_overdue") == []

    ctx.clock.set(utc(due.year, due.month, due.day, 16))  # 00:00 the next day in Shanghai
    await fire(ctx)
    body = await fetch(client, instance)
    escalations = [f"{k}_escalation" for k in others]  # the other signature is late too
    assert keys(body) == sorted([deadline.task, f"{deadline.task}_escalation", *others,
                                 *escalations])
    escalation = ready(body, f"{deadline.task}_escalation")
    assert (escalation["name"], escalation["lane"], escalation["clause"],
            escalation["candidate_groups"]) == (
        f"超期督办：{task['name']}", HUB_LANE, f"{SUPERVISION}、{deadline.clause}",
        ["hub", "finance"])
    assert escalation["due_at"] is None
    fired = await passed(client, instance, f"{deadline.task}_overdue")
    assert len(fired) == 1
    assert moment(fired[0]["data"]["due_at"]) == due
    await fire(ctx)  # fired once, not again
    assert len(await passed(client, instance, f"{deadline.task}_overdue")) == 1

    # the escalation needs a measure and an opinion, then closes its branch only
    response = await client.post(f"{API}/tasks/{escalation['id']}/complete", headers=FINANCE,
                                 json={"variables": {"measure": "urge"}})
    assert response.status_code == 422, response.text
    body = await complete(client, body, f"{deadline.task}_escalation", ESCALATED, FINANCE)
    assert body["state"] == "running"
    # the main path is untouched
    assert keys(body) == sorted([deadline.task, *others, *escalations])
    body = await complete(client, body, deadline.task, deadline.done, deadline.who)
    assert deadline.task not in keys(body)


@pytest.mark.parametrize("deadline", DEADLINES, ids=IDS)
async def test_a_task_completed_in_time_escalates_nothing(client, ctx, deadline):
    instance = await deadline.walk(client, ctx)
    due = moment(ready(instance, deadline.task)["due_at"])
    ctx.clock.set(due.replace(hour=1, microsecond=0))  # 09:00 on the due day
    instance = await complete(client, instance, deadline.task, deadline.done, deadline.who)
    ctx.clock.set(due + timedelta(days=40))
    await fire(ctx)
    body = await fetch(client, instance)
    assert f"{deadline.task}_escalation" not in keys(body)
    assert await passed(client, instance, f"{deadline.task}_overdue") == []


@pytest.mark.parametrize(("new_software", "reported"), [
    (True, utc(2026, 1, 5, 1)),    # completion reported the same day, Monday 09:00
    (False, utc(2026, 1, 5, 1)),
    (True, utc(2026, 1, 9, 1)),    # reported on Friday: both clocks still count from Monday
], ids=["new_software", "no_new_software", "new_software_reported_later"])
async def test_the_trial_run_and_the_half_year_count_from_the_completion_date(
        client, ctx, new_software, reported):
    ctx.clock.set(SEP_01_2025)
    instance = await in_construction(client, None, declaration=DECLARATION | {
        "new_software": new_software}, plan_year=2026)
    ctx.clock.set(reported)
    instance = await step(client, instance, "implementation", completion("2026-01-05"))
    if new_software:
        assert instance["ready_tasks"] == []  # on trial
        # P3M@completed_on: 2026-04-05 is in 清明 (Apr 4–6 off) -> the trial run ends with
        # Tuesday Apr 7
        ctx.clock.set(utc(2026, 4, 7, 15, 59, 59))
        await fire(ctx)
        assert (await fetch(client, instance))["ready_tasks"] == []
        ctx.clock.set(utc(2026, 4, 7, 16))
        await fire(ctx)
        instance = await fetch(client, instance)
        waited = [e for e in await history(client, instance["id"])
                  if e["event"] == "timer_fired"]
        assert [(e["element_id"], moment(e["data"]["due_at"])) for e in waited] == [
            ("trial_run", moment("2026-04-07T15:59:59.999999Z"))]
    assert keys(instance) == ["initial_acceptance"]
    # P6M@completed_on: 2026-07-05 is a Sunday -> Monday Jul 6, trial run or not (三(四)1,
    # 附件7 一: 建设完成半年内)
    assert ready(instance, "initial_acceptance")["due_at"] == "2026-07-06T15:59:59.999999Z"
    ctx.clock.set(utc(2026, 7, 6, 15, 59, 59))
    await fire(ctx)
    assert keys(await fetch(client, instance)) == ["initial_acceptance"]
    ctx.clock.set(utc(2026, 7, 6, 16))
    await fire(ctx)
    body = await fetch(client, instance)
    assert keys(body) == ["initial_acceptance", "initial_acceptance_escalation"]
    assert len(await passed(client, instance, "initial_acceptance_overdue")) == 1
    body = await complete(client, body, "initial_acceptance", INITIAL_PASSED, UNIT)
    # 附件7 一: the application is due within the same half year, so it is late as well
    assert ready(body, "acceptance_application")["due_at"] == "2026-07-06T15:59:59.999999Z"
    assert keys(body) == ["acceptance_application", "acceptance_application_escalation",
                          "initial_acceptance_escalation"]


async def test_a_refused_extension_leaves_the_half_year_running(client, ctx):
    instance = await at_initial_acceptance(client, ctx)  # due Oct 8
    ctx.clock.set(utc(2026, 9, 30, 1))
    instance = await complete(client, instance, "initial_acceptance", INITIAL_PASSED | {
        "initial_result": "extension", "opinion": "等待上级平台对接"}, UNIT)
    instance = await complete(client, instance, "acceptance_extension", {
        "approved": False, "opinion": "理由不充分", "special_reason": False}, HUB)
    assert ready(instance, "initial_acceptance")["due_at"] == "2026-10-08T15:59:59.999999Z"
    ctx.clock.set(utc(2026, 10, 8, 16))
    await fire(ctx)
    assert keys(await fetch(client, instance)) == [
        "initial_acceptance", "initial_acceptance_escalation"]


async def test_without_new_software_initial_acceptance_is_ready_at_completion(client, ctx):
    instance = await at_initial_acceptance(client, ctx)
    assert keys(instance) == ["initial_acceptance"]
    events = [e["event"] for e in await history(client, instance["id"])]
    assert "timer_fired" not in events


# 三(一) 每年9月底前，项目申报单位...申报下一年度电子政务建设项目: a project started on any day is
# declared for the next plan year whose September 30 is still ahead; one that misses it moves
# to the next cycle (plan year + 1) instead of opening overdue. History shows the timer.
@pytest.mark.parametrize(("started", "plan_year", "due", "rolled"), [
    (utc(2026, 3, 2, 1), 2027, "2026-09-30", 0),
    (utc(2026, 9, 30, 15, 59), 2027, "2026-09-30", 0),   # 23:59 on Sep 30: still in time
    (utc(2026, 9, 30, 16), 2027, "2027-09-30", 1),       # 00:00 on Oct 1: next cycle
    (utc(2026, 11, 30, 1), 2027, "2027-09-30", 1),
    (utc(2027, 1, 15, 1), 2027, "2027-09-30", 1),        # the plan year itself has begun
    (utc(2027, 11, 30, 1), 2027, "2028-09-30", 2),       # two cycles missed at once
    (utc(2026, 3, 2, 1), 2029, "2028-09-30", 0),         # a later year waits its turn
], ids=["march", "sep30_2359", "oct1_0000", "november", "january", "two_cycles", "later_year"])
async def test_a_project_started_on_any_date_opens_in_time(client, ctx, started, plan_year,
                                                           due, rolled):
    ctx.clock.set(started)
    instance = await begin(client, plan_year=plan_year)
    assert keys(instance) == ["declare"]  # never an escalation at start
    task = ready(instance, "declare")
    assert task["due_at"] == f"{due}T15:59:59.999999Z"
    assert moment(task["due_at"]) > started
    assert instance["variables"]["plan_year"] == plan_year + rolled
    fired = [e for e in await history(client, instance["id"])
             if e["event"] == "deadline_passed" and e["element_id"] == "declaration_closed"]
    assert len(fired) == rolled
    # the reviews that follow are due in the same cycle, after the declaration
    instance = await step(client, instance, "declare", DECLARATION)
    assert moment(ready(instance, "written_review")["due_at"]) > started


async def test_a_declaration_not_made_by_september_30_moves_to_the_next_year(client, ctx):
    ctx.clock.set(SEP_28_0900)
    instance = await begin(client)
    ctx.clock.set(utc(2026, 9, 30, 15, 59, 59))
    await fire(ctx)
    assert (await fetch(client, instance))["variables"]["plan_year"] == 2027
    ctx.clock.set(utc(2026, 9, 30, 16))
    await fire(ctx)
    body = await fetch(client, instance)
    assert keys(body) == ["declare"]
    assert ready(body, "declare")["due_at"] == "2027-09-30T15:59:59.999999Z"
    assert (body["variables"]["plan_year"], body["variables"]["declaration_year"]) == (2028, 2027)
    body = await step(client, body, "declare", DECLARATION)
    assert ready(body, "written_review")["due_at"] == "2027-11-30T15:59:59.999999Z"


async def test_a_project_decided_by_the_county_keeps_its_plan_year(client, ctx):
    # 三(一) 经县委、县政府研究确定的项目，根据工作进度适时安排申报: no September deadline binds it;
    # it keeps its plan year and its reviews are due in the year it is declared.
    ctx.clock.set(utc(2026, 11, 30, 1))
    instance = await begin(client, plan_year=2027, county_decided=True)
    assert keys(instance) == ["declare"]
    assert instance["variables"]["plan_year"] == 2027
    assert ready(instance, "declare")["due_at"] == "2027-09-30T15:59:59.999999Z"
    instance = await step(client, instance, "declare", DECLARATION)
    assert ready(instance, "written_review")["due_at"] == "2027-11-30T15:59:59.999999Z"


async def test_an_escalation_still_open_keeps_the_project_running_then_it_ends_accepted(
        client, ctx):
    instance = await at_final_acceptance(client, ctx)
    ctx.clock.set(utc(2026, 10, 30, 16))
    await fire(ctx)
    body = await fetch(client, instance)
    assert keys(body) == ["final_acceptance", "final_acceptance_escalation"]
    body = await complete(client, body, "final_acceptance", ACCEPTED, HUB)
    body = await step(client, body, "settlement_review", SETTLEMENT)
    body = await step(client, body, "performance_evaluation", EVALUATION)
    assert (body["state"], keys(body)) == ("running", ["final_acceptance_escalation"])
    done = await complete(client, body, "final_acceptance_escalation", ESCALATED, HUB)
    assert (done["state"], done["outcome"]) == ("completed", "accepted")


async def test_a_consultancy_that_ends_after_september_30_declares_for_the_year_after(
        client, ctx):
    # 三(一): the consultancy comes before the declaration and has no date of its own; a
    # declaration it makes possible only after September 30 belongs to the next cycle.
    ctx.clock.set(SEP_28_0900)
    instance = await begin(client, planned_investment=120)
    instance = await step(client, instance, "consultancy_plan", {
        "consultancy_scope": "编制项目建设方案", "consultancy_procurement_documents": DOC})
    ctx.clock.set(utc(2026, 10, 9, 1))
    instance = await step(client, instance, "consultancy_review", OK | {
        "consultancy_needed_confirmed": True, "qualification_required": True})
    assert keys(instance) == ["declare"]
    assert ready(instance, "declare")["due_at"] == "2027-09-30T15:59:59.999999Z"
    assert instance["variables"]["plan_year"] == 2028
