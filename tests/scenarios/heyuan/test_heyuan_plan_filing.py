"""河源 第六条: before the third quarter (read as by June 30) each unit files its IT plan and
the next year's project list with 市政务服务数据管理局, which compiles the next year's plan from
them; a list not submitted in time is not taken into that plan. A process of its own
(`heyuan_plan_filing`, started per unit and list year): the list is due at the end of June 30
of the year before its year (Asia/Shanghai); up to that moment it can be submitted and is
filed, from the next moment on the submission is closed and the process ends `not_in_plan`."""

from datetime import UTC, datetime

import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.scenarios.heyuan.heyuan_support import (
    DOC,
    HUB,
    HUB_LANE,
    TASKS,
    TENANT,
    UNIT,
    UNIT_LANE,
    complete_with_documents,
    fetch,
    keys,
)
from tests.support.api import API, complete, ready, start
from tests.support.bundled import bundled

JUNE_1_2026 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
DUE_2027_LIST = "2026-06-30T15:59:59.999999Z"  # the end of 2026-06-30 in Shanghai
LAST_SECOND = datetime(2026, 6, 30, 15, 59, 59, tzinfo=UTC)  # 23:59:59 on June 30 in Shanghai
FIRST_SECOND_LATE = datetime(2026, 6, 30, 16, 0, 0, tzinfo=UTC)  # 00:00 on July 1 in Shanghai
SUBMITTED = {"it_plan": DOC, "project_list": DOC}


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


async def file_list(client, key: str, plan_year: int = 2027) -> dict:
    return await start(client, TENANT, UNIT, business_key=key, process_id="heyuan_plan_filing",
                       variables={"applicant_unit": "市档案馆", "plan_year": plan_year})


async def fire(ctx, client, instance: dict, at: datetime) -> dict:
    ctx.clock.set(at)
    await Worker(ctx, "test").fire_due()
    return await fetch(client, instance)


async def test_a_list_submitted_in_the_last_second_of_june_30_is_filed(client, ctx):
    ctx.clock.set(JUNE_1_2026)
    instance = await file_list(client, "PLAN-ON-TIME")
    task = ready(instance, "plan_submission")
    assert (task["lane"], task["clause"], task["candidate_groups"]) == (
        UNIT_LANE, *TASKS["plan_submission"][1:])
    assert task["due_at"] == DUE_2027_LIST
    instance = await fire(ctx, client, instance, LAST_SECOND)
    assert (instance["state"], keys(instance)) == ("running", ["plan_submission"])
    instance = await complete_with_documents(client, instance, "plan_submission", SUBMITTED,
                                             UNIT)
    task = ready(instance, "plan_filing")
    assert (task["lane"], task["clause"]) == (HUB_LANE, "河源 第六条")
    # filed after the deadline is still filed: the deadline is the unit's, not the bureau's
    instance = await fire(ctx, client, instance, FIRST_SECOND_LATE)
    instance = await complete(client, instance, "plan_filing", {"opinion": "已备案"}, HUB)
    assert (instance["state"], instance["outcome"]) == ("completed", "filed")


async def test_a_list_not_submitted_by_june_30_is_left_out_of_the_next_years_plan(client, ctx):
    ctx.clock.set(JUNE_1_2026)
    instance = await file_list(client, "PLAN-LATE")
    task = ready(instance, "plan_submission")
    instance = await fire(ctx, client, instance, FIRST_SECOND_LATE)
    assert (instance["state"], instance["outcome"], instance["ready_tasks"]) == (
        "completed", "not_in_plan", [])
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {}})
    assert response.status_code in (404, 409), response.text


async def test_a_list_started_after_the_deadline_is_late_at_once_and_next_years_is_open(
        client, ctx):
    ctx.clock.set(datetime(2026, 7, 1, 2, 0, tzinfo=UTC))  # 10:00 on July 1 in Shanghai
    late = await file_list(client, "PLAN-2027-JULY", plan_year=2027)
    late = await fire(ctx, client, late, datetime(2026, 7, 1, 2, 1, tzinfo=UTC))
    assert (late["state"], late["outcome"]) == ("completed", "not_in_plan")
    early = await file_list(client, "PLAN-2028-JULY", plan_year=2028)
    early = await fire(ctx, client, early, datetime(2026, 7, 1, 2, 1, tzinfo=UTC))
    assert keys(early) == ["plan_submission"]
    assert ready(early, "plan_submission")["due_at"] == "2027-06-30T15:59:59.999999Z"


async def test_the_plan_and_the_list_are_required_documents(client, ctx):
    ctx.clock.set(JUNE_1_2026)
    instance = await file_list(client, "PLAN-EMPTY")
    task = ready(instance, "plan_submission")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {}})
    assert response.status_code == 422, response.text
    assert {e["loc"] for e in response.json()["errors"]} >= {"variables.it_plan",
                                                             "variables.project_list"}
    instance = await fetch(client, instance)
    assert keys(instance) == ["plan_submission"]
