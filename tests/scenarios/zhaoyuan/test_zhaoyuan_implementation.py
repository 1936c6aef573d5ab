"""招远 (招政办字〔2021〕33号): contract filing, implementation with progress reports, cloud
changes, adjustments and their new review, supervision up to termination, the security
assessment, acceptance and the O&M filing."""

from datetime import UTC, date, datetime

import pytest

from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    ACCEPTANCE_OK,
    CLOUD_CHANGE,
    DOC,
    EXPERT,
    EXPERT_OK,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    JOINT_OK,
    LANES,
    NO,
    OK,
    OM_FILED,
    ORDER,
    PROCURED,
    SECURITY_OK,
    TENANT,
    UNIT,
    building,
    complete,
    due_day,
    joint,
    keys,
    message,
    only,
    refused_by_gate,
    reviewed,
    sign,
    slot,
    step,
)
from tests.support.api import API, history, token

pytestmark = pytest.mark.usefixtures("deployed", "in_window")


async def test_contract_is_filed_within_five_working_days_of_signing(client, in_window):
    in_window.set(datetime(2025, 7, 15, 1, tzinfo=UTC))  # declared for 2026 in July 2025
    instance = await reviewed(client, "ZY-CONTRACT", plan_year=2026)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    # signed on Monday 2026-03-02, recorded on Wednesday: the 5 working days count from the
    # signing (Mar 3, 4, 5, 6, 9), not from the recording
    in_window.set(datetime(2026, 3, 4, 1, tzinfo=UTC))
    instance = await complete(client, instance, "procurement",
                              PROCURED | {"contract_signed_on": "2026-03-02"}, UNIT)
    task = only(instance, "contract_filing", "unit", "招远 第二十一条")
    assert due_day(task) == date(2026, 3, 9)
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {"filed_on": "2026-03-05"}})
    assert response.status_code == 422  # the contract text itself is filed (a document)
    assert [e["field"] for e in response.json()["errors"]] == ["contract_text"]
    instance = await complete(client, instance, "contract_filing",
                              {"contract_text": DOC, "filed_on": "2026-03-05"}, UNIT)
    only(instance, "implementation", "unit", "招远 第十一、十三、十四、二十二条")


async def test_progress_report_and_cloud_change_return_to_implementation(client):
    instance = await building(client, "ZY-LOOPS")
    instance = await step(client, instance, "report_progress")
    task = only(instance, "progress_report", "unit", "招远 第十一条")
    assert due_day(task) == date(2026, 12, 31)
    instance = await complete(client, instance, "progress_report", {
        "construction_progress": "完成需求调研和系统设计", "budget_execution": "已支付30%",
        "budget_execution_report": DOC}, UNIT)
    assert keys(instance) == ["implementation"]
    instance = await step(client, instance, "request_cloud_change")
    only(instance, "cloud_resource_request", "unit", "招远 第十四条")
    instance = await complete(client, instance, "cloud_resource_request", CLOUD_CHANGE, UNIT)
    assert keys(instance) == ["implementation"]


# -- adjustments (第十三条) ---------------------------------------------------------------

CHANGE = {"goal_changed": False, "site_changed": False, "budget_changed": True,
          "content_changed": True, "schedule_changed": False,
          "change_description": "增加移动端，预算相应调整", "contract_amount": 110,
          "change_amount": 20, "total_after_change": 130}
CHANGE_REVIEW = {"major_change": True, "no_overrun_top_up": True}


async def _changing(client, key):
    instance = await step(client, await building(client, key), "change_request")
    task = only(instance, "change_request", "unit", "招远 第十三条")
    assert task["process_id"] == "change_process"
    instance = await complete(client, instance, "change_request", CHANGE, UNIT)
    only(instance, "change_review", "hub", "招远 第十三条")
    return instance


async def test_minor_change_accepted_by_the_hub(client):
    instance = await _changing(client, "ZY-CHG-MINOR")
    instance = await complete(client, instance, "change_review",
                              OK | CHANGE_REVIEW | {"major_change": False}, HUB)
    assert keys(instance) == ["implementation"]


async def test_change_refused(client):
    instance = await _changing(client, "ZY-CHG-NO")
    instance = await complete(client, instance, "change_review", NO | CHANGE_REVIEW, HUB)
    assert keys(instance) == ["implementation"]


async def test_major_change_goes_through_a_new_review(client):
    instance = await _changing(client, "ZY-CHG-MAJOR")
    instance = await complete(client, instance, "change_review", OK | CHANGE_REVIEW, HUB)
    only(instance, "expert_review", "experts", "招远 第十三条、第八条")
    instance = await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)
    # 第十三条 重新履行审核手续: the joint review signed by both bodies (第九条), the budget
    # review (第四、十二条) and the city government's consent (第六条), as at first
    assert keys(instance) == ["joint_review", "joint_review"]
    assert slot(instance, "joint_review", "hub")["clause"] == "招远 第十三条、第九条"
    instance = await joint(client, instance)
    only(instance, "fund_review", "finance", "招远 第十三条、第四条、第十二条")
    instance = await complete(client, instance, "fund_review", FUND_OK, FINANCE)
    only(instance, "government_consent", "city_government", "招远 第十三条、第六条")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    assert keys(instance) == ["implementation"]
    events = [e["element_id"] for e in await history(client, instance["id"])]
    assert "change_accepted" in events


