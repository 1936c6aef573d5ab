"""高青: each body of the text decides with its own group, and one user may not decide for two
bodies of the same project (二 管理职责; the process sets ``separationOfDuties``); and the
gates of the declaration stage (三(一), 三(二)1) refuse a completion the text forbids."""

import pytest

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_support import (
    ACCEPTED,
    APPLICATION,
    APPROVAL,
    COMPLETED,
    DECLARATION,
    DOC,
    FUND_OK,
    HUB,
    INITIAL_PASSED,
    JOINT_OK,
    OK,
    ONSITE_OK,
    TENANT,
    UNIT,
    WRITTEN_OK,
    begin,
    countersign,
    in_construction,
    keys,
    message,
    refused,
    refused_form,
    step,
    without,
)
from tests.support.api import API, ready, snapshot, token
from tests.support.bundled import bundled

# members of two bodies: the county's data bureau and finance bureau; the unit and the bureau
HUB_AND_FINANCE = token("hub_fin_user", TENANT, ("hub", "finance"))
UNIT_AND_HUB = token("unit_hub_user", TENANT, ("unit", "hub"))
OTHER_FINANCE = token("finance_user_2", TENANT, ("finance",))


NAMES = {"joint_review": "技术性评审结论审核（会签）", "fund_review": "财政资金评审结论审核（会签）",
         "initial_acceptance": "初步验收", "procurement_documents": "报送采购文件"}


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


async def forbidden(client, instance: dict, key: str, variables: dict, headers: dict,
                    earlier: str) -> None:
    """Claiming and completing ``key`` are refused (403 task.separation_of_duties, naming the
    earlier task this user decided for another body, by its name); nothing changes."""
    before = await snapshot(client, instance["id"])
    task = ready(instance, key)
    for response in (
            await client.post(f"{API}/tasks/{task['id']}/claim", headers=headers),
            await client.post(f"{API}/tasks/{task['id']}/complete", headers=headers,
                              json={"variables": variables})):
        assert response.status_code == 403, response.text
        body = response.json()
        assert body["code"] == "task.separation_of_duties", body
        assert f"decided '{NAMES[earlier]}'" in body["detail"], body
    assert await snapshot(client, instance["id"]) == before


async def test_the_data_bureau_signer_may_not_also_sign_for_finance(client):
    # 三(二)2: the data bureau signs the technical conclusions, finance the fund ones; a user
    # in both groups signs for one body only, a colleague of finance signs the other.
    instance = await begin(client)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    instance = await step(client, instance, "joint_review", JOINT_OK, HUB_AND_FINANCE)
    await forbidden(client, instance, "fund_review", FUND_OK, HUB_AND_FINANCE, "joint_review")
    instance = await step(client, instance, "fund_review", FUND_OK, OTHER_FINANCE)
    assert instance["ready_tasks"] == []  # both signed: waiting for the annual plan


async def test_the_finance_signer_may_not_also_sign_for_the_data_bureau(client):
    instance = await begin(client)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    instance = await step(client, instance, "fund_review", FUND_OK, HUB_AND_FINANCE)
    await forbidden(client, instance, "joint_review", JOINT_OK, HUB_AND_FINANCE, "fund_review")
    instance = await step(client, instance, "joint_review", JOINT_OK, HUB)
    assert instance["ready_tasks"] == []


async def test_the_unit_does_not_accept_its_own_project(client):
    # 三(四): the unit organises the initial acceptance, the data bureau the final one
    instance = await in_construction(client, "GQ-SOD-ACC")
    instance = await step(client, instance, "implementation", COMPLETED)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED, UNIT_AND_HUB)
    instance = await step(client, instance, "acceptance_application", APPLICATION, UNIT)
    await forbidden(client, instance, "final_acceptance", ACCEPTED, UNIT_AND_HUB,
                    "initial_acceptance")
    instance = await step(client, instance, "final_acceptance", ACCEPTED, HUB)
    assert keys(instance) == ["settlement_review"]


async def test_the_declaring_unit_does_not_review_its_own_procurement(client):
    # 三(三)1: the unit submits the procurement documents, the data bureau reviews them
    instance = await begin(client, "GQ-SOD-PROC")
    instance = await step(client, instance, "declare", DECLARATION, UNIT)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    instance = await countersign(client, instance)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await step(client, instance, "procurement_documents",
                          {"procurement_files": DOC}, UNIT_AND_HUB)
    review = OK | {"consistent_with_plan": True, "in_annual_plan": True}
    await forbidden(client, instance, "procurement_review", review, UNIT_AND_HUB,
                    "procurement_documents")
    instance = await step(client, instance, "procurement_review", review, HUB)
    assert keys(instance) == ["procurement"]


