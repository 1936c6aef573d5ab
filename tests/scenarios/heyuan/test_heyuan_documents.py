"""河源's required materials are documents (issue 11, kind 7): the unit uploads the 项目方案,
附表1, 附表2 ... to its task and names them in the form; a completion without one, or naming
a document of another project, is refused and the project stays where it was."""

import pytest

from tests.conftest import deploy
from tests.scenarios.heyuan.heyuan_support import (
    ACCEPTED,
    ARCHIVE_OK,
    DECLARATION,
    DOC,
    FINANCE_ACCEPTED,
    OK,
    TENANT,
    UNIT,
    attach,
    begin,
    fetch,
    keys,
    step,
)
from tests.scenarios.heyuan.test_heyuan_rules import to_acceptance
from tests.support.api import API, ready
from tests.support.bundled import bundled
from tests.support.uploads import PDF, upload

MATERIALS = ["scheme", "argument_opinion", "application_form", "data_resource_checklist",
             "necessity_documents"]


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


async def refused_form(client, instance: dict, key: str, data: dict, field: str,
                       code: str) -> None:
    """Completing ``key`` with ``data`` is 422 ``form.invalid`` naming ``field`` with the
    field code ``code``, and the instance is as it was."""
    before = await fetch(client, instance)
    task = ready(before, key)
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": data}, headers=UNIT)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "form.invalid"
    errors = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert errors.get(field) == code, errors
    after = await fetch(client, instance)
    assert (after["version"], keys(after), after["variables"]) == (
        before["version"], keys(before), before["variables"])


@pytest.mark.parametrize("material", MATERIALS)
async def test_a_declaration_without_a_material_is_refused(client, material):
    """第十一条(一)(三): 项目方案及内部论证意见、立项申请表（附表1）、项目数据资源管理核查表
    （附表2）和项目建设必要性文件: each is a required document."""
    instance = await begin(client, f"DOC-{material}")
    task = ready(instance, "declare")
    data = await attach(client, task["id"], {k: v for k, v in DECLARATION.items()
                                             if k != material}, UNIT)
    await refused_form(client, instance, "declare", data, material, "required")
    instance = await step(client, instance, "declare", DECLARATION)
    assert keys(instance) == ["initial_review"]


async def test_a_document_of_another_project_is_refused(client):
    """A project's materials are its own: naming another project's uploaded 项目方案 is
    refused (a document id that is not this instance's)."""
    other = await begin(client, "DOC-OTHER")
    foreign = (await upload(client, ready(other, "declare")["id"], UNIT, "别的项目方案.pdf"))["id"]
    instance = await begin(client, "DOC-MINE")
    task = ready(instance, "declare")
    data = await attach(client, task["id"], DECLARATION, UNIT) | {"scheme": foreign}
    await refused_form(client, instance, "declare", data, "scheme", "document_unknown")
    # the other project can still use it
    other_data = await attach(client, ready(other, "declare")["id"],
                              DECLARATION | {"scheme": foreign}, UNIT)
    response = await client.post(f"{API}/tasks/{ready(other, 'declare')['id']}/complete",
                                 json={"variables": other_data}, headers=UNIT)
    assert response.status_code == 200, response.text


async def test_a_yes_no_answer_no_longer_stands_for_a_material(client):
    """The boxes are gone: ``true`` in place of the 附表1 is not a document."""
    instance = await begin(client, "DOC-BOX")
    task = ready(instance, "declare")
    data = await attach(client, task["id"], DECLARATION, UNIT) | {"application_form": True}
    await refused_form(client, instance, "declare", data, "application_form", "type")


async def test_the_materials_are_listed_on_the_project_with_their_hash(client):
    """The uploaded materials are the instance's documents, each with the task that used it."""
    instance = await begin(client, "DOC-LIST")
    instance = await step(client, instance, "declare", DECLARATION)
    response = await client.get(f"{API}/process-instances/{instance['id']}/documents",
                                headers=UNIT)
    assert response.status_code == 200, response.text
    documents = response.json()["items"]
    assert sorted(d["filename"] for d in documents) == sorted(f"{m}.pdf" for m in MATERIALS)
    assert {d["media_type"] for d in documents} == {"application/pdf"}
    assert {d["size"] for d in documents} == {len(PDF)}
    assert sorted(u["field"] for d in documents for u in d["used_by"]) == sorted(MATERIALS)
    assert instance["variables"]["scheme"] in {d["id"] for d in documents}


async def test_acceptance_needs_its_report_and_rectification_its_report(client):
    """第二十四、二十五条: the unit's acceptance names the 验收报告 document; a rectification
    names the 整改报告; neither completes without its document."""
    instance = await to_acceptance(client, "DOC-ACCEPT")
    instance = await step(client, instance, "archive_acceptance", ARCHIVE_OK)
    instance = await step(client, instance, "conformity_review", OK)
    without = {k: v for k, v in ACCEPTED.items() if k != "acceptance_report"}
    await refused_form(client, instance, "final_acceptance", without, "acceptance_report",
                       "required")
    instance = await step(client, instance, "final_acceptance",
                          ACCEPTED | {"approved": False, "opinion": "未达标"})
    instance = await step(client, instance, "finance_acceptance", FINANCE_ACCEPTED)
    assert keys(instance) == ["rectification"]
    await refused_form(client, instance, "rectification", {}, "rectification_report",
                       "required")
    instance = await step(client, instance, "rectification", {"rectification_report": DOC})
    assert keys(instance) == ["conformity_review"]
