"""石嘴山: the required materials are documents (docs/documents.md), not yes/no boxes.

附件1 申报表, 项目建议书, 可研, 初步设计 and the 信息资源目录 (第十五条, 第十条) at declaration;
each half of 附件2 审查表 (第十三条(七)) by 网信 and 密码管理; 附件3 需求分析报告 and 附件1 at the
自治区 review (第十六条); the 信息资源目录 and the earlier project's 第三方评价报告 at the tender
filing (第十八条(二)1); each body's 竣工验收意见 (第二十五条). A completion without a required
document, or naming another instance's document or a document of a type the field does not
take, is refused and changes nothing; the documents are listed on the instance and
downloadable."""

import pytest

from tests.conftest import deploy
from tests.scenarios.shizuishan.shizuishan_support import (
    BARS_OK,
    CRYPTO,
    CRYPTO_OK,
    CYBER,
    FINAL_HUB_OK,
    FINAL_MIIT_OK,
    FINAL_OK,
    HUB,
    INSPECTION_OK,
    MIIT,
    NDRC,
    NETWORK_OK,
    REGIONAL,
    REGIONAL_OK,
    TECHNICAL_OK,
    TENANT,
    UNIT,
    accepted,
    built,
    complete,
    declaration,
    declared,
    documents,
    finish,
    keys,
    only,
    ready,
    start,
    upload,
    uploaded,
)
from tests.support.api import ADMIN, API, history, snapshot
from tests.support.bundled import bundled

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT), name="石嘴山市")
    assert response.status_code == 201, response.text


async def refused(client, instance: dict, key: str, variables: dict, headers: dict,
                  field: str, code: str) -> None:
    """The completion is refused with 422 form.invalid on ``field`` (field code ``code``); the
    instance and its documents are as they were."""
    task = ready(instance, key)
    variables = await uploaded(client, task["id"], variables, headers)
    before = (await snapshot(client, instance["id"]), await documents(client, instance))
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=headers,
                                 json={"variables": variables})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "form.invalid", body
    assert {(e["field"], e["code"]) for e in body["errors"]} == {(field, code)}, body
    assert (await snapshot(client, instance["id"]), await documents(client, instance)) == before


def without(payload: dict, name: str) -> dict:
    return {k: v for k, v in payload.items() if k != name}


# -- a required document missing: 422, nothing changes ---------------------------------------

@pytest.mark.parametrize("field", ["application_form", "preliminary_design_provided",
                                   "resource_catalog_provided"])
async def test_a_declaration_without_a_document_of_every_project_is_refused(client, field):
    """第十五条, 第十条, 附件1: 申报表, 初步设计 and 信息资源目录 are uploaded by every project
    (60万, where neither 建议书 nor 可研 is asked)."""
    instance = await start(client, total_investment=60)
    await refused(client, instance, "declare", without(declaration(), field), UNIT, field,
                  "required")
    instance = await complete(client, instance, "declare", declaration(), UNIT)
    assert keys(instance) == ["crypto_review", "network_security_review"]


@pytest.mark.parametrize(("amount", "left_out", "refused_on"), [
    (1499.99, ("proposal_provided", "feasibility_provided"), None),
    (1500, ("proposal_provided", "feasibility_provided"), "可行性研究报告"),
    (1500, ("proposal_provided",), None),
    (4999.99, ("proposal_provided",), None),
    (5000, ("proposal_provided",), "项目建议书"),
])
async def test_the_proposal_and_feasibility_study_are_uploaded_from_their_thresholds(
        client, amount, left_out, refused_on):
    """第十五条: 可研 from 1500万, 项目建议书 from 5000万 (the required_documents table); below,
    the declaration passes without them. A gate on their presence refuses it (422
    task.gate_failed naming the clause) and nothing changes."""
    instance = await start(client, total_investment=amount)
    payload = declaration(**dict.fromkeys(left_out))
    if refused_on:
        task = only(instance, "declare")
        payload = await uploaded(client, task["id"], payload, UNIT)
        before = await snapshot(client, instance["id"])
        response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                     json={"variables": payload})
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "task.gate_failed"
        assert "第十五条" in response.text, response.text
        assert refused_on in response.text, response.text
        assert await snapshot(client, instance["id"]) == before
        payload = declaration()
    instance = await complete(client, instance, "declare", payload, UNIT)
    assert keys(instance) == ["crypto_review", "network_security_review"]


async def test_each_half_of_the_security_table_is_an_upload(client):
    """附件2 审查表: 网信 and 密码管理 each upload the half they sign (第十三条(七))."""
    instance = await start(client)
    instance = await complete(client, instance, "declare", declaration(), UNIT)
    await refused(client, instance, "network_security_review",
                  without(NETWORK_OK, "network_security_form"), CYBER, "network_security_form",
                  "required")
    await refused(client, instance, "crypto_review", without(CRYPTO_OK, "crypto_form"), CRYPTO,
                  "crypto_form", "required")
    instance = await finish(client, instance, "network_security_review", NETWORK_OK, CYBER)
    instance = await finish(client, instance, "crypto_review", CRYPTO_OK, CRYPTO)
    only(instance, "intake_review")


