"""Walking a 招远 project through the API: tokens per lane role, the variables each step
takes, and shortcuts to the later stages of a project.

Every material the text names is a document (issue 11, kind 7): a value ``DOC`` in a step's
variables is replaced, by ``complete`` and ``sign``, with the id of a small PDF uploaded to
that task just before (``POST /tasks/{id}/documents``)."""

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.conftest import deploy
from tests.support.api import API, ready, snapshot, start, token
from tests.support.api import complete as complete_as_typed
from tests.support.bundled import bundled
from tests.support.uploads import DOC, attach

TENANT = "zhaoyuan"
# 09:00 in Asia/Shanghai on Wednesday 2026-07-15: inside the declaration window (July 1 –
# August 31, 第七条) for plan_year 2027, so a project started now is declared at once.
IN_WINDOW = datetime(2026, 7, 15, 1, 0, tzinfo=UTC)
UNIT = token("zy_unit", TENANT, ("unit",))
HUB = token("zy_hub", TENANT, ("hub",))
EXPERT = token("zy_expert", TENANT, ("experts",))
FINANCE = token("zy_finance", TENANT, ("finance",))
# Each body of the text its own group (第四条): 市政府 (consent, 第六条) is not the 专项小组
# (the annual budget, 第十条, group "government" in annual_plan); 市发改局 reviews 立项 and
# 市行政审批服务局 issues the approval.
GOVERNMENT = token("zy_gov", TENANT, ("city_government",))
LEADING_GROUP = token("zy_leading", TENANT, ("government",))
APPROVAL = token("zy_ndrc", TENANT, ("development_reform",))
PERMIT = token("zy_permit", TENANT, ("administrative_approval",))
# The tenant's administrator: the only user who may send the annual budget's result by hand
# (the in_plan / left_out catches name no senders: the annual-plan process sends it).
TENANT_ADMIN = token("zy_admin", TENANT, (), admin=True)
# Who sends each message (第二十四条: the hub inspects and judges a refusal to rectify).
SENDER = {"annual_plan_approved": TENANT_ADMIN, "not_in_plan": TENANT_ADMIN,
          "inspection_started": HUB, "rectification_refused": HUB}

LANES = {"unit": "项目建设单位", "hub": "市大数据服务中心", "experts": "评审专家组",
         "finance": "市财政局", "city_government": "市政府",
         "development_reform": "市发改局", "administrative_approval": "市行政审批服务局"}

# A required material: uploaded to the task by ``complete`` / ``sign`` (see the docstring).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

OK = {"approved": True, "opinion": "同意"}
NO = {"approved": False, "opinion": "不同意"}
# 第七条: the four declaration materials (第十六条: the catalog table is a 审核要件)
DECLARATION_DOCUMENTS = ("application_document", "data_resource_catalog",
                         "cloud_resource_demand", "cloud_resource_audit")
MATERIALS = {name: DOC for name in DECLARATION_DOCUMENTS} | {"deploy_on_government_cloud": True}
EXPERT_OK = OK | {"expert_opinion_document": DOC} | {f"c{i}_{name}": True for i, name in enumerate(
    ("overall_plan", "policies_standards", "cloud_reuse", "technical_design",
     "resource_catalog", "data_sharing", "cloud_demand", "security_plan", "budget_schedule"),
    start=1)}
JOINT_OK = OK | {"expert_opinion_considered": True, "migration_completed": True,
                 "sharing_rules_complied": True, "feeds_sharing_platform": True,
                 "on_government_cloud": True, "single_department_category": "none",
                 "special_circumstances": False}
FUND_OK = OK | {"budget_reasonable": True, "approved_budget": 118.5,
                "hardware_cloud_funds": 40, "software_om_funds": 78.5}
PROCURED = {"content_as_approved": True, "secure_controllable_preferred": True,
            "supplier": "某信息技术有限公司", "contract_amount": 110,
            "contract_signed_on": "2027-03-02"}
