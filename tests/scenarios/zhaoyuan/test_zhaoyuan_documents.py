"""招远's materials are documents (issue 11, kind 7): every material the text names — the four
declaration materials (第七条), the panel's opinion, the 批准文件, the contract (第二十一条),
the 预算执行情况报告书 (第十一条), the two cloud tables (第十四条), the 安全测评报告书 and the
技术平台安全责任书 (第十八条), the 全程备案文档 and the 项目验收报告 (第二十条), the 责令书
(第二十、二十四条) — is uploaded to its task and named in the form. A completion without one,
naming another project's, or naming a picture, is refused (422) and nothing changes."""

import pytest

from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    ACCEPTANCE_OK,
    APPROVAL,
    CLOUD_CHANGE,
    DECLARATION_DOCUMENTS,
    EXPERT,
    EXPERT_OK,
    FILED,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    MATERIALS,
    OK,
    OM_FILED,
    ORDER,
    PERMIT,
    PERMIT_OK,
    PNG,
    PROCURED,
    PROGRESS,
    SECURITY_OK,
    UNIT,
    begin,
    building,
    complete,
    documents,
    joint,
    keys,
    message,
    refused_by_gate,
    refused_form,
    reviewed,
    step,
    without,
)
from tests.support.api import ADMIN, API, history, ready, snapshot
from tests.support.uploads import upload

pytestmark = pytest.mark.usefixtures("deployed", "in_window")

ACCEPT = ["application/pdf", "application/ofd", "application/msword",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]


async def through(client, instance: dict, key: str, variables: dict, headers: dict,
                  fields: tuple[str, ...]) -> dict:
    """At ``key``: each of ``fields`` missing is refused (422 ``required``, nothing changes);
    then the task is completed with all of them."""
    for field in fields:
        await refused_form(client, instance, key, without(variables, field), headers, field,
                           "required")
    return await complete(client, instance, key, variables, headers)


# -- a required document missing: 422, the instance as it was ------------------------------

async def test_each_document_of_a_project_is_required_at_its_task(client):
    """From the declaration to the O&M filing (a government-investment project, so the
    批准文件 too): every required document refused when missing, then the walk goes on."""
    instance = await begin(client, "ZY-DOC-WALK", gov_investment=True)
    instance = await through(client, instance, "declare", MATERIALS, UNIT,
                             DECLARATION_DOCUMENTS)
    instance = await through(client, instance, "expert_review", EXPERT_OK, EXPERT,
                             ("expert_opinion_document",))
    assert keys(instance) == ["joint_review", "joint_review"]
    instance = await joint(client, instance)
    instance = await complete(client, instance, "fund_review", FUND_OK, FINANCE)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    instance = await complete(client, instance, "approval", OK | {"approved_investment": 115},
                              APPROVAL)
    instance = await through(client, instance, "approval_permit", PERMIT_OK, PERMIT,
                             ("approval_document",))
    instance = await complete(client, instance, "procurement", PROCURED, UNIT)
    instance = await through(client, instance, "contract_filing", FILED, UNIT,
                             ("contract_text",))
    instance = await step(client, instance, "report_progress")
    instance = await through(client, instance, "progress_report", PROGRESS, UNIT,
                             ("budget_execution_report",))
    instance = await step(client, instance, "request_cloud_change")
    instance = await through(client, instance, "cloud_resource_request", CLOUD_CHANGE, UNIT,
                             ("cloud_resource_demand", "cloud_resource_audit"))
    instance = await step(client, instance, "completed")
    instance = await through(client, instance, "security_crypto_review", SECURITY_OK, UNIT,
                             ("security_test_report",))
    instance = await through(client, instance, "final_acceptance", ACCEPTANCE_OK, HUB,
                             ("filing_archive",))
    instance = await through(client, instance, "om_filing", OM_FILED, UNIT,
                             ("acceptance_report",))
    assert (instance["state"], instance["outcome"]) == ("completed", "accepted")


async def test_the_security_letter_is_a_document_when_the_system_goes_on_the_cloud(client):
    """第十八条 系统部署上云时要签订技术平台安全责任书: optional in the form, required by the
    gate for a project on the government cloud (the declaration says it is)."""
    instance = await step(client, await building(client, "ZY-DOC-LETTER"), "completed")
    task = ready(instance, "security_crypto_review")
    form = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()["form"]
    assert "platform_security_letter" not in form["required"]
    assert form["properties"]["platform_security_letter"]["format"] == "uuid"
    report = await upload(client, task["id"], UNIT, "安全测评报告书.pdf")
    before = await snapshot(client, instance["id"])
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT, json={
        "variables": without(SECURITY_OK, "platform_security_letter")
        | {"security_test_report": report["id"]}})
    refused_by_gate(response, "第十八条 系统部署上云时要签订技术平台安全责任书")
    assert await snapshot(client, instance["id"]) == before
    # a yes/no box is no longer a letter
    await refused_form(client, instance, "security_crypto_review",
                       SECURITY_OK | {"platform_security_letter": True}, UNIT,
                       "platform_security_letter", "type")


