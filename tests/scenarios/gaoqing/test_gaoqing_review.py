"""高青, from the start to the annual plan: scope (涉密, 省市统筹), consultancy before the
declaration, 立项 by the 县发改部门, written or on-site review, the countersigned opinion, and
the annual plan that the 县政府 approves (三(一)—三(二)3)."""

import pytest

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_support import (
    APPROVAL,
    DECLARATION,
    DOC,
    EXPERTS,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    JOINT_OK,
    OK,
    ONSITE_OK,
    TENANT,
    UNIT,
    WRITTEN_OK,
    attach,
    begin,
    countersign,
    keys,
    message,
    refused,
    reviewed,
    state,
    step,
    without,
)
from tests.support.api import API, ready, start
from tests.support.bundled import bundled


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


async def test_start_needs_every_variable_a_gateway_reads(client):
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=UNIT,
                                 json={"variables": {"project_name": "x", "total_investment": -1}})
    assert response.status_code == 422
    locs = {e["loc"] for e in response.json()["errors"]}
    assert locs == {f"variables.{v}" for v in (
        "applicant_unit", "total_investment", "planned_investment", "plan_year", "secret",
        "higher_level_funded", "major_investment_plan", "technically_complex")}


async def test_secret_projects_leave_for_the_secrecy_bureau(client):
    instance = await begin(client, secret=True, higher_level_funded=True)
    assert (instance["state"], instance["outcome"]) == ("completed", "out_of_scope")
    assert instance["ready_tasks"] == []


async def test_projects_funded_by_province_or_city_are_only_filed(client):
    instance = await begin(client, higher_level_funded=True, planned_investment=500,
                           major_investment_plan=True)
    assert keys(instance) == ["filing_review"]
    done = await step(client, instance, "filing_review",
                      {"declared_upward": True, "filed_materials": DOC})
    assert (done["state"], done["outcome"]) == ("completed", "filed_only")


@pytest.mark.parametrize(("planned", "complex_", "first"), [
    (100, False, "consultancy_plan"),
    (99.99, False, "declare"),
    (99.99, True, "consultancy_plan"),
    (0, False, "declare"),
])
async def test_consultancy_comes_before_the_declaration_from_100(client, planned, complex_,
                                                                  first):
    instance = await begin(client, planned_investment=planned, technically_complex=complex_)
    assert keys(instance) == [first]
    assert instance["variables"]["consultancy_required"] is (first == "consultancy_plan")


async def test_consultancy_review_sends_a_refused_commission_back(client):
    instance = await begin(client, planned_investment=150, total_investment=150)
    commission = {"consultancy_scope": "编制项目建设方案",
                  "consultancy_procurement_documents": DOC}
    instance = await step(client, instance, "consultancy_plan", commission)
    assert keys(instance) == ["consultancy_review"]
    review = {"consultancy_needed_confirmed": True, "qualification_required": True}
    instance = await step(client, instance, "consultancy_review",
                          {"approved": False, "opinion": "委托内容不全"} | review)
    assert keys(instance) == ["consultancy_plan"]
    instance = await step(client, instance, "consultancy_plan", commission)
    instance = await step(client, instance, "consultancy_review", OK | review)
    assert keys(instance) == ["declare"]
    instance = await step(client, instance, "declare",
                          DECLARATION | {"consultancy_unit": "某工程咨询公司"})
    assert keys(instance) == ["onsite_review"]


@pytest.mark.parametrize(("amount", "mode"), [(100, "onsite_review"), (99.99, "written_review")])
async def test_review_mode_is_on_site_from_100(client, amount, mode):
    instance = await begin(client, total_investment=amount)
    instance = await step(client, instance, "declare", DECLARATION)
    assert keys(instance) == [mode]
    assert instance["variables"]["review_mode"] == mode.split("_")[0]


