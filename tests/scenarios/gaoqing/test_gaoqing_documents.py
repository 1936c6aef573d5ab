"""高青's materials are documents (issue 11, kind 7): 附件1–3, the review report, the procurement
documents, the supervisor's papers, the cloud 审批表 (附件4/5/6), the 附件7 五 materials, the
acceptance report, the rectification plan and report. The unit uploads each to its task and
names it in the form; a completion without one, naming another project's, or naming one of a
type the field refuses is 422 and the project stays where it was."""

from datetime import UTC, datetime

import pytest
from govflow.timers.worker import Worker
from lxml import etree

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_criteria import APPLICATION_MATERIALS
from tests.scenarios.gaoqing.gaoqing_support import (
    ACCEPTED,
    APPLICATION,
    COMPLETED,
    DECLARATION,
    DOC,
    EXPECTED_ON,
    HUB,
    INITIAL_PASSED,
    OK,
    ONSITE_OK,
    ORDERED,
    PNG,
    PROCUREMENT,
    RECTIFIED,
    TASKS,
    TENANT,
    UNIT,
    WHO,
    attach,
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
from tests.support.api import ADMIN, API, ready
from tests.support.bundled import bundled
from tests.support.uploads import PDF, upload
from tools.bpmn_builder import NS

MATERIALS = [field for field, _ in APPLICATION_MATERIALS]
# task key -> the documents its form requires (JSON Schema ``required``)
REQUIRED = {
    "filing_review": {"filed_materials"},
    "consultancy_plan": {"consultancy_procurement_documents"},
    "declare": {"application_letter", "application_form", "construction_plan"},
    "written_review": {"review_report"},
    "onsite_review": {"review_report"},
    "procurement_documents": {"procurement_files"},
    "supervisor_filing": {"supervisor_qualification", "chief_supervisor_licence"},
    "cloud_resource_request": {"request_form"},
    "rectification": {"rectification_plan", "rectification_report"},
    "acceptance_application": set(MATERIALS),
    "final_acceptance": {"acceptance_report"},
}
# task key -> the documents a gate requires when the text does (see the gate tests below)
CONDITIONAL = {
    "initial_acceptance": {"software_test_report", "security_risk_assessment"},
    "initial_acceptance_extended": {"software_test_report", "security_risk_assessment"},
    "acceptance_application": {"supervisor_opinion", "outline_design_document",
                               "other_materials"},
}


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


def test_every_material_is_a_file_field_of_its_task():
    """The diagram: each material is a ``file`` field, required where the text always asks
    for it; no other field of the process is a file."""
    roots = [etree.fromstring(content) for name, content in bundled(TENANT).items()
             if name.endswith(".bpmn") and name != "annual_plan.bpmn"]  # main and its stages
    required: dict[str, set[str]] = {}
    optional: dict[str, set[str]] = {}
    for task in (t for root in roots for t in root.iter(f"{{{NS['bpmn']}}}userTask")):
        for field in task.iterfind(".//camunda:formField[@type='file']", NS):
            into = required if field.find(
                "camunda:validation/camunda:constraint[@name='required']", NS) is not None \
                else optional
            into.setdefault(task.get("id"), set()).add(field.get("id"))
    assert required == REQUIRED
    assert optional == CONDITIONAL


async def test_each_task_refuses_a_completion_missing_a_required_document(client):
    """A supervised project with a cloud request, a failed acceptance and a rectification:
    at every task that asks for documents, leaving out any one of them is 422 (field code
    ``required``) and nothing moves; with all of them the project goes on."""
    instance = await begin(client, "GQ-DOC-WALK", total_investment=300, planned_investment=90)

    async def each_missing(instance: dict, key: str, data: dict) -> dict:
        detail = (await client.get(f"{API}/tasks/{ready(instance, key)['id']}",
                                   headers=WHO[TASKS[key][0]])).json()
        documents = {name for name, schema in detail["form"]["properties"].items()
                     if "x-govflow-document" in schema}
        assert REQUIRED[key] <= set(detail["form"]["required"]) & documents, key
        for field in sorted(REQUIRED[key]):
            await refused_form(client, instance, key, without(data, field), field, "required")
        return await step(client, instance, key, data)

    instance = await each_missing(instance, "declare", DECLARATION)
    instance = await each_missing(instance, "onsite_review", ONSITE_OK)
    instance = await countersign(client, instance)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await each_missing(instance, "procurement_documents", {"procurement_files": DOC})
    instance = await step(client, instance, "procurement_review",
                          OK | {"consistent_with_plan": True, "in_annual_plan": True})
    instance = await step(client, instance, "procurement", PROCUREMENT)
    instance = await each_missing(instance, "supervisor_filing", {
        "supervisor": "某监理公司", "supervisor_qualification": DOC,
        "chief_supervisor_licence": DOC, "filed_with_hub": True})
    instance = await step(client, instance, "implementation",
                          {"next_step": "cloud_resources", "completed_on": EXPECTED_ON})
    instance = await each_missing(instance, "cloud_resource_request", {
        "request_type": "migration", "resources": "迁移2台服务器", "request_form": DOC})
    instance = await step(client, instance, "cloud_resource_review", OK)
    instance = await step(client, instance, "implementation", COMPLETED)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    application = APPLICATION | {"supervisor_opinion": DOC}
    instance = await each_missing(instance, "acceptance_application", application)
    instance = await each_missing(instance, "final_acceptance", ACCEPTED | {
        "approved": False, "opinion": "主要技术参数与建设方案不一致", "parameters_match_plan": False})
    instance = await step(client, instance, "rectification_order", ORDERED)
    instance = await each_missing(instance, "rectification", RECTIFIED)
    assert keys(instance) == ["acceptance_application"]


async def test_a_document_of_another_project_is_refused(client):
    """A project's materials are its own: naming another project's 项目建设方案 is refused
    (``document_unknown``); the other project can still use it."""
    other = await begin(client, "GQ-DOC-OTHER")
    foreign = (await upload(client, ready(other, "declare")["id"], UNIT, "别的项目建设方案.pdf"))["id"]
    instance = await begin(client, "GQ-DOC-MINE")
    await refused_form(client, instance, "declare", DECLARATION | {"construction_plan": foreign},
                       "construction_plan", "document_unknown")
    other = await step(client, other, "declare", DECLARATION | {"construction_plan": foreign})
    assert other["variables"]["construction_plan"] == foreign
    instance = await step(client, instance, "declare", DECLARATION)
    assert keys(instance) == ["written_review"]


async def test_a_document_of_the_wrong_type_is_refused(client):
    """项目申请文件（附件1）is taken as PDF or OFD: a PNG uploaded to the task (an accepted
    upload: the service takes images) is refused in that field (``document_type``)."""
    instance = await begin(client, "GQ-DOC-PNG")
    task = ready(instance, "declare")
    image = (await upload(client, task["id"], UNIT, "申请文件.png", PNG, "image/png"))["id"]
    await refused_form(client, instance, "declare", DECLARATION | {"application_letter": image},
                       "application_letter", "document_type")
    # the form offers only documents of an accepted type
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()
    assert image not in detail["form"]["properties"]["application_letter"].get("enum", [])
    instance = await step(client, instance, "declare", DECLARATION)
    assert keys(instance) == ["written_review"]


async def test_the_project_lists_and_serves_its_documents(client):
    """The uploaded materials are the instance's documents, each with the task and field that
    used it, downloadable as uploaded."""
    instance = await begin(client, "GQ-DOC-LIST")
    instance = await step(client, instance, "declare", DECLARATION)
    response = await client.get(f"{API}/process-instances/{instance['id']}/documents",
                                headers=UNIT)
    assert response.status_code == 200, response.text
    documents = response.json()["items"]
    declared = ["application_form", "application_letter", "construction_plan"]
    assert sorted(d["filename"] for d in documents) == [f"{f}.pdf" for f in declared]
    assert {(d["task_key"], d["media_type"], d["size"]) for d in documents} == {
        ("declare", "application/pdf", len(PDF))}
    assert sorted(u["field"] for d in documents for u in d["used_by"]) == declared
    by_id = {d["id"]: d for d in documents}
    plan = by_id[instance["variables"]["construction_plan"]]
    assert plan["filename"] == "construction_plan.pdf"
    content = await client.get(plan["content_url"], headers=HUB)  # the reviewing bureau
    assert content.status_code == 200, content.text
    assert content.content == PDF
    assert content.headers["content-type"].startswith("application/pdf")
    # and another project's path does not serve it
    other = await begin(client, "GQ-DOC-LIST-2")
    response = await client.get(
        f"{API}/process-instances/{other['id']}/documents/{plan['id']}/content", headers=ADMIN)
    assert response.status_code == 404


@pytest.mark.parametrize(("total", "opinion_required"), [(200, True), (199.99, False)])
async def test_the_supervisor_opinion_is_required_exactly_where_there_is_a_supervisor(
        client, total, opinion_required):
    """附件7 五(八) 监理方审查意见（如果有保证单位的情况下）: a project of 200万（含）with
    information engineering has a supervisor (三(三)3) and must add its opinion; at 199.99
    there is none and the application completes without it."""
    instance = await in_construction(client, f"GQ-DOC-SUP-{total}", total_investment=total)
    assert instance["variables"]["supervisor_required"] is opinion_required
    instance = await step(client, instance, "implementation", COMPLETED)
    instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    if opinion_required:
        await refused(client, instance, "acceptance_application", APPLICATION,
                      "高青 附件7 五(八)")
        instance = await step(client, instance, "acceptance_application",
                              APPLICATION | {"supervisor_opinion": DOC})
    else:
        instance = await step(client, instance, "acceptance_application", APPLICATION)
    assert keys(instance) == ["final_acceptance"]


@pytest.mark.parametrize("new_software", [True, False])
async def test_the_test_report_is_required_only_for_new_software(client, ctx, new_software):
    """三(四)1: the initial acceptance of a project with new software passes only with the
    testing agency's report; without new software there is nothing to test. The risk
    assessment report is required either way (the walk in test_gaoqing_construction)."""
    instance = await in_construction(client, f"GQ-DOC-TEST-{new_software}",
                                     declaration=DECLARATION | {"new_software": new_software})
    instance = await step(client, instance, "implementation", COMPLETED)
    if new_software:  # the three-month trial run first
        ctx.clock.set(datetime(2026, 6, 3, 1, tzinfo=UTC))
        await Worker(ctx, "test").fire_due()
        instance = (await client.get(f"{API}/process-instances/{instance['id']}",
                                     headers=HUB)).json()
        await refused(client, instance, "initial_acceptance",
                      without(INITIAL_PASSED, "software_test_report"), "高青 三(四)1")
        instance = await step(client, instance, "initial_acceptance", INITIAL_PASSED)
    else:
        instance = await step(client, instance, "initial_acceptance",
                              without(INITIAL_PASSED, "software_test_report"))
    assert keys(instance) == ["acceptance_application"]


async def test_an_uploaded_document_not_named_in_the_form_does_not_count(client):
    """Uploading is not submitting: the 项目建设方案 uploaded to the task but left out of the
    form is still missing."""
    instance = await begin(client, "GQ-DOC-UNNAMED")
    task = ready(instance, "declare")
    await upload(client, task["id"], UNIT, "项目建设方案.pdf")
    data = await attach(client, task["id"], without(DECLARATION, "construction_plan"), UNIT)
    await refused_form(client, instance, "declare", data, "construction_plan", "required")
