"""高青, from the annual plan to the end: procurement review, the supervisor filing from 200万
（含）, implementation with plan changes, cloud resources and inspections, initial acceptance
(the trial run of new software, half-year limit, extension), the acceptance application
(outline design document from 100万), final acceptance in 20 working days with rectification,
the settlement review and the performance evaluation (三(二)4—四, 附件7)."""

from datetime import UTC, datetime

import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_criteria import ACCEPTANCE_CRITERIA
from tests.scenarios.gaoqing.gaoqing_support import (
    ACCEPTED,
    APPLICATION,
    AUDIT,
    COMPLETED,
    DECLARATION,
    DOC,
    EVALUATION,
    EXPECTED_ON,
    FINANCE,
    GOVERNMENT,
    HUB,
    INITIAL_PASSED,
    OK,
    ONSITE_OK,
    ORDERED,
    PROCUREMENT,
    RECTIFIED,
    SETTLEMENT,
    TENANT,
    UNIT,
    in_construction,
    inspect,
    keys,
    message,
    refused,
    refused_form,
    state,
    step,
    without,
)
from tests.support.api import API, history, ready
from tests.support.bundled import bundled


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


INSPECTED = {"policy_and_design": "按方案实施", "procurement_quality_progress_funds": "正常",
             "opinion": "检查意见"}
MEASURES = {"criticism": True, "withhold_funds": True, "suspend_construction": True,
            "terminate_project": False}


async def completed(client, instance: dict) -> dict:
    """Construction completed: at the initial acceptance."""
    instance = await step(client, instance, "implementation", COMPLETED)
    assert keys(instance) == ["initial_acceptance"]
    assert instance["variables"]["phase"] == "acceptance"
    return instance


async def test_procurement_documents_are_reviewed_before_procurement(client):
    instance = await in_construction(client, "GQ-PROC-0", total_investment=80)
    assert instance["variables"]["supervisor_required"] is False


async def test_a_refused_procurement_review_sends_the_documents_back(client):
    from tests.scenarios.gaoqing.gaoqing_support import WRITTEN_OK, begin, countersign

    instance = await begin(client, "GQ-PROC-1")
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    instance = await countersign(client, instance)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await step(client, instance, "procurement_documents",
                          {"procurement_files": DOC})
    review = {"consistent_with_plan": False, "in_annual_plan": True}
    # 三(三)1: documents that depart from the approved plan cannot be approved
    await refused(client, instance, "procurement_review", OK | review, "高青 三(三)1")
    instance = await step(client, instance, "procurement_review",
                          {"approved": False, "opinion": "采购内容超出建设方案"} | review)
    assert keys(instance) == ["procurement_documents"]
    instance = await step(client, instance, "procurement_documents",
                          {"procurement_files": DOC, "procurement_method": "公开招标"})
    instance = await step(client, instance, "procurement_review",
                          OK | review | {"consistent_with_plan": True})
    assert keys(instance) == ["procurement"]


@pytest.mark.parametrize(("amount", "engineering", "supervisor"), [
    (200, True, True), (199.99, True, False), (200, False, False)])
async def test_supervisor_filing_from_200_for_it_engineering(client, amount, engineering,
                                                             supervisor):
    instance = await in_construction(client, f"GQ-SUP-{amount}-{engineering}",
                                     declaration=DECLARATION | {"it_engineering": engineering},
                                     total_investment=amount)
    assert instance["variables"]["supervisor_required"] is supervisor
    events = [e["element_id"] for e in await history(client, instance["id"])
              if e["event"] == "task_completed"]
    assert ("supervisor_filing" in events) is supervisor