@pytest.mark.parametrize("field", ["demand_analysis_report", "application_form"])
async def test_the_regional_review_needs_the_demand_report_and_the_form(client, field):
    """第十六条: 需求分析报告（附件3）and 建设申报表（附件1）are documents of the 自治区 review."""
    instance = await declared(client, total_investment=500)
    instance = await complete(client, instance, "intake_review", BARS_OK, HUB)
    instance = await complete(client, instance, "technical_review", TECHNICAL_OK, HUB)
    await refused(client, instance, "regional_review", without(REGIONAL_OK, field), REGIONAL,
                  field, "required")
    # The reviewer may pick the 申报表 the unit uploaded at declaration.
    declared_form = instance["variables"]["application_form"]
    instance = await complete(client, instance, "regional_review",
                              REGIONAL_OK | {"application_form": declared_form}, REGIONAL)
    only(instance, "approval")


async def test_each_acceptance_opinion_is_an_upload(client):
    """第二十五条: 市发改委, 市数据局 and 市工信局 each upload their 验收意见."""
    instance = await built(client)
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    instance = await complete(client, instance, "initial_acceptance",
                              {"approved": True, "opinion": "同意"}, UNIT)
    for key, payload, field, headers in (
            ("final_acceptance", FINAL_OK, "ndrc_opinion_document", NDRC),
            ("final_acceptance_hub", FINAL_HUB_OK, "hub_opinion_document", HUB),
            ("final_acceptance_miit", FINAL_MIIT_OK, "miit_opinion_document", MIIT)):
        await refused(client, instance, key, without(payload, field), headers, field,
                      "required")
        instance = await finish(client, instance, key, payload, headers)
    only(instance, "go_live")


# -- a document that is not this instance's, or not a PDF/OFD --------------------------------

async def test_a_document_of_another_instance_is_refused(client):
    mine, other = await start(client), await start(client)
    stranger = await upload(client, only(other, "declare")["id"], UNIT, "申报表.pdf")
    await refused(client, mine, "declare", declaration(application_form=stranger["id"]), UNIT,
                  "application_form", "document_unknown")
    # Under this instance's path the other instance's document does not exist.
    response = await client.get(
        f"{API}/process-instances/{mine['id']}/documents/{stranger['id']}/content",
        headers=ADMIN)
    assert response.status_code == 404
    assert response.json()["code"] == "document.not_found"


async def test_a_picture_is_not_a_declaration_form(client):
    """The materials take PDF or OFD (accept ".pdf,.ofd"): a PNG is refused."""
    instance = await start(client)
    picture = await upload(client, only(instance, "declare")["id"], UNIT, "申报表.png", PNG)
    assert picture["media_type"] == "image/png"
    await refused(client, instance, "declare", declaration(application_form=picture["id"]),
                  UNIT, "application_form", "document_type")


# -- listed on the instance, downloadable, in history ----------------------------------------

async def test_the_documents_are_listed_on_the_instance_and_downloadable(client):
    instance = await accepted(client)  # 800万: the 自治区 review too (from 500万)
    listed = await documents(client, instance)
    by_task: dict[str, set[str]] = {}
    for document in listed:
        by_task.setdefault(document["task_key"], set()).add(document["filename"])
        assert document["media_type"] == "application/pdf"
        assert document["used_by"], document  # each upload was named by its completion
    assert by_task == {
        "declare": {"application_form.pdf", "proposal_provided.pdf", "feasibility_provided.pdf",
                    "preliminary_design_provided.pdf", "resource_catalog_provided.pdf"},
        "network_security_review": {"network_security_form.pdf"},
        "crypto_review": {"crypto_form.pdf"},
        "regional_review": {"demand_analysis_report.pdf", "application_form.pdf"},
        "tender_filing": {"resource_catalog.pdf"},
        "final_acceptance": {"ndrc_opinion_document.pdf"},
        "final_acceptance_hub": {"hub_opinion_document.pdf"},
        "final_acceptance_miit": {"miit_opinion_document.pdf"},
    }
    variables = instance["variables"]
    report = next(d for d in listed if d["id"] == variables["ndrc_opinion_document"])
    response = await client.get(
        f"{API}/process-instances/{instance['id']}/documents/{report['id']}/content",
        headers=NDRC)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF-1.4")
    events = [e for e in await history(client, instance["id"]) if e["event"] == "document_used"]
    assert len(events) == len(listed)