@pytest.mark.parametrize(("refused_at", "end"), [
    ("expert_review", "change_refused"),
    ("joint_review", "change_refused"),
    ("fund_review", "change_fund_refused"),
    ("government_consent", "change_consent_refused"),
])
async def test_major_change_failing_the_new_review_is_refused(client, refused_at, end):
    """第十三条: a major change is adjusted only when every review body agrees again; any
    refusal leaves the project on its original approval."""
    instance = await _changing(client, f"ZY-CHG-FAIL-{refused_at}")
    instance = await complete(client, instance, "change_review", OK | CHANGE_REVIEW, HUB)
    steps = [("expert_review", EXPERT_OK, EXPERT), ("joint_review", JOINT_OK, None),
             ("fund_review", FUND_OK, FINANCE), ("government_consent", OK, GOVERNMENT)]
    for key, variables, headers in steps:
        verdict = variables | NO if key == refused_at else variables
        if key == "joint_review":
            instance = await joint(client, instance, finance=verdict)
        else:
            instance = await complete(client, instance, key, verdict, headers)
        if key == refused_at:
            break
    assert keys(instance) == ["implementation"]
    events = [e["element_id"] for e in await history(client, instance["id"])]
    assert end in events
    assert "change_accepted" not in events


# -- supervision (第二十二、二十四条) --------------------------------------------------------

async def _inspected(client, key):
    instance = await message(client, await building(client, key), "inspection_started")
    task = only(instance, "inspection", "hub", "招远 第二十二、二十四条")
    assert task["process_id"] == "inspection_process"
    return instance


async def test_inspection_finding_nothing_resumes_implementation(client):
    instance = await _inspected(client, "ZY-INS-OK")
    instance = await complete(client, instance, "inspection",
                              {"finding": "compliant", "opinion": "符合规定"}, HUB)
    assert keys(instance) == ["implementation"]


async def _ordered(client, instance, due: str = "2026-08-31") -> dict:
    """The hub orders the rectification, by ``due`` (第二十四条 限期整改)."""
    task = only(instance, "rectification_order", "hub", "招远 第二十二、二十四条")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                 json={"variables": {"rectification_requirements": "按期整改"}})
    assert response.status_code == 422  # an order to rectify needs its deadline
    assert "rectification_due" in response.text
    instance = await complete(client, instance, "rectification_order",
                              ORDER | {"rectification_due": due}, HUB)
    task = only(instance, "rectification", "unit", "招远 第二十二、二十四条")
    assert due_day(task) == date.fromisoformat(due)
    return instance


async def test_rectification_checked_by_the_hub(client):
    instance = await _inspected(client, "ZY-INS-RECT")
    instance = await complete(client, instance, "inspection", {
        "finding": "rectify", "opinion": "未按批准的采购内容采购"}, HUB)
    instance = await _ordered(client, instance, "2026-08-14")
    task = only(instance, "rectification", "unit", "招远 第二十二、二十四条")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {"rectification_report": ""}})
    assert response.status_code == 422
    instance = await complete(client, instance, "rectification",
                              {"rectification_report": "已按批准内容重新采购"}, UNIT)
    only(instance, "rectification_review", "hub", "招远 第二十四条")
    instance = await complete(client, instance, "rectification_review", OK, HUB)
    assert keys(instance) == ["implementation"]


async def test_failed_rectification_deferred_funds_then_refusal_then_termination(client):
    instance = await _inspected(client, "ZY-INS-TERM")
    instance = await complete(client, instance, "inspection",
                              {"finding": "rectify", "opinion": "数据未接入共享平台"}, HUB)
    instance = await _ordered(client, instance, "2026-07-31")
    instance = await complete(client, instance, "rectification",
                              {"rectification_report": "部分接入"}, UNIT)
    instance = await complete(client, instance, "rectification_review", NO, HUB)
    only(instance, "supervision_measure", "hub", "招远 第二十四条")
    instance = await complete(client, instance, "supervision_measure",
                              {"measure": "defer_funds", "opinion": "暂缓拨付建设资金"}, HUB)
    instance = await _ordered(client, instance, "2026-08-31")  # a new deadline for a new round
    instance = await message(client, instance, "rectification_refused")  # 拒不整改
    only(instance, "supervision_measure", "hub", "招远 第二十四条")
    instance = await complete(client, instance, "supervision_measure",
                              {"measure": "terminate", "opinion": "拒不整改，终止项目"}, HUB)
    assert (instance["state"], instance["outcome"]) == ("completed", "terminated")


