"""招远 (招政办字〔2021〕33号): route, declaration, expert and joint review, budget review,
the annual budget, the city government's consent and the government-investment approval."""

from datetime import UTC, date, datetime

import pytest

from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    APPROVAL,
    EXPERT,
    EXPERT_OK,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    JOINT_OK,
    LEADING_GROUP,
    MATERIALS,
    NO,
    OK,
    PERMIT,
    PERMIT_OK,
    TENANT,
    UNIT,
    begin,
    compiled,
    complete,
    due_day,
    joint,
    keys,
    message,
    only,
    refused_by_gate,
    refused_form,
    reviewed,
    sign,
    slot,
    state,
    without,
)
from tests.support.api import API, ready, start

pytestmark = pytest.mark.usefixtures("deployed", "in_window")


# -- the route decision (第六、二十六条) -------------------------------------------

@pytest.mark.parametrize(("secret", "leader", "funded", "route", "clause"), [
    (True, False, False, "out_of_scope", "招远 第二十六条"),
    (True, True, True, "out_of_scope", "招远 第二十六条"),
    (True, True, False, "out_of_scope", "招远 第二十六条"),
    (True, False, True, "out_of_scope", "招远 第二十六条"),
    (False, True, False, "filed_only", "招远 第六条第二款"),
    (False, True, True, "filed_only", "招远 第六条第二款"),
    (False, False, True, "filed_only", "招远 第六条第二款"),
    (False, False, False, "full_review", "招远 第六条第一款"),
])
async def test_route_table(client, secret, leader, funded, route, clause):
    response = await client.post(
        f"{API}/tenants/{TENANT}/decisions/route/evaluate", headers=HUB,
        json={"inputs": {"secret": secret, "leader_directed": leader,
                         "higher_level_funded": funded}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["outputs"] == [{"route": route}]
    assert len(body["matched_rules"]) == 1
    assert body["matched_rules"][0]["annotation"].startswith(clause + ":")


async def test_start_form_requires_the_routing_variables(client):
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=UNIT,
                                 json={"variables": {"project_name": "x"}})
    assert response.status_code == 422
    missing = {e["loc"] for e in response.json()["errors"]}
    assert missing == {f"variables.{v}" for v in (
        "applicant_unit", "total_investment", "plan_year", "secret", "leader_directed",
        "higher_level_funded", "gov_investment")}


async def test_secret_project_leaves_right_after_start(client):
    instance = await begin(client, "ZY-SECRET", secret=True, leader_directed=True)
    assert (instance["state"], instance["outcome"]) == ("completed", "out_of_scope")
    assert instance["variables"]["route"] == "out_of_scope"
    assert instance["ready_tasks"] == []


@pytest.mark.parametrize("route_by", ["leader_directed", "higher_level_funded"])
async def test_leader_directed_or_state_funded_project_is_only_filed(client, route_by):
    instance = await begin(client, f"ZY-FILE-{route_by}", **{route_by: True})
    only(instance, "filing_review", "hub", "招远 第六条")
    instance = await complete(client, instance, "filing_review",
                              OK | {"filing_basis_verified": True}, HUB)
    assert (instance["state"], instance["outcome"]) == ("completed", "filed_only")


async def test_filing_refused_sends_the_project_to_declaration(client):
    instance = await begin(client, "ZY-FILE-NO", higher_level_funded=True)
    instance = await complete(client, instance, "filing_review",
                              NO | {"filing_basis_verified": False,
                                    "opinion": "烟台市统筹项目，建设资金由市级承担"}, HUB)
    only(instance, "declare", "unit", "招远 第七条")


# -- declaration (第七、十六条) -------------------------------------------------------

async def test_declaration_is_due_august_31_of_the_year_before(client):
    instance = await begin(client, "ZY-DECL")
    task = only(instance, "declare", "unit", "招远 第七条")
    assert due_day(task) == date(2026, 8, 31)
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()
    assert set(detail["form"]["required"]) == set(MATERIALS)
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {"application_document": True}})
    assert response.status_code == 422


@pytest.mark.parametrize("missing", ["application_document", "data_resource_catalog",
                                     "cloud_resource_demand", "cloud_resource_audit"])
async def test_a_declaration_without_a_material_is_refused(client, missing):
    """第七条 the four materials, 第十六条 the catalog table a 审核要件: each is a required
    document; a declaration without one is refused and stays with the unit."""
    instance = await begin(client, f"ZY-MAT-{missing}")
    await refused_form(client, instance, "declare", without(MATERIALS, missing), UNIT,
                       missing, "required")
    only(await state(client, instance), "declare", "unit", "招远 第七条")
    instance = await complete(client, instance, "declare", MATERIALS, UNIT)
    only(instance, "expert_review", "experts", "招远 第八条")


