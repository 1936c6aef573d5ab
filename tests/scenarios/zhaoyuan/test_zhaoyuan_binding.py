"""招远: the text's conditions bind (方可, 不得, 应当, 须, 要) and each body decides only its own
step (第四条 names them). A condition that fails refuses the completion with 422
``task.gate_failed`` naming the clause, and nothing changes; a user who decided for one body
is refused another body's step with 403 ``task.separation_of_duties``."""

from uuid import uuid4

import pytest

from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    ACCEPTANCE_OK,
    APPROVAL,
    CLOUD_CHANGE,
    EXPERT,
    EXPERT_OK,
    FILED,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    JOINT_OK,
    LEADING_GROUP,
    MATERIALS,
    NO,
    OK,
    OM_FILED,
    PERMIT,
    PERMIT_OK,
    PROCURED,
    SECURITY_OK,
    TENANT,
    UNIT,
    attach,
    begin,
    building,
    complete,
    joint,
    keys,
    message,
    only,
    refused_by_gate,
    refused_form,
    reviewed,
    sign,
    slot,
    step,
    without,
)
from tests.support.api import API, ready, snapshot, token

pytestmark = pytest.mark.usefixtures("deployed", "in_window")

# A user in two bodies' groups, as happens when one official holds two roles in the system.
NDRC_AND_PERMIT = token("zy_two_bureaus", TENANT, ("development_reform",
                                                   "administrative_approval"))
HUB_AND_FINANCE = token("zy_hub_fin", TENANT, ("hub", "finance"))
UNIT_AND_EXPERT = token("zy_unit_exp", TENANT, ("unit", "experts"))
ACCEPT_CLAUSE = "第十八条 通过安全风险评估后方可验收"


async def submit(client, instance: dict, key: str, variables: dict, headers: dict):
    task = ready(instance, key)
    return await client.post(f"{API}/tasks/{task['id']}/complete",
                             json={"variables": variables}, headers=headers)


async def refused_unchanged(client, instance: dict, key: str, variables: dict,
                            headers: dict, clause: str) -> None:
    """The completion is refused naming ``clause`` and the instance is as it was (the
    documents ``variables`` names are uploaded first)."""
    variables = await attach(client, ready(instance, key)["id"], variables, headers)
    before = await snapshot(client, instance["id"])
    refused_by_gate(await submit(client, instance, key, variables, headers), clause)
    assert await snapshot(client, instance["id"]) == before


# -- 第十八条: acceptance only after the security risk assessment is passed ---------------

async def test_acceptance_is_refused_until_the_security_assessment_is_passed(client):
    instance = await step(client, await building(client, "ZY-B-SEC"), "completed")
    instance = await complete(client, instance, "security_crypto_review", SECURITY_OK, UNIT)
    task = only(instance, "final_acceptance", "hub", "招远 第十七—十九条")
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=HUB)).json()
    assert {"clause": f"招远 {ACCEPT_CLAUSE}",
            "expression": "${not approved or security_assessment_passed}"} in detail["gates"]
    await refused_unchanged(client, instance, "final_acceptance",
                            ACCEPTANCE_OK | {"security_assessment_passed": False}, HUB,
                            ACCEPT_CLAUSE)
    # not accepted: back to the unit to rectify (the text gives no other route)
    instance = await complete(client, instance, "final_acceptance",
                              ACCEPTANCE_OK | NO | {"security_assessment_passed": False}, HUB)
    assert keys(instance) == ["implementation"]
    instance = await step(client, instance, "completed")
    instance = await complete(client, instance, "security_crypto_review", SECURITY_OK, UNIT)
    instance = await complete(client, instance, "final_acceptance", ACCEPTANCE_OK, HUB)
    instance = await complete(client, instance, "om_filing", OM_FILED, UNIT)
    assert (instance["state"], instance["outcome"]) == ("completed", "accepted")


async def test_the_unit_records_its_assessment_but_does_not_approve_it(client):
    """第十八条: the unit carries out the assessment; whether it is passed for acceptance is
    the hub's decision, in its own task: the unit's form has no approval, and the unit may not
    accept."""
    instance = await step(client, await building(client, "ZY-B-SELF"), "completed")
    task = only(instance, "security_crypto_review", "unit", "招远 第十八条")
    form = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()["form"]
    assert "approved" not in form["properties"]
    # the assessor's report is a document (第十八、二十条); going on the cloud needs the
    # signed security letter, also a document
    await refused_form(client, instance, "security_crypto_review",
                       without(SECURITY_OK, "security_test_report"), UNIT,
                       "security_test_report", "required")
    await refused_unchanged(client, instance, "security_crypto_review",
                            without(SECURITY_OK, "platform_security_letter"), UNIT,
                            "第十八条 系统部署上云时要签订技术平台安全责任书")
    instance = await complete(client, instance, "security_crypto_review", SECURITY_OK, UNIT)
    task = ready(instance, "final_acceptance")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": ACCEPTANCE_OK})
    assert response.status_code == 403