FILED = {"contract_text": DOC, "filed_on": "2027-03-05"}
# The unit carries out the assessment and records the assessor's report (第十八条); the hub
# decides at acceptance.
SECURITY_OK = {"assessment_passed": True, "assessment_summary": "测评机构出具报告：通过",
               "security_test_report": DOC, "platform_security_letter": DOC,
               "graded_protection": True}
ACCEPTANCE_OK = OK | {"security_assessment_passed": True, "secure_controllable": True,
                      "catalog_in_sharing_platform": True, "data_connected": True,
                      "filing_archive": DOC, "sharing_assessment": "目录全部纳入共享平台"}
OM_FILED = {"acceptance_report": DOC, "om_unit": "某信息技术有限公司",
            "warranty_end": "2030-06-30"}


PERMIT_OK = {"approval_document_no": "招审批〔2027〕1号", "approval_document": DOC}
PROGRESS = {"construction_progress": "完成70%", "budget_execution": "已支付60万元",
            "budget_execution_report": DOC}
CLOUD_CHANGE = {"request_type": "modify", "cloud_resource_demand": DOC,
                "cloud_resource_audit": DOC, "reported_to_provider": True}
ORDER = {"rectification_order_document": DOC}






async def complete(client: httpx.AsyncClient, instance: dict, key: str, variables: dict,
                   headers: dict) -> dict:
    """Complete the ready task ``key`` (200 expected) after uploading the documents
    ``variables`` asks for (``DOC`` values)."""
    task = ready(instance, key)
    return await complete_as_typed(client, instance, key,
                                   await attach(client, task["id"], variables, headers), headers)


# 第十条 中心会同财政局汇总: finance countersigns the plan the hub compiled (plan_countersign)
COUNTERSIGNED = {"countersigned": True, "countersign_opinion": "会签同意"}
NOT_COUNTERSIGNED = {"countersigned": False, "countersign_opinion": "项目B未经预算评审确认，退回"}


async def compiled(client: httpx.AsyncClient, plan: dict, projects: list[str]) -> dict:
    """第十条: the hub compiles the plan with ``projects`` and finance countersigns it; the
    plan process at ``plan_approval`` (the 专项小组)."""
    plan = await complete(client, plan, "plan_compilation", {"projects": projects}, HUB)
    plan = await complete(client, plan, "plan_countersign", COUNTERSIGNED, FINANCE)
    assert [t["key"] for t in plan["ready_tasks"]] == ["plan_approval"], plan["ready_tasks"]
    return plan


async def deploy_zhaoyuan(client: httpx.AsyncClient) -> dict:
    """Deploy the bundled set (once per test: each test has its own database)."""
    response = await deploy(client, TENANT, bundled(TENANT), name="招远市")
    assert response.status_code == 201, response.text
    return response.json()


def variables(**overrides: Any) -> dict[str, Any]:
    """Start variables of an ordinary project for the 2027 budget."""
    return {"project_name": "一网通办平台升级", "applicant_unit": "市行政审批服务局",
            "total_investment": 120, "plan_year": 2027, "secret": False,
            "leader_directed": False, "higher_level_funded": False,
            "gov_investment": False} | overrides


def slot(instance: dict, key: str, group: str) -> dict:
    """The ready task ``key`` whose candidate group is ``group`` (a multi-instance slot)."""
    found = [t for t in instance["ready_tasks"]
             if t["key"] == key and t["candidate_groups"] == [group]]
    assert len(found) == 1, instance["ready_tasks"]
    return found[0]


async def sign(client: httpx.AsyncClient, instance: dict, key: str, group: str,
               variables: dict, headers: dict) -> httpx.Response:
    """Complete the slot of ``key`` that belongs to ``group``; the raw response."""
    task = slot(instance, key, group)
    variables = await attach(client, task["id"], variables, headers)
    return await client.post(f"{API}/tasks/{task['id']}/complete",
                             json={"variables": variables}, headers=headers)