# -- gates of the declaration stage -------------------------------------------------------

@pytest.mark.parametrize("missing", ["application_letter", "application_form",
                                     "construction_plan"])
async def test_a_declaration_needs_the_three_materials(client, missing):
    # 三(一) 申报材料包括项目申请文件（附件1）、项目申请表（附件2）和项目建设方案（附件3）:
    # each a required document; a yes in its place is not one
    instance = await begin(client)
    await refused_form(client, instance, "declare", without(DECLARATION, missing), missing,
                       "required")
    await refused_form(client, instance, "declare", DECLARATION | {missing: True}, missing,
                       "type")
    instance = await step(client, instance, "declare", DECLARATION)
    assert keys(instance) == ["written_review"]


async def test_a_plan_compiled_by_a_consultancy_names_it(client):
    # 三(一): 计划投资100万元（含）以上 → the plan is compiled by a consultancy
    instance = await begin(client, planned_investment=100)
    instance = await step(client, instance, "consultancy_plan", {
        "consultancy_scope": "编制项目建设方案", "consultancy_procurement_documents": DOC})
    await refused(client, instance, "consultancy_review",
                  OK | {"consultancy_needed_confirmed": True, "qualification_required": False},
                  "高青 三(一)")
    instance = await step(client, instance, "consultancy_review", OK | {
        "consultancy_needed_confirmed": True, "qualification_required": True})
    await refused(client, instance, "declare", DECLARATION, "高青 三(一) 计划投资")
    instance = await step(client, instance, "declare",
                          DECLARATION | {"consultancy_unit": "某工程咨询公司"})
    assert keys(instance) == ["written_review"]


async def test_the_consultancy_is_chosen_by_procurement(client):
    # 三(一) 报县电子政务主管部门审核后，按程序进行政府采购确定项目工程咨询单位: the commission
    # carries the consultancy's procurement requirement as a document
    instance = await begin(client, technically_complex=True)
    await refused_form(client, instance, "consultancy_plan", {
        "consultancy_scope": "编制项目建设方案"}, "consultancy_procurement_documents", "required")
    instance = await step(client, instance, "consultancy_plan", {
        "consultancy_scope": "编制项目建设方案", "consultancy_procurement_documents": DOC})
    assert keys(instance) == ["consultancy_review"]


async def test_a_higher_level_project_is_filed_with_the_hub(client):
    # 三(一) 在按上级申报要求填报有关资料的同时，应抄送县电子政务主管部门备案
    instance = await begin(client, higher_level_funded=True)
    await refused_form(client, instance, "filing_review", {"declared_upward": True},
                       "filed_materials", "required")
    await refused(client, instance, "filing_review",
                  {"declared_upward": False, "filed_materials": DOC}, "高青 三(一)")
    done = await step(client, instance, "filing_review",
                      {"declared_upward": True, "filed_materials": DOC})
    assert (done["state"], done["outcome"]) == ("completed", "filed_only")


async def test_approval_by_the_ndrc_carries_its_document(client):
    instance = await begin(client, major_investment_plan=True)
    instance = await step(client, instance, "declare", DECLARATION)
    granted = OK | {"in_major_investment_plan": True}
    await refused(client, instance, "approval", granted, "高青 三(一)", APPROVAL)
    instance = await step(client, instance, "approval",
                          granted | {"approval_document": "高发改投资〔2026〕1号"}, APPROVAL)
    assert keys(instance) == ["written_review"]


@pytest.mark.parametrize("skipped", ["step_unit_presented", "step_experts_discussed",
                                     "step_finance_discussed", "step_hub_discussed",
                                     "step_opinion_formed"])
async def test_the_onsite_review_holds_its_five_steps(client, skipped):
    # 三(二)1 现场评审按以下程序进行 (1)—(5)
    instance = await begin(client, total_investment=100)
    instance = await step(client, instance, "declare", DECLARATION)
    await refused(client, instance, "onsite_review", ONSITE_OK | {skipped: False}, "高青 三(二)1")
    instance = await step(client, instance, "onsite_review", ONSITE_OK)
    assert keys(instance) == ["fund_review", "joint_review"]