async def test_a_failed_assessment_goes_back_to_construction(client):
    """A failed assessment has its report too (the conclusion is the report's); a project
    kept off the cloud on a legal basis needs no cloud security letter."""
    instance = await begin(client, "ZY-B-SECNO")
    instance = await complete(client, instance, "declare", MATERIALS | {
        "deploy_on_government_cloud": False, "non_cloud_basis": "《某法》第十条：须本地部署"},
        UNIT)
    instance = await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)
    instance = await joint(client, instance)
    instance = await complete(client, instance, "fund_review", FUND_OK, FINANCE)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    instance = await complete(client, instance, "procurement", PROCURED, UNIT)
    instance = await complete(client, instance, "contract_filing", FILED, UNIT)
    instance = await step(client, instance, "completed")
    instance = await complete(client, instance, "security_crypto_review",
                              without(SECURITY_OK, "platform_security_letter")
                              | {"assessment_passed": False}, UNIT)
    assert keys(instance) == ["implementation"]


# -- the other conditions the text makes binding --------------------------------------------

async def test_declaration_off_the_government_cloud_needs_its_legal_basis(client):
    """第七条 不得使用非政务云平台 unless a law, regulation or state document says so."""
    instance = await begin(client, "ZY-B-CLOUD")
    off_cloud = MATERIALS | {"deploy_on_government_cloud": False}
    await refused_unchanged(client, instance, "declare", off_cloud, UNIT,
                            "第七条 依托政务云平台部署")
    await refused_unchanged(client, instance, "declare", off_cloud | {"non_cloud_basis": ""},
                            UNIT, "第七条 依托政务云平台部署")
    instance = await complete(client, instance, "declare",
                              off_cloud | {"non_cloud_basis": "《某法》第十条：须本地部署"}, UNIT)
    only(instance, "expert_review", "experts", "招远 第八条")


@pytest.mark.parametrize("criterion", ["c1_overall_plan", "c8_security_plan",
                                       "c9_budget_schedule"])
async def test_the_panel_cannot_pass_a_project_failing_a_criterion(client, criterion):
    """第八条 (一)—(九): a preliminary review that passes must meet every criterion."""
    instance = await complete(client, await begin(client, f"ZY-B-EXP-{criterion}"), "declare",
                              MATERIALS, UNIT)
    await refused_unchanged(client, instance, "expert_review", EXPERT_OK | {criterion: False},
                            EXPERT, "第八条 初审通过须符合(一)至(九)各项")
    instance = await complete(client, instance, "expert_review",
                              EXPERT_OK | NO | {criterion: False}, EXPERT)
    assert (instance["state"], instance["outcome"]) == ("completed", "rejected")


async def test_budget_review_cannot_pass_an_unreasonable_estimate(client):
    """第八条(九)、第十二条: finance does not pass a budget whose estimate is not reasonable."""
    instance = await complete(client, await begin(client, "ZY-B-FUND"), "declare",
                              MATERIALS, UNIT)
    instance = await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)
    instance = await joint(client, instance)
    await refused_unchanged(client, instance, "fund_review",
                            FUND_OK | {"budget_reasonable": False}, FINANCE,
                            "第八条(九)、第十二条")


async def test_the_ndrc_approves_only_with_an_approved_investment(client):
    """第四条: 发改局 作出审查（批准或核定）意见: an approval names the investment."""
    instance = await reviewed(client, "ZY-B-NDRC", gov_investment=True)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    await refused_unchanged(client, instance, "approval", OK, APPROVAL, "第四条 批准须作出")
    instance = await complete(client, instance, "approval",
                              OK | {"approved_investment": 115}, APPROVAL)
    only(instance, "approval_permit", "administrative_approval", "招远 第四条")


async def test_procurement_contract_cloud_change_and_om_filing_bind(client):
    """第二十一条 按审核批准的采购内容 and 合同报备案; 第十四条 the two cloud tables, to the hub
    and the provider; 第二十条 the acceptance report in the archive."""
    instance = await reviewed(client, "ZY-B-PROC")
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    await refused_unchanged(client, instance, "procurement",
                            PROCURED | {"content_as_approved": False}, UNIT,
                            "第二十一条 按审核批准的采购内容组织采购")
    instance = await complete(client, instance, "procurement", PROCURED, UNIT)
    await refused_form(client, instance, "contract_filing", without(FILED, "contract_text"),
                       UNIT, "contract_text", "required")
    instance = await complete(client, instance, "contract_filing", FILED, UNIT)
    instance = await step(client, instance, "request_cloud_change")
    for table in ("cloud_resource_demand", "cloud_resource_audit"):
        await refused_form(client, instance, "cloud_resource_request",
                           without(CLOUD_CHANGE, table), UNIT, table, "required")
    await refused_unchanged(client, instance, "cloud_resource_request",
                            CLOUD_CHANGE | {"reported_to_provider": False}, UNIT,
                            "第十四条 向市大数据服务中心、云平台服务商申报")
    instance = await complete(client, instance, "cloud_resource_request", CLOUD_CHANGE, UNIT)
    instance = await step(client, instance, "completed")
    instance = await complete(client, instance, "security_crypto_review", SECURITY_OK, UNIT)
    instance = await complete(client, instance, "final_acceptance", ACCEPTANCE_OK, HUB)
    await refused_form(client, instance, "om_filing", without(OM_FILED, "acceptance_report"),
                       UNIT, "acceptance_report", "required")