async def test_changes_and_cloud_resources_return_to_implementation(client):
    instance = await in_construction(client, "GQ-CHANGE")
    instance = await step(client, instance, "implementation",
                          {"next_step": "change", "progress": "需求变化",
                           "completed_on": EXPECTED_ON})
    assert keys(instance) == ["change_request"]
    instance = await step(client, instance, "change_request", {
        "change_reason": "上级政策调整，确需紧急变更", "change_content": "增加数据共享接口",
        "total_after_change": 80})
    # 三(二)4 按程序报批: the two bodies that compile the plan (三(二)3) each sign the change
    slots = {tuple(t["candidate_groups"]): t for t in instance["ready_tasks"]}
    assert set(slots) == {("hub",), ("finance",)}
    assert {t["clause"] for t in slots.values()} == {"高青 三(二)4"}
    hub_slot, finance_slot = slots[("hub",)], slots[("finance",)]
    # only special or urgent reasons justify a change
    response = await client.post(f"{API}/tasks/{finance_slot['id']}/complete", headers=FINANCE,
                                 json={"variables": OK | {"special_or_urgent": False}})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "task.gate_failed"
    response = await client.post(f"{API}/tasks/{hub_slot['id']}/complete", headers=FINANCE,
                                 json={"variables": OK | {"special_or_urgent": True}})
    assert response.status_code == 403, response.text  # the hub's slot is the hub's
    response = await client.post(f"{API}/tasks/{finance_slot['id']}/complete", headers=FINANCE,
                                 json={"variables": {"approved": False, "special_or_urgent": False,
                                                     "opinion": "不属于特殊或紧急情况"}})
    assert response.status_code == 200, response.text
    assert keys(response.json()) == ["change_review"]  # one signature is not the decision
    response = await client.post(f"{API}/tasks/{hub_slot['id']}/complete", headers=HUB,
                                 json={"variables": OK | {"special_or_urgent": True}})
    assert response.status_code == 200, response.text
    instance = response.json()
    assert keys(instance) == ["implementation"]
    results = instance["variables"]["change_review_results"]
    assert [r["approved"] for r in results] == [True, False]  # slot order: hub, finance
    instance = await step(client, instance, "implementation",
                          {"next_step": "cloud_resources", "completed_on": EXPECTED_ON})
    instance = await step(client, instance, "cloud_resource_request", {
        "request_type": "new", "resources": "4核8G云主机2台", "request_form": DOC})
    instance = await step(client, instance, "cloud_resource_review",
                          OK | {"allocated": "政务外网区云主机2台"})
    assert keys(instance) == ["implementation"]


async def test_inspection_findings_are_rectified_during_construction(client):
    instance = await in_construction(client, "GQ-INSPECT")
    instance = await message(client, instance, "inspection_started")
    assert keys(instance) == ["inspection"] * 3  # implementation is interrupted
    instance = await inspect(client, instance)
    assert keys(instance) == ["implementation"]
    instance = await message(client, instance, "inspection_started")
    instance = await inspect(client, instance, {"finance": "problems"})
    assert keys(instance) == ["rectification_order"]  # the hub sets the deadline
    instance = await step(client, instance, "rectification_order", ORDERED)
    assert keys(instance) == ["rectification"]  # due 2026-03-31 (step checks it)
    instance = await step(client, instance, "rectification", RECTIFIED)
    assert keys(instance) == ["implementation"]


async def test_major_findings_go_to_the_county_government(client):
    instance = await in_construction(client, "GQ-MAJOR")
    instance = await message(client, instance, "inspection_started")
    instance = await inspect(client, instance, {"audit": "major", "finance": "problems"})
    assert keys(instance) == ["supervision_measure"]
    instance = await step(client, instance, "supervision_measure", OK | MEASURES, GOVERNMENT)
    assert keys(instance) == ["rectification_order"]  # suspended until rectified
    instance = await step(client, instance, "rectification_order", ORDERED)
    assert instance["variables"]["suspend_construction"] is True
    instance = await step(client, instance, "rectification", RECTIFIED)
    assert keys(instance) == ["implementation"]

    instance = await message(client, instance, "inspection_started")
    instance = await inspect(client, instance, {"audit": "major", "finance": "problems"})
    done = await step(client, instance, "supervision_measure",
                      OK | MEASURES | {"terminate_project": True})
    assert (done["state"], done["outcome"]) == ("completed", "terminated")
    assert done["ready_tasks"] == []


