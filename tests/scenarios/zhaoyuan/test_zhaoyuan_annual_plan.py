"""招远 第十条: the budget of the next year is compiled from the projects that passed the fund
review (served with their approved budgets, checked and totalled by the server) by the hub,
countersigned by finance (会同: both bodies sign), and passed by the leading group as compiled. The text says nothing of a project that passes review
after the budget was passed: it goes to the next year's budget instead of waiting for a
message that was sent already."""

import pytest

from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    COUNTERSIGNED,
    EXPERT,
    EXPERT_OK,
    FINANCE,
    FUND_OK,
    HUB,
    IN_WINDOW,
    LEADING_GROUP,
    MATERIALS,
    NOT_COUNTERSIGNED,
    OK,
    TENANT,
    UNIT,
    begin,
    compiled,
    complete,
    deploy_zhaoyuan,
    joint,
    keys,
    reviewed,
    state,
)
from tests.support.api import API, ready, snapshot, start, token

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
    plan = await compiled(client, plan, ["ZY-AP-A"])
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
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB, json={
        "variables": {"projects": ["ZY-AP-TOTAL"], "plan_total": 1}})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "plan.total_mismatch"
    assert response.json()["errors"][0]["computed"] == 118.5
    assert await snapshot(client, plan["id"]) == before


# -- 第十条 中心会同财政局汇总: the budget carries both bodies' signatures ----------------------

HUB_AND_FINANCE = token("zy_plan_both", TENANT, ("hub", "finance"))


async def _compiled_by_hub(client, key: str, headers: dict = HUB) -> dict:
    await reviewed(client, key)
    plan = await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": YEAR})
    task = ready(plan, "plan_compilation")
    assert task["candidate_groups"] == ["hub"]
    plan = await complete(client, plan, "plan_compilation", {"projects": [key]}, headers)
    assert keys(plan) == ["plan_countersign"]
    return plan


async def test_finance_countersigns_the_compiled_plan_and_sees_it_as_compiled(client):
    plan = await _compiled_by_hub(client, "ZY-AP-SIGN")
    task = ready(plan, "plan_countersign")
    assert (task["lane"], task["clause"], task["candidate_groups"]) == (
        "市财政局", "招远 第十条", ["finance"])
    view = (await client.get(f"{API}/tasks/{task['id']}", headers=FINANCE)).json()
    assert "projects" not in view["form"]["properties"]  # signs the plan, does not retype it
    assert ([i["business_key"] for i in view["annual_plan"]["items"]],
            view["annual_plan"]["total"]) == (["ZY-AP-SIGN"], 118.5)
    plan = await complete(client, plan, "plan_countersign", COUNTERSIGNED, FINANCE)
    assert keys(plan) == ["plan_approval"]


async def test_finance_refusing_to_countersign_sends_the_plan_back_to_the_hub(client):
    plan = await _compiled_by_hub(client, "ZY-AP-BACK")
    plan = await complete(client, plan, "plan_countersign", NOT_COUNTERSIGNED, FINANCE)
    assert keys(plan) == ["plan_compilation"]  # the 专项小组 has nothing to pass
    # finance reads the plan year (a body of a plan task): the plan is not issued
    response = await client.get(f"{API}/tenants/{TENANT}/annual-plans/{YEAR}", headers=FINANCE)
    assert response.status_code == 200, response.text
    assert [p["issued"] for p in response.json()["plans"]] == [False]
    # compiled again, it needs finance's signature again
    plan = await complete(client, plan, "plan_compilation", {"projects": ["ZY-AP-BACK"]}, HUB)
    assert keys(plan) == ["plan_countersign"]
    plan = await complete(client, plan, "plan_countersign", COUNTERSIGNED, FINANCE)
    plan = await complete(client, plan, "plan_approval", OK, LEADING_GROUP)
    assert (plan["state"], plan["outcome"]) == ("completed", "approved")


async def test_the_hub_alone_cannot_get_the_plan_to_the_leading_group(client):
    """The hub compiles; only finance's signature takes the plan on: the hub may not
    countersign (403 task.not_candidate) and the plan stays where it was."""
    plan = await _compiled_by_hub(client, "ZY-AP-ALONE")
    before = await snapshot(client, plan["id"])
    task = ready(plan, "plan_countersign")
    for attempt in (client.post(f"{API}/tasks/{task['id']}/claim", headers=HUB),
                    client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                json={"variables": COUNTERSIGNED})):
        refused = await attempt
        assert (refused.status_code, refused.json()["code"]) == (403, "task.not_candidate")
    assert await snapshot(client, plan["id"]) == before


async def test_one_official_may_not_compile_and_countersign(client):
    """A user in both groups compiles for the hub, then may not sign for finance (403
    task.separation_of_duties); a finance official signs."""
    plan = await _compiled_by_hub(client, "ZY-AP-BOTH", HUB_AND_FINANCE)
    before = await snapshot(client, plan["id"])
    task = ready(plan, "plan_countersign")
    for attempt in (client.post(f"{API}/tasks/{task['id']}/claim", headers=HUB_AND_FINANCE),
                    client.post(f"{API}/tasks/{task['id']}/complete",
                                headers=HUB_AND_FINANCE, json={"variables": COUNTERSIGNED})):
        refused = await attempt
        assert (refused.status_code, refused.json()["code"]) == (
            403, "task.separation_of_duties")
    assert await snapshot(client, plan["id"]) == before
    plan = await complete(client, plan, "plan_countersign", COUNTERSIGNED, FINANCE)
    assert keys(plan) == ["plan_approval"]