async def test_a_filing_needs_its_basis_verified(client):
    """第六条第二款: only a project the principal leader approved, or the state/province
    arranged and funds, is filed instead of reviewed."""
    instance = await begin(client, "ZY-B-FILE", leader_directed=True)
    await refused_unchanged(client, instance, "filing_review",
                            OK | {"filing_basis_verified": False}, HUB, "第六条第二款")


# -- separation of duties: each body of 第四条 decides only its own step ----------------------

async def test_the_ndrc_reviewer_may_not_also_issue_the_approval(client):
    """第四条: 发改局 reviews 立项; 行政审批服务局 issues the approval on that opinion."""
    instance = await reviewed(client, "ZY-B-SOD-NDRC", gov_investment=True)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    instance = await complete(client, instance, "approval",
                              OK | {"approved_investment": 115}, NDRC_AND_PERMIT)
    permit = ready(instance, "approval_permit")
    assert permit["candidate_groups"] == ["administrative_approval"]
    for attempt in (client.post(f"{API}/tasks/{permit['id']}/claim", headers=NDRC_AND_PERMIT),
                    client.post(f"{API}/tasks/{permit['id']}/complete", headers=NDRC_AND_PERMIT,
                                json={"variables": {"approval_document_no": "招审批〔2026〕1号",
                                                    "approval_document": str(uuid4())}})):
        refused = await attempt
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "task.separation_of_duties"
    # the approval bureau's own official issues it
    instance = await complete(client, instance, "approval_permit", PERMIT_OK, PERMIT)
    only(instance, "procurement", "unit", "招远 第十九、二十一条")


async def test_one_official_may_not_sign_the_joint_review_for_hub_and_finance(client):
    """第九条: the hub and finance each sign; one user in both groups signs for one only,
    and having signed for the hub may not then pass the budget review for finance."""
    instance = await complete(client, await begin(client, "ZY-B-SOD-JOINT"), "declare",
                              MATERIALS, UNIT)
    instance = await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)
    response = await sign(client, instance, "joint_review", "hub", JOINT_OK, HUB_AND_FINANCE)
    assert response.status_code == 200, response.text
    instance = response.json()
    refused = await sign(client, instance, "joint_review", "finance", JOINT_OK,
                         HUB_AND_FINANCE)
    assert (refused.status_code, refused.json()["code"]) == (403, "task.separation_of_duties")
    assert slot(instance, "joint_review", "finance")  # still finance's to sign
    response = await sign(client, instance, "joint_review", "finance", JOINT_OK, FINANCE)
    instance = response.json()
    refused = await submit(client, instance, "fund_review", FUND_OK, HUB_AND_FINANCE)
    assert (refused.status_code, refused.json()["code"]) == (403, "task.separation_of_duties")
    instance = await complete(client, instance, "fund_review", FUND_OK, FINANCE)
    assert instance["ready_tasks"] == []


async def test_the_declaring_unit_may_not_review_its_own_project(client):
    """第八条: the panel the hub organises reviews, not the unit that declared."""
    instance = await begin(client, "ZY-B-SOD-UNIT")
    instance = await complete(client, instance, "declare", MATERIALS, UNIT_AND_EXPERT)
    refused = await submit(client, instance, "expert_review",
                           EXPERT_OK | {"expert_opinion_document": str(uuid4())},
                           UNIT_AND_EXPERT)
    assert (refused.status_code, refused.json()["code"]) == (403, "task.separation_of_duties")
    instance = await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)
    assert keys(instance) == ["joint_review", "joint_review"]


async def test_the_leading_group_is_not_the_city_government(client):
    """第四条 专项小组 leads and passes the budget (第十条); 第六条 consent is the 市政府's."""
    instance = await reviewed(client, "ZY-B-SOD-GOV")
    instance = await message(client, instance, "annual_plan_approved")
    task = only(instance, "government_consent", "city_government", "招远 第六条")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=LEADING_GROUP,
                                 json={"variables": OK})
    assert (response.status_code, response.json()["code"]) == (403, "task.not_candidate")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    only(instance, "procurement", "unit", "招远 第十九、二十一条")