async def test_termination_needs_the_county_governments_approval(client):
    # 三(三)4 报县政府批准后，可...通报批评、暂缓拨付、暂停建设，直至终止项目: no measure without
    # the approval; a refusal goes back to rectification.
    instance = await in_construction(client, "GQ-NOTERM")
    instance = await message(client, instance, "inspection_started")
    instance = await inspect(client, instance, {"audit": "major", "finance": "problems"})
    refusal = {"approved": False, "opinion": "不同意终止，限期整改"}
    await refused(client, instance, "supervision_measure",
                  refusal | MEASURES | {"terminate_project": True}, "高青 三(三)4")
    instance = await step(client, instance, "supervision_measure", refusal | {
        "criticism": False, "withhold_funds": False, "suspend_construction": False,
        "terminate_project": False})
    assert keys(instance) == ["rectification_order"]


async def test_no_inspection_outside_construction(client):
    instance = await in_construction(client, "GQ-NOINSPECT")
    instance = await completed(client, instance)
    response = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 json={"name": "inspection_started"}, headers=HUB)
    assert response.status_code == 409, response.text


async def test_new_software_waits_at_the_trial_run_before_initial_acceptance(client):
    # 三(四)1: the waiting itself (3 months, then initial_acceptance) is walked with a moving
    # clock in test_gaoqing_deadlines; here: nothing is ready while the trial run lasts.
    instance = await in_construction(client, "GQ-TRIAL",
                                     declaration=DECLARATION | {"new_software": True})
    instance = await step(client, instance, "implementation", COMPLETED)
    assert instance["ready_tasks"] == []
    assert instance["state"] == "running"
    events = [(e["event"], e["element_id"]) for e in await history(client, instance["id"])]
    assert ("task_completed", "implementation") in events
    assert ("timer_fired", "trial_run") not in events


async def test_projects_without_new_software_have_no_trial_run_minimum(client):
    instance = await in_construction(client, "GQ-HW")
    instance = await completed(client, instance)  # at initial_acceptance at once
    instance = await step(client, instance, "initial_acceptance",
                          without(INITIAL_PASSED, "software_test_report"))
    assert keys(instance) == ["acceptance_application"]


async def test_failed_initial_acceptance_goes_back_to_construction(client):
    instance = await in_construction(client, "GQ-INITFAIL")
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance",
                          INITIAL_PASSED | {"initial_result": "failed", "opinion": "功能未完成"})
    assert keys(instance) == ["implementation"]
    assert instance["variables"]["phase"] == "construction"
    # an inspection now is a construction-time inspection: rectified, back to implementation
    instance = await message(client, instance, "inspection_started")
    instance = await inspect(client, instance, {"hub": "problems"})
    instance = await step(client, instance, "rectification_order", ORDERED)
    instance = await step(client, instance, "rectification", RECTIFIED)
    assert keys(instance) == ["implementation"]


EXTENSION = INITIAL_PASSED | {"initial_result": "extension", "opinion": "等待上级平台对接"}
GRANTED = OK | {"special_reason": True}


async def test_an_extension_granted_by_the_hub_is_due_at_the_date_it_granted(client):
    instance = await in_construction(client, "GQ-EXT")
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", EXTENSION)
    assert keys(instance) == ["acceptance_extension"]
    instance = await step(client, instance, "acceptance_extension",
                          GRANTED | {"extended_until": "2026-12-31"})
    assert keys(instance) == ["initial_acceptance_extended"]
    assert ready(instance, "initial_acceptance_extended")["due_at"] == \
        "2026-12-31T15:59:59.999999Z"
    # a second extension: the script extension_requested forgets the first date
    instance = await step(client, instance, "initial_acceptance_extended", EXTENSION)
    assert keys(instance) == ["acceptance_extension"]
    assert instance["variables"]["extended_until"] is None
    instance = await step(client, instance, "acceptance_extension",
                          GRANTED | {"extended_until": "2027-03-31"})
    assert ready(instance, "initial_acceptance_extended")["due_at"] == \
        "2027-03-31T15:59:59.999999Z"
    instance = await step(client, instance, "initial_acceptance_extended", INITIAL_PASSED)
    assert keys(instance) == ["acceptance_application"]