# -- expert preliminary review (第八条) ------------------------------------------------

async def test_expert_review_takes_the_nine_criteria_and_can_reject(client):
    instance = await begin(client, "ZY-EXP")
    instance = await complete(client, instance, "declare", MATERIALS, UNIT)
    task = only(instance, "expert_review", "experts", "招远 第八条")
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=EXPERT)).json()
    assert len([f for f in detail["form"]["required"] if f.startswith("c")]) == 9
    await refused_form(client, instance, "expert_review",
                       without(EXPERT_OK, "c9_budget_schedule"), EXPERT, "c9_budget_schedule",
                       "required")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=FINANCE,
                                 json={"variables": EXPERT_OK})
    assert response.status_code == 403
    instance = await complete(client, instance, "expert_review",
                              EXPERT_OK | NO | {"c3_cloud_reuse": False}, EXPERT)
    assert (instance["state"], instance["outcome"]) == ("completed", "rejected")


# -- joint review (第九条) ---------------------------------------------------------------

async def _at_joint_review(client, key):
    instance = await begin(client, key)
    instance = await complete(client, instance, "declare", MATERIALS, UNIT)
    return await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)


async def test_joint_review_is_signed_by_hub_and_finance_by_september_30(client):
    """第九条: the hub leads (牵头) and finance joins (会同): each body signs its own task,
    due September 30; the review passes only when both have agreed."""
    instance = await _at_joint_review(client, "ZY-JOINT")
    assert keys(instance) == ["joint_review", "joint_review"]
    hub, finance = slot(instance, "joint_review", "hub"), slot(instance, "joint_review", "finance")
    for task in (hub, finance):
        assert (task["lane"], task["clause"]) == ("市大数据服务中心", "招远 第九条")
        assert due_day(task) == date(2026, 9, 30)
    # finance cannot sign the hub's part, nor the hub finance's
    response = await sign(client, instance, "joint_review", "hub", JOINT_OK, FINANCE)
    assert response.status_code == 403
    response = await sign(client, instance, "joint_review", "finance", OK, FINANCE)
    assert response.status_code == 422  # the checklist and the 第九条 category are required
    # finance alone does not complete the joint review: the hub's signature is still due
    response = await sign(client, instance, "joint_review", "finance", JOINT_OK, FINANCE)
    assert response.status_code == 200, response.text
    instance = response.json()
    only(instance, "joint_review", "hub", "招远 第九条")
    instance = await complete(client, instance, "joint_review", JOINT_OK, HUB)
    only(instance, "fund_review", "finance", "招远 第四、十二条")


@pytest.mark.parametrize("refuses", ["hub", "finance"])
async def test_either_body_refusing_rejects_the_project(client, refuses):
    """第九条 联合评审: both bodies must agree; one 不同意 ends the project rejected."""
    instance = await _at_joint_review(client, f"ZY-JR-NO-{refuses}")
    verdict = JOINT_OK | NO
    instance = await joint(client, instance, **{refuses: verdict})
    assert (instance["state"], instance["outcome"]) == ("completed", "rejected")
    assert instance["ready_tasks"] == []


@pytest.mark.parametrize(("bar", "clause"), [
    ({"migration_completed": False}, "第九条 未完成迁移整合"),      # 一概不予审批
    ({"sharing_rules_complied": False}, "第九条 未完成迁移整合"),   # 一概不予审批
    ({"feeds_sharing_platform": False}, "第九条 未完成迁移整合"),   # 一概不予审批
    ({"expert_opinion_considered": False}, "第九条 联合评审须根据专家组"),
    ({"on_government_cloud": False}, "第七条 不得使用非政务云平台"),
    ({"single_department_category": "government_website"}, "第九条 所列(一)至(八)"),
    ({"single_department_category": "machine_room_hardware"}, "第九条 所列(一)至(八)"),
])
@pytest.mark.parametrize("body", ["hub", "finance"])
async def test_a_body_cannot_approve_past_a_bar_and_refusing_rejects(client, bar, clause, body):
    """第九条 一概不予审批 / 无特殊情况不再批准, 第七条 不得: approving with a bar failing is
    refused (422 naming the clause, nothing changes); recording 不同意 rejects the project."""
    instance = await _at_joint_review(client, f"ZY-JR-{body}-{sorted(bar.items())}")
    headers = HUB if body == "hub" else FINANCE
    response = await sign(client, instance, "joint_review", body, JOINT_OK | bar, headers)
    assert response.status_code == 422, response.text
    refused_by_gate(response, clause)
    again = await state(client, instance)
    assert sorted(t["key"] for t in again["ready_tasks"]) == ["joint_review", "joint_review"]
    instance = await joint(client, instance, **{body: JOINT_OK | bar | NO})
    assert (instance["state"], instance["outcome"]) == ("completed", "rejected")