async def test_an_incomplete_review_is_refused(client):
    instance = await begin(client, total_investment=120)
    instance = await step(client, instance, "declare", DECLARATION)
    task = ready(instance, "onsite_review")
    onsite_ok = await attach(client, task["id"], ONSITE_OK, EXPERTS)  # the report uploaded
    incomplete = {k: v for k, v in onsite_ok.items() if k != "step_finance_discussed"}
    for variables in ({"approved": True}, incomplete, onsite_ok | {"opinion": ""},
                      onsite_ok | {"unknown": 1}, without(onsite_ok, "review_report")):
        response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                     json={"variables": variables}, headers=EXPERTS)
        assert response.status_code == 422, variables
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": onsite_ok}, headers=HUB)
    assert response.status_code == 403  # the hub is not the third-party reviewer
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=EXPERTS)).json()
    assert {"approved", "opinion", "review_report", "plan_conformity", "budget_schedule",
            "step_unit_presented", "step_opinion_formed"} <= set(detail["form"]["required"])


async def test_an_incomplete_declaration_is_refused(client):
    instance = await begin(client)
    task = ready(instance, "declare")
    variables = await attach(client, task["id"], without(DECLARATION, "construction_plan"), UNIT)
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": variables}, headers=UNIT)
    assert response.status_code == 422


async def test_major_investment_projects_need_ndrc_approval(client):
    instance = await begin(client, major_investment_plan=True)
    instance = await step(client, instance, "declare", DECLARATION)
    assert keys(instance) == ["approval"]
    refused = await step(client, instance, "approval",
                         {"approved": False, "opinion": "不予立项", "in_major_investment_plan": True})
    assert (refused["state"], refused["outcome"]) == ("completed", "rejected")

    instance = await begin(client, major_investment_plan=True)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "approval",
                          OK | {"in_major_investment_plan": True,
                                "approval_document": "高发改投资〔2026〕1号"}, APPROVAL)
    assert keys(instance) == ["written_review"]


async def test_a_negative_review_report_still_goes_to_the_countersigned_opinion(client):
    instance = await begin(client)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review",
                          WRITTEN_OK | {"approved": False, "opinion": "方案不可行",
                                        "design_sound": False})
    assert keys(instance) == ["fund_review", "joint_review"]
    done = await countersign(client, instance, JOINT_OK | {"approved": False, "opinion": "不予审批"})
    assert (done["state"], done["outcome"]) == ("completed", "rejected")


# 三(二)2: "县电子政务主管部门牵头，会同县财政部门对项目评审报告进行审核会签 ... 县电子政务主管部门负责
# 对评审报告中的技术性评审结论进行审核，县财政部门负责对项目涉及的财政资金的评审结论进行审核": each
# body signs its own conclusions, in parallel, and the opinion is formed only when both agree.
async def test_the_countersigned_opinion_needs_both_bodies(client):
    instance = await begin(client)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    assert keys(instance) == ["fund_review", "joint_review"]
    # the data bureau alone cannot complete the finance bureau's signature, nor the reverse
    for key, stranger in (("fund_review", HUB), ("joint_review", FINANCE)):
        response = await client.post(f"{API}/tasks/{ready(instance, key)['id']}/complete",
                                     headers=stranger, json={"variables": FUND_OK | JOINT_OK})
        assert response.status_code == 403, response.text
    instance = await step(client, instance, "joint_review", JOINT_OK)
    assert keys(instance) == ["fund_review"]  # one signature is not the opinion
    instance = await step(client, instance, "fund_review", FUND_OK)
    assert instance["ready_tasks"] == []  # both signed: waiting for the annual plan
    variables = instance["variables"]
    assert (variables["technical_approved"], variables["fund_approved"],
            variables["approved_budget"]) == (True, True, 80)


@pytest.mark.parametrize(("joint", "fund"), [
    (JOINT_OK, FUND_OK | {"approved": False, "opinion": "资金测算不合理"}),
    (JOINT_OK | {"approved": False, "opinion": "技术方案不可行"}, FUND_OK),
], ids=["finance_refuses", "data_bureau_refuses"])
async def test_one_body_refusing_rejects_the_project(client, joint, fund):
    instance = await begin(client)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    done = await countersign(client, instance, joint, fund)
    assert (done["state"], done["outcome"]) == ("completed", "rejected")