async def test_an_extension_granted_without_a_date_is_refused(client):
    # the reopened task is due @extended_until: the hub's step fails with 422, naming it
    instance = await in_construction(client, "GQ-EXT-NODATE")
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", EXTENSION)
    task = ready(instance, "acceptance_extension")
    assert task["key"] == "acceptance_extension"
    await refused(client, instance, "acceptance_extension", GRANTED, "高青 附件7 一")
    await refused(client, instance, "acceptance_extension",
                  GRANTED | {"special_reason": False, "extended_until": "2026-12-31"},
                  "高青 附件7 一")


async def test_a_refused_extension_keeps_the_half_year_from_completion(client):
    instance = await in_construction(client, "GQ-EXT-NO")
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", EXTENSION)
    instance = await step(client, instance, "acceptance_extension",
                          {"approved": False, "opinion": "理由不充分", "special_reason": False})
    assert keys(instance) == ["initial_acceptance"]  # due 2026-09-02 still (step checks it)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    assert keys(instance) == ["acceptance_application"]


async def test_the_completion_date_and_the_rectification_deadline_are_required(client):
    instance = await in_construction(client, "GQ-DATES")
    task = ready(instance, "implementation")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {"next_step": "completed"}})
    assert response.status_code == 422, response.text
    assert "completed_on" in response.text
    instance = await message(client, instance, "inspection_started")
    instance = await inspect(client, instance, {"hub": "problems"})
    task = ready(instance, "rectification_order")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB, json={
        "variables": {"rectification_requirements": "整改要求"}})
    assert response.status_code == 422, response.text
    assert "rectification_due" in response.text


@pytest.mark.parametrize(("value", "outline_required"), [(100, True), (99.99, False)])
async def test_outline_design_document_from_100(client, value, outline_required):
    # 附件7 五(十一)1 单个软件系统价值在100万元以上: from 100 the 概要设计说明书 is a required
    # document (the gate refuses the application without it); at 99.99 it is not asked for.
    instance = await in_construction(client, f"GQ-OUTLINE-{value}")
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    application = APPLICATION | {"largest_software_system_value": value}
    if outline_required:
        await refused(client, instance, "acceptance_application", application,
                      "高青 附件7 五(十一)1")
        application |= {"outline_design_document": DOC}
    instance = await step(client, instance, "acceptance_application", application)
    assert keys(instance) == ["final_acceptance"]
    assert ("outline_design_document" in instance["variables"]) is outline_required


@pytest.mark.parametrize("material", [field for field in APPLICATION if APPLICATION[field] == DOC])
async def test_an_application_without_a_material_is_refused(client, material):
    # 附件7 五(一)—(十一): each material is a required document; the project stays put
    instance = await in_construction(client, f"GQ-MATERIAL-{material}")
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    await refused_form(client, instance, "acceptance_application",
                       without(APPLICATION, material), material, "required")
    instance = await step(client, instance, "acceptance_application", APPLICATION)
    assert keys(instance) == ["final_acceptance"]


async def test_supervised_projects_add_the_supervisor_opinion(client):
    # 附件7 五(八) 保证单位（监理方）审查意见（如果有保证单位的情况下）: required exactly where
    # there is a supervisor (from 200万, 三(三)3); an ordinary project applies without it.
    instance = await in_construction(client, "GQ-MATERIALS", total_investment=300)
    assert instance["variables"]["supervisor_required"] is True
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    await refused(client, instance, "acceptance_application", APPLICATION, "高青 附件7 五(八)")
    instance = await step(client, instance, "acceptance_application",
                          APPLICATION | {"supervisor_opinion": DOC})
    assert keys(instance) == ["final_acceptance"]