async def test_single_department_category_with_special_circumstances_passes(client):
    instance = await _at_joint_review(client, "ZY-JR-SPECIAL")
    special = JOINT_OK | {"single_department_category": "video_conference",
                          "special_circumstances": True}
    instance = await joint(client, instance, hub=special, finance=special)
    only(instance, "fund_review", "finance", "招远 第四、十二条")


# -- budget review (第四条) --------------------------------------------------------------

async def test_budget_review_rejects(client):
    instance = await _at_joint_review(client, "ZY-FUND-NO")
    instance = await joint(client, instance)
    instance = await complete(client, instance, "fund_review", FUND_OK | NO, FINANCE)
    assert (instance["state"], instance["outcome"]) == ("completed", "rejected")


# -- annual budget (第十条) and the city government's consent (第六条) ---------------------

async def test_annual_plan_lists_projects_and_leaves_the_rest_out(client, in_window):
    in_window.set(datetime(2028, 7, 17, 1, tzinfo=UTC))  # the 2028 window, for plan_year 2029
    other_year = await reviewed(client, "ZY-PLAN-C", plan_year=2029)
    in_window.set(datetime(2029, 7, 16, 1, tzinfo=UTC))  # the 2029 window, for plan_year 2030
    listed = await reviewed(client, "ZY-PLAN-A", plan_year=2030)
    left_out = await reviewed(client, "ZY-PLAN-B", plan_year=2030)

    plan = await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": 2030})
    task = ready(plan, "plan_compilation")
    assert (task["lane"], task["clause"]) == ("市大数据服务中心", "招远 第十条")
    assert task["candidate_groups"] == ["hub"]  # the hub compiles, finance countersigns
    assert due_day(task) == date(2029, 10, 31)
    plan = await compiled(client, plan, ["ZY-PLAN-A", "ZY-PLAN-B"])
    task = ready(plan, "plan_approval")
    assert (task["lane"], task["clause"]) == ("市数字招远建设专项小组", "招远 第十条")
    assert due_day(task) == date(2029, 10, 31)
    # the leading group sends the budget back; it is compiled again without project B
    plan = await complete(client, plan, "plan_approval", NO, LEADING_GROUP)
    assert keys(plan) == ["plan_compilation"]
    plan = await compiled(client, plan, ["ZY-PLAN-A"])  # both bodies sign again
    plan = await complete(client, plan, "plan_approval", OK, LEADING_GROUP)
    assert (plan["state"], plan["outcome"]) == ("completed", "approved")

    listed = await state(client, listed)
    only(listed, "government_consent", "city_government", "招远 第六条")
    left_out = await state(client, left_out)
    assert (left_out["state"], left_out["outcome"]) == ("completed", "not_in_plan")
    other_year = await state(client, other_year)  # waits for the budget of its own year
    assert (other_year["state"], other_year["ready_tasks"]) == ("running", [])


async def test_without_the_city_governments_consent_the_project_is_not_funded(client):
    instance = await reviewed(client, "ZY-NOCONSENT")
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", NO, GOVERNMENT)
    assert (instance["state"], instance["outcome"]) == ("completed", "not_in_plan")


async def test_project_without_government_investment_goes_to_procurement(client):
    instance = await reviewed(client, "ZY-NOGOV")
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    only(instance, "procurement", "unit", "招远 第十九、二十一条")


async def test_government_investment_needs_ndrc_review_then_the_approval_bureau(client):
    instance = await reviewed(client, "ZY-GOV", gov_investment=True)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    only(instance, "approval", "development_reform", "招远 第四条")
    instance = await complete(client, instance, "approval",
                              OK | {"approved_investment": 115}, APPROVAL)
    task = only(instance, "approval_permit", "administrative_approval", "招远 第四条")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=PERMIT,
                                 json={"variables": {"approval_document_no": ""}})
    assert response.status_code == 422
    # the 批准文件 itself is uploaded, not only its number
    await refused_form(client, instance, "approval_permit",
                       without(PERMIT_OK, "approval_document"), PERMIT, "approval_document",
                       "required")
    instance = await complete(client, instance, "approval_permit", PERMIT_OK, PERMIT)
    only(instance, "procurement", "unit", "招远 第十九、二十一条")


async def test_government_investment_not_approved_is_rejected(client):
    instance = await reviewed(client, "ZY-GOV-NO", gov_investment=True)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    instance = await complete(client, instance, "approval", NO, APPROVAL)
    assert (instance["state"], instance["outcome"]) == ("completed", "rejected")


async def test_not_in_plan_message_ends_the_project(client):
    instance = await reviewed(client, "ZY-LEFTOUT")
    instance = await message(client, instance, "not_in_plan")
    assert (instance["state"], instance["outcome"]) == ("completed", "not_in_plan")