@pytest.mark.parametrize("bar", ["category_allowed", "migration_completed", "sharing_supported"])
async def test_each_bar_of_the_joint_review_refuses_an_approval(client, bar):
    # 三(一)、三(二)1 一概不予审批: approving with a bar hit is refused naming the clause;
    # the data bureau's refusal then rejects the project.
    instance = await begin(client)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    await refused(client, instance, "joint_review", JOINT_OK | {bar: False}, "高青 三(一)、三(二)1")
    done = await countersign(client, instance,
                             JOINT_OK | {bar: False, "approved": False, "opinion": "一概不予审批"})
    assert (done["state"], done["outcome"]) == ("completed", "rejected")


async def test_finance_approving_the_funds_must_set_the_budget(client):
    # 三(二)1: the review's conclusions are the basis for the budget; 三(二)2 finance signs them
    instance = await begin(client)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    await refused(client, instance, "fund_review", OK, "高青 三(二)1、2")
    instance = await step(client, instance, "fund_review", FUND_OK)
    assert keys(instance) == ["joint_review"]


async def test_the_annual_plan_lists_some_projects_and_leaves_out_the_rest(client):
    listed = await reviewed(client, "GQ-2030-01", plan_year=2030)
    left_out = await reviewed(client, "GQ-2030-02", plan_year=2030)
    other_year = await reviewed(client, "GQ-2031-01", plan_year=2031)

    plan = await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": 2030})
    assert keys(plan) == ["plan_compilation"]
    compiled = {"projects": ["GQ-2030-01"], "plan_summary": "2030年度电子政务建设计划"}
    plan = await step(client, plan, "plan_compilation", compiled, FINANCE)
    assert ready(plan, "plan_approval")["due_at"] == "2029-12-31T15:59:59.999999Z"
    plan = await step(client, plan, "plan_approval", {"approved": False, "opinion": "统筹调整"},
                      GOVERNMENT)
    assert keys(plan) == ["plan_compilation"]  # back for revision: nobody is notified yet
    assert await state(client, listed) == ("running", None)
    plan = await step(client, plan, "plan_compilation", compiled)
    plan = await step(client, plan, "plan_approval", OK, GOVERNMENT)
    assert keys(plan) == ["budget_inclusion"]

    listed = (await client.get(f"{API}/process-instances/{listed['id']}", headers=HUB)).json()
    assert keys(listed) == ["procurement_documents"]
    assert await state(client, left_out) == ("completed", "not_in_plan")
    assert await state(client, other_year) == ("running", None)

    plan = await step(client, plan, "budget_inclusion", {"budget_included": True})
    assert (plan["state"], plan["ready_tasks"]) == ("completed", [])


async def test_an_administrator_can_tell_a_project_directly_it_is_not_in_the_plan(client):
    instance = await reviewed(client, "GQ-DIRECT", plan_year=2032)
    done = await message(client, instance, "not_in_plan")
    assert (done["state"], done["outcome"]) == ("completed", "not_in_plan")


async def test_declaration_and_reviews_carry_the_yearly_deadlines(client):
    instance = await begin(client, total_investment=100, plan_year=2027)
    assert ready(instance, "declare")["due_at"] == "2026-09-30T15:59:59.999999Z"
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "onsite_review", ONSITE_OK)
    assert keys(instance) == ["fund_review", "joint_review"]
    for key in ("joint_review", "fund_review"):
        assert ready(instance, key)["due_at"] == "2026-11-30T15:59:59.999999Z"
    detail = (await client.get(f"{API}/tasks/{ready(instance, 'fund_review')['id']}",
                               headers=FINANCE)).json()
    assert detail["form"]["properties"]["approved_budget"]["minimum"] == 0