@pytest.mark.parametrize("bar", [c for c, _ in ACCEPTANCE_CRITERIA])
async def test_each_acceptance_condition_refuses_a_pass(client, bar):
    # 三(四)2 不得通过验收 / 附件7 四 验收条件: a pass with a condition unmet is refused naming the
    # clause; the hub's failing verdict sends the project to rectification.
    instance = await in_construction(client, f"GQ-BAR-{bar}")
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    instance = await step(client, instance, "acceptance_application", APPLICATION)
    await refused(client, instance, "final_acceptance", ACCEPTED | {bar: False},
                  "高青 三(四)2、附件7 四")
    instance = await step(client, instance, "final_acceptance",
                          ACCEPTED | {bar: False, "approved": False, "opinion": "不予通过"})
    assert keys(instance) == ["rectification_order"]


@pytest.mark.parametrize(("new_software", "unmet"), [
    (True, "software_test_report"), (True, "security_risk_assessment"),
    (False, "security_risk_assessment")])
async def test_initial_acceptance_passes_only_tested_and_assessed(client, ctx, new_software,
                                                                   unmet):
    # 三(四)1: new software tested by a qualified agency and the security risk assessment done
    # before the initial acceptance passes; a project without new software has nothing to test.
    instance = await in_construction(client, f"GQ-INIT-{new_software}-{unmet}",
                                     declaration=DECLARATION | {"new_software": new_software})
    instance = await step(client, instance, "implementation", COMPLETED)
    if new_software:  # three months on trial first (三(四)1): completed 03-02, ends 06-02
        assert instance["ready_tasks"] == []
        ctx.clock.set(datetime(2026, 6, 3, 1, tzinfo=UTC))
        await Worker(ctx, "test").fire_due()
        instance = (await client.get(f"{API}/process-instances/{instance['id']}",
                                     headers=HUB)).json()
    await refused(client, instance, "initial_acceptance", without(INITIAL_PASSED, unmet),
                  "高青 三(四)1")
    instance = await step(client, instance, "initial_acceptance",
                          without(INITIAL_PASSED, unmet) | {"initial_result": "failed",
                                                            "opinion": "未完成测试或风险评估"})
    assert keys(instance) == ["implementation"]


@pytest.mark.parametrize("unmet", ["supervisor_qualification", "chief_supervisor_licence",
                                   "filed_with_hub"])
async def test_the_supervisor_filing_needs_qualification_licence_and_filing(client, unmet):
    # 三(三)3: a qualified supervisor, its chief's licence, filed with the hub
    from tests.scenarios.gaoqing.gaoqing_support import begin, countersign

    instance = await begin(client, f"GQ-SUPF-{unmet}", total_investment=200)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "onsite_review", ONSITE_OK)
    instance = await countersign(client, instance)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await step(client, instance, "procurement_documents", {"procurement_files": DOC})
    instance = await step(client, instance, "procurement_review",
                          OK | {"consistent_with_plan": True, "in_annual_plan": True})
    await refused(client, instance, "procurement", PROCUREMENT | {"traded_by_center": False},
                  "高青 二、三(三)1")
    instance = await step(client, instance, "procurement", PROCUREMENT)
    filing = {"supervisor": "某监理公司", "supervisor_qualification": DOC,
              "chief_supervisor_licence": DOC, "filed_with_hub": True}
    if unmet == "filed_with_hub":
        await refused(client, instance, "supervisor_filing", filing | {unmet: False},
                      "高青 三(三)3")
    else:  # the qualification and the licence are documents the form requires
        await refused_form(client, instance, "supervisor_filing", without(filing, unmet), unmet,
                           "required")
    instance = await step(client, instance, "supervisor_filing", filing)
    assert keys(instance) == ["implementation"]


