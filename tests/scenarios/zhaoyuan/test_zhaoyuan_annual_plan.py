"""招远 第十条: the budget of the next year is compiled from the projects that passed the fund
review (served with their approved budgets, checked and totalled by the server) and passed
by the leading group as compiled. The text says nothing of a project that passes review
after the budget was passed: it goes to the next year's budget instead of waiting for a
message that was sent already."""

import pytest

from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    EXPERT,
    EXPERT_OK,
    FINANCE,
    FUND_OK,
    HUB,
    IN_WINDOW,
    LEADING_GROUP,
    MATERIALS,
    OK,
    TENANT,
    UNIT,
    begin,
    complete,
    deploy_zhaoyuan,
    joint,
    keys,
    reviewed,
    state,
)
from tests.support.api import API, snapshot, start

YEAR = 2027  # declared in the July 2026 window


@pytest.fixture(autouse=True)
async def deployed(client, ctx):
    ctx.clock.set(IN_WINDOW)
    await deploy_zhaoyuan(client)


async def at_fund_review(client, key: str) -> dict:
    instance = await begin(client, key)
    instance = await complete(client, instance, "declare", MATERIALS, UNIT)
    instance = await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)
    return await joint(client, instance)  # both bodies sign (第九条)


async def test_the_budget_is_passed_as_compiled_and_a_late_project_goes_to_next_year(client):
    listed = await reviewed(client, "ZY-AP-A")
    late = await at_fund_review(client, "ZY-AP-LATE")
    plan = await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": YEAR})
    [task] = plan["ready_tasks"]
    view = (await client.get(f"{API}/tasks/{task['id']}", headers=FINANCE)).json()
    assert [(c["business_key"], c["amount"]) for c in view["annual_plan"]["candidates"]] == [
        ("ZY-AP-A", 118.5)]  # the approved budget of the fund review, not the declared 120
    plan = await complete(client, plan, "plan_compilation", {"projects": ["ZY-AP-A"]}, FINANCE)
    [task] = [t for t in plan["ready_tasks"] if t["key"] == "plan_approval"]
    approval = (await client.get(f"{API}/tasks/{task['id']}", headers=LEADING_GROUP)).json()
    assert "projects" not in approval["form"]["properties"]  # approved as compiled, not retyped
    assert ([i["business_key"] for i in approval["annual_plan"]["items"]],
            approval["annual_plan"]["total"]) == (["ZY-AP-A"], 118.5)
    plan = await complete(client, plan, "plan_approval", OK, LEADING_GROUP)
    assert (plan["state"], plan["outcome"]) == ("completed", "approved")
    assert keys(await state(client, listed)) == ["government_consent"]

    late = await complete(client, late, "fund_review", FUND_OK, FINANCE)
    assert (late["state"], late["ready_tasks"]) == ("running", [])
    assert (late["variables"]["plan_year"], late["variables"]["carried_over_from"]) == (
        YEAR + 1, YEAR)
    following = (await client.get(f"{API}/tenants/{TENANT}/annual-plans/{YEAR + 1}",
                                  headers=HUB)).json()
    assert [c["business_key"] for c in following["candidates"]] == ["ZY-AP-LATE"]


async def test_a_typed_total_is_refused(client):
    await reviewed(client, "ZY-AP-TOTAL")
    plan = await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": YEAR})
    before = await snapshot(client, plan["id"])
    [task] = plan["ready_tasks"]
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=FINANCE, json={
        "variables": {"projects": ["ZY-AP-TOTAL"], "plan_total": 1}})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "plan.total_mismatch"
    assert response.json()["errors"][0]["computed"] == 118.5
    assert await snapshot(client, plan["id"]) == before