async def test_the_order_to_rectify_is_a_document(client):
    """第二十四条 责令限期整改, and 第二十条 lists the 责令书 in the archive."""
    instance = await message(client, await building(client, "ZY-DOC-ORDER"),
                             "inspection_started")
    instance = await complete(client, instance, "inspection",
                              {"finding": "rectify", "opinion": "未按批准内容采购"}, HUB)
    order = ORDER | {"rectification_due": "2026-08-31"}
    instance = await through(client, instance, "rectification_order", order, HUB,
                             ("rectification_order_document",))
    assert keys(instance) == ["rectification"]


async def test_the_declaration_form_asks_for_documents(client):
    """The four materials are ``file`` fields: a document id of an accepted type."""
    instance = await begin(client, "ZY-DOC-FORM")
    task = ready(instance, "declare")
    form = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()["form"]
    for name in DECLARATION_DOCUMENTS:
        assert name in form["required"]
        schema = form["properties"][name]
        assert (schema["type"], schema["format"]) == ("string", "uuid")
        assert set(ACCEPT) <= set(schema["x-govflow-document"]["accept"])
        assert "image/png" not in schema["x-govflow-document"]["accept"]


async def test_a_yes_no_answer_no_longer_stands_for_a_material(client):
    instance = await begin(client, "ZY-DOC-BOX")
    await refused_form(client, instance, "declare", MATERIALS | {"data_resource_catalog": True},
                       UNIT, "data_resource_catalog", "type")


# -- another project's document, a picture ------------------------------------------------

async def test_a_document_of_another_project_is_refused(client):
    """A project's materials are its own: naming another project's uploaded table is refused,
    and under this project's path the other's document does not exist."""
    other = await begin(client, "ZY-DOC-OTHER")
    foreign = await upload(client, ready(other, "declare")["id"], UNIT, "别的目录表.pdf")
    mine = await begin(client, "ZY-DOC-MINE")
    await refused_form(client, mine, "declare", MATERIALS | {"data_resource_catalog":
                                                             foreign["id"]},
                       UNIT, "data_resource_catalog", "document_unknown")
    response = await client.get(
        f"{API}/process-instances/{mine['id']}/documents/{foreign['id']}/content",
        headers=ADMIN)
    assert (response.status_code, response.json()["code"]) == (404, "document.not_found")
    # the other project still uses it
    other = await complete(client, other, "declare",
                           MATERIALS | {"data_resource_catalog": foreign["id"]}, UNIT)
    assert keys(other) == ["expert_review"]


async def test_a_picture_is_not_a_contract(client):
    """The contract takes PDF, OFD or Word (accept ".pdf,.ofd,.doc,.docx"): a PNG is refused."""
    instance = await reviewed(client, "ZY-DOC-PNG")
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    instance = await complete(client, instance, "procurement", PROCURED, UNIT)
    task = ready(instance, "contract_filing")
    picture = await upload(client, task["id"], UNIT, "合同.png", PNG, "image/png")
    assert picture["media_type"] == "image/png"
    await refused_form(client, instance, "contract_filing",
                       FILED | {"contract_text": picture["id"]}, UNIT, "contract_text",
                       "document_type")


async def test_only_who_may_complete_the_task_uploads_to_it(client):
    """The declaring unit's materials: the hub cannot upload to the unit's task."""
    instance = await begin(client, "ZY-DOC-WHO")
    task = ready(instance, "declare")
    response = await client.post(f"{API}/tasks/{task['id']}/documents", headers=HUB,
                                 files={"file": ("申请文件.pdf", b"%PDF-1.4\n", "application/pdf")})
    assert response.status_code == 403, response.text
    assert await documents(client, instance) == []


# -- listed on the project, downloadable, each use recorded ---------------------------------

async def test_the_project_lists_and_serves_its_documents(client):
    instance = await step(client, await building(client, "ZY-DOC-LIST"), "completed")
    instance = await complete(client, instance, "security_crypto_review", SECURITY_OK, UNIT)
    instance = await complete(client, instance, "final_acceptance", ACCEPTANCE_OK, HUB)
    instance = await complete(client, instance, "om_filing", OM_FILED, UNIT)
    listed = await documents(client, instance)
    by_task: dict[str, set[str]] = {}
    for document in listed:
        by_task.setdefault(document["task_key"], set()).add(document["filename"])
        assert document["media_type"] == "application/pdf"
        assert [u["field"] + ".pdf" for u in document["used_by"]] == [document["filename"]]
    assert by_task == {
        "declare": {f"{name}.pdf" for name in DECLARATION_DOCUMENTS},
        "expert_review": {"expert_opinion_document.pdf"},
        "contract_filing": {"contract_text.pdf"},
        "security_crypto_review": {"security_test_report.pdf", "platform_security_letter.pdf"},
        "final_acceptance": {"filing_archive.pdf"},
        "om_filing": {"acceptance_report.pdf"},
    }
    report = next(d for d in listed if d["id"] == instance["variables"]["acceptance_report"])
    response = await client.get(
        f"{API}/process-instances/{instance['id']}/documents/{report['id']}/content",
        headers=HUB)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF-1.4")
    used = [e for e in await history(client, instance["id"]) if e["event"] == "document_used"]
    assert len(used) == len(listed)