async def joint(client: httpx.AsyncClient, instance: dict, hub: dict | None = None,
                finance: dict | None = None) -> dict:
    """第九条: the hub (牵头) and finance (会同) each sign the joint review."""
    response = await sign(client, instance, "joint_review", "hub", hub or JOINT_OK, HUB)
    assert response.status_code == 200, response.text
    response = await sign(client, response.json(), "joint_review", "finance",
                          finance or JOINT_OK, FINANCE)
    assert response.status_code == 200, response.text
    return response.json()


def refused_by_gate(response: httpx.Response, clause: str) -> None:
    """A completion refused by the gate whose clause starts with ``招远 <clause>``: 422
    ``task.gate_failed`` naming it."""
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "task.gate_failed", problem
    assert f"招远 {clause}" in problem["detail"], problem["detail"]


async def documents(client: httpx.AsyncClient, instance: dict) -> list[dict]:
    """The instance's documents (``GET /process-instances/{id}/documents``)."""
    response = await client.get(f"{API}/process-instances/{instance['id']}/documents",
                                headers=HUB)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def refused_form(client: httpx.AsyncClient, instance: dict, key: str, variables: dict,
                       headers: dict, field: str, code: str) -> None:
    """Completing ``key`` with ``variables`` (``DOC`` values uploaded first) is refused with
    422 ``form.invalid`` naming only ``field`` with the field code ``code``; the instance and
    its documents are as they were."""
    task = ready(instance, key)
    variables = await attach(client, task["id"], variables, headers)
    before = (await snapshot(client, instance["id"]), await documents(client, instance))
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": variables}, headers=headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "form.invalid", problem
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {(field, code)}, problem
    assert (await snapshot(client, instance["id"]), await documents(client, instance)) == before


def without(variables: dict, *names: str) -> dict:
    """``variables`` less the fields ``names``."""
    return {k: v for k, v in variables.items() if k not in names}


def keys(instance: dict) -> list[str]:
    return sorted(t["key"] for t in instance["ready_tasks"])


def only(instance: dict, key: str, role: str, clause: str) -> dict:
    """Assert that ``key`` is the one ready task, in ``role``'s lane, citing ``clause``."""
    assert keys(instance) == [key], keys(instance)
    task = instance["ready_tasks"][0]
    assert task["lane"] == LANES[role], task["lane"]
    assert task["clause"] == clause, task["clause"]
    return task


def due_day(task: dict) -> date:
    """The due day of a task, in Asia/Shanghai."""
    return datetime.fromisoformat(task["due_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()


async def state(client: httpx.AsyncClient, instance: dict) -> dict:
    response = await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)
    assert response.status_code == 200, response.text
    return response.json()


async def message(client: httpx.AsyncClient, instance: dict, name: str,
                  headers: dict | None = None) -> dict:
    """Send a message as its declared sender (``SENDER``), or as ``headers``."""
    response = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 json={"name": name}, headers=headers or SENDER[name])
    assert response.status_code == 200, response.text
    return response.json()


async def begin(client: httpx.AsyncClient, key: str, **overrides: Any) -> dict:
    return await start(client, TENANT, UNIT, business_key=key, variables=variables(**overrides))


async def reviewed(client: httpx.AsyncClient, key: str, **overrides: Any) -> dict:
    """Declared and through expert, joint and budget review: waiting for the annual budget."""
    instance = await begin(client, key, **overrides)
    instance = await complete(client, instance, "declare", MATERIALS, UNIT)
    instance = await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)
    instance = await joint(client, instance)
    instance = await complete(client, instance, "fund_review", FUND_OK, FINANCE)
    assert instance["ready_tasks"] == []
    return instance


async def building(client: httpx.AsyncClient, key: str) -> dict:
    """In the budget, with the city government's consent, procured, contract filed."""
    instance = await reviewed(client, key)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    instance = await complete(client, instance, "procurement", PROCURED, UNIT)
    instance = await complete(client, instance, "contract_filing", FILED, UNIT)
    assert keys(instance) == ["implementation"]
    return instance


async def step(client: httpx.AsyncClient, instance: dict, next_step: str, **extra: Any) -> dict:
    return await complete(client, instance, "implementation", {"next_step": next_step} | extra,
                          UNIT)