async def test_incident_report_suspends_construction_until_rectified(client):
    instance = await building(client, "ZY-INCIDENT")
    instance = await step(client, instance, "incident_report",
                          incident_description="工程严重逾期")
    only(instance, "inspection", "hub", "招远 第二十二、二十四条")
    instance = await complete(client, instance, "inspection",
                              {"finding": "suspend", "opinion": "暂停建设，限期整改"}, HUB)
    instance = await _ordered(client, instance)
    instance = await complete(client, instance, "rectification",
                              {"rectification_report": "调整实施计划"}, UNIT)
    instance = await complete(client, instance, "rectification_review", NO, HUB)
    instance = await complete(client, instance, "supervision_measure",
                              {"measure": "suspend", "opinion": "继续暂停建设"}, HUB)
    instance = await _ordered(client, instance, "2026-09-30")
    instance = await complete(client, instance, "rectification",
                              {"rectification_report": "已追回进度"}, UNIT)
    instance = await complete(client, instance, "rectification_review", OK, HUB)
    assert keys(instance) == ["implementation"]
    assert instance["variables"]["measure"] == "suspend"


async def test_inspection_message_is_refused_outside_implementation(client):
    instance = await reviewed(client, "ZY-INS-EARLY")
    response = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 json={"name": "inspection_started"}, headers=HUB)
    assert response.status_code == 409


# -- security assessment, acceptance, O&M filing (第三、十二、十七—二十条) -------------------

async def test_failed_security_assessment_or_acceptance_returns_to_implementation(client):
    instance = await step(client, await building(client, "ZY-ACC-FAIL"), "completed")
    only(instance, "security_crypto_review", "unit", "招远 第十八条")
    instance = await complete(client, instance, "security_crypto_review",
                              SECURITY_OK | {"assessment_passed": False}, UNIT)
    assert keys(instance) == ["implementation"]
    instance = await step(client, instance, "completed")
    instance = await complete(client, instance, "security_crypto_review", SECURITY_OK, UNIT)
    only(instance, "final_acceptance", "hub", "招远 第十七—十九条")
    instance = await complete(client, instance, "final_acceptance",
                              ACCEPTANCE_OK | NO | {"secure_controllable": False}, HUB)
    assert keys(instance) == ["implementation"]


async def test_accepted_project_is_filed_for_operation(client):
    instance = await step(client, await building(client, "ZY-ACCEPTED"), "completed")
    instance = await complete(client, instance, "security_crypto_review", SECURITY_OK, UNIT)
    task = only(instance, "final_acceptance", "hub", "招远 第十七—十九条")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                 json={"variables": OK})
    assert response.status_code == 422  # the acceptance conditions must be answered
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=FINANCE,
                                 json={"variables": ACCEPTANCE_OK})
    assert response.status_code == 403
    instance = await complete(client, instance, "final_acceptance",
                              ACCEPTANCE_OK | {"savings": 2.5}, HUB)
    task = only(instance, "om_filing", "unit", "招远 第三、十二、二十条")
    assert task["lane"] == LANES["unit"]
    instance = await complete(client, instance, "om_filing", OM_FILED, UNIT)
    assert (instance["state"], instance["outcome"]) == ("completed", "accepted")


async def test_in_a_major_changes_review_each_body_decides_only_its_own_step(client):
    """第十三条 with 第四、九条: the re-review separates duties as the first review does: the
    hub official who reviewed the change and signed the hub's part may not sign finance's, nor
    pass the budget review (403); nor may a gate be skipped (第九条, 422)."""
    both = token("zy_hub_fin_chg", TENANT, ("hub", "finance"))
    instance = await _changing(client, "ZY-CHG-SOD")
    instance = await complete(client, instance, "change_review", OK | CHANGE_REVIEW, both)
    instance = await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)
    refused_by_gate(await sign(client, instance, "joint_review", "hub",
                               JOINT_OK | {"feeds_sharing_platform": False}, both),
                    "第九条 未完成迁移整合")
    response = await sign(client, instance, "joint_review", "hub", JOINT_OK, both)
    assert response.status_code == 200, response.text
    refused = await sign(client, response.json(), "joint_review", "finance", JOINT_OK, both)
    assert (refused.status_code, refused.json()["code"]) == (403, "task.separation_of_duties")
    response = await sign(client, response.json(), "joint_review", "finance", JOINT_OK, FINANCE)
    instance = response.json()
    task = only(instance, "fund_review", "finance", "招远 第十三条、第四条、第十二条")
    refused = await client.post(f"{API}/tasks/{task['id']}/complete", headers=both,
                                json={"variables": FUND_OK})
    assert (refused.status_code, refused.json()["code"]) == (403, "task.separation_of_duties")
    instance = await complete(client, instance, "fund_review", FUND_OK, FINANCE)
    only(instance, "government_consent", "city_government", "招远 第十三条、第六条")