async def test_whole_lifecycle_with_rectification_after_a_failed_acceptance(client):
    instance = await in_construction(client, "GQ-FULL", total_investment=250,
                                     planned_investment=90)
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    application = APPLICATION | {"supervisor_opinion": DOC}
    instance = await step(client, instance, "acceptance_application", application)
    task = ready(instance, "final_acceptance")
    incomplete = {k: v for k, v in ACCEPTED.items() if k != "acceptance_report"}
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": incomplete}, headers=HUB)
    assert response.status_code == 422
    instance = await step(client, instance, "final_acceptance",
                          ACCEPTED | {"approved": False, "opinion": "主要技术参数与建设方案不一致",
                                      "parameters_match_plan": False})
    assert keys(instance) == ["rectification_order"]
    instance = await step(client, instance, "rectification_order",
                          ORDERED | {"rectification_requirements": "限期调整技术参数，制定整改方案"})
    instance = await step(client, instance, "rectification", RECTIFIED)
    assert keys(instance) == ["acceptance_application"]  # a new application
    instance = await step(client, instance, "acceptance_application", application)
    instance = await step(client, instance, "final_acceptance", ACCEPTED)
    assert keys(instance) == ["settlement_review"]
    instance = await step(client, instance, "settlement_review", SETTLEMENT)
    assert keys(instance) == ["performance_evaluation"]
    instance = await step(client, instance, "performance_evaluation",
                          EVALUATION | {"performance": "poor"})
    assert keys(instance) == ["rectification_order"]
    instance = await step(client, instance, "rectification_order",
                          {"rectification_requirements": "加强应用推广",
                           "rectification_due": "2026-06-30"})
    instance = await step(client, instance, "rectification", RECTIFIED, UNIT)
    assert keys(instance) == ["performance_evaluation"]
    done = await step(client, instance, "performance_evaluation", EVALUATION)
    assert (done["state"], done["outcome"]) == ("completed", "accepted")
    assert await state(client, done) == ("completed", "accepted")


async def test_still_poor_after_rectification_ends_with_next_years_projects_cut(client):
    instance = await in_construction(client, "GQ-POOR")
    instance = await completed(client, instance)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    instance = await step(client, instance, "acceptance_application", APPLICATION)
    instance = await step(client, instance, "final_acceptance", ACCEPTED)
    instance = await step(client, instance, "settlement_review", SETTLEMENT)
    done = await step(client, instance, "performance_evaluation",
                      EVALUATION | {"performance": "poor", "next_year_reduced": True})
    assert (done["state"], done["outcome"]) == ("completed", "accepted")
    assert done["variables"]["next_year_reduced"] is True


async def test_each_inspecting_body_signs_only_its_own_slot(client):
    # 三(三)4 主管部门应当会同县财政、审计部门: one slot per body, each body signs its own;
    # one body's finding is the inspection's finding (问题须整改).
    instance = await in_construction(client, "GQ-INSPECT-SLOTS")
    instance = await message(client, instance, "inspection_started")
    slots = {t["candidate_groups"][0]: t for t in instance["ready_tasks"]}
    assert sorted(slots) == ["audit", "finance", "hub"]
    signed = INSPECTED | {"findings": "none"}
    for body, stranger in (("hub", FINANCE), ("finance", AUDIT), ("audit", UNIT)):
        response = await client.post(f"{API}/tasks/{slots[body]['id']}/complete",
                                     json={"variables": signed}, headers=stranger)
        assert response.status_code == 403, response.text
    response = await client.post(f"{API}/tasks/{slots['hub']['id']}/complete",
                                 json={"variables": signed}, headers=HUB)
    assert response.status_code == 200, response.text
    assert keys(response.json()) == ["inspection", "inspection"]  # not yet decided
    response = await client.post(f"{API}/tasks/{slots['audit']['id']}/complete",
                                 json={"variables": signed}, headers=AUDIT)
    assert keys(response.json()) == ["inspection"]
    response = await client.post(f"{API}/tasks/{slots['finance']['id']}/complete",
                                 json={"variables": signed | {"findings": "problems"}},
                                 headers=FINANCE)
    assert response.status_code == 200, response.text
    instance = response.json()
    assert keys(instance) == ["rectification_order"]  # finance alone found a problem
    assert [r["findings"] for r in instance["variables"]["inspection_results"]] == [
        "none", "problems", "none"]  # slot order: hub, finance, audit
