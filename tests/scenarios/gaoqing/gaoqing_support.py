"""Helpers for the 高青 (gaoqing) scenario tests: role tokens, start variables, completed forms,
and a step function that checks each task's lane, clause and groups before completing it."""

from typing import Any

import httpx

from tests.scenarios.gaoqing.gaoqing_criteria import (
    ACCEPTANCE_CRITERIA,
    APPLICATION_MATERIALS,
    JOINT_CRITERIA,
    ONSITE_STEPS,
    REVIEW_CRITERIA,
)
from tests.support.api import ADMIN, API, ready, snapshot, start, token
from tests.support.api import complete as complete_as_is
from tests.support.uploads import DOC, attach

TENANT = "gaoqing"
UNIT = token("unit_user", TENANT, ("unit",))
HUB = token("hub_user", TENANT, ("hub",))
EXPERTS = token("expert_user", TENANT, ("experts",))
FINANCE = token("finance_user", TENANT, ("finance",))
APPROVAL = token("ndrc_user", TENANT, ("approval",))
GOVERNMENT = token("gov_user", TENANT, ("government",))
AUDIT = token("audit_user", TENANT, ("audit",))
# The tenant's administrator: the only user who may send the annual plan's result by hand
# (the in_plan / left_out catches name no senders: the annual-plan process sends it).
TENANT_ADMIN = token("gq_admin", TENANT, (), admin=True)
# Who sends each message (三(三)4: the authority inspects with finance and audit).
SENDER = {"annual_plan_approved": TENANT_ADMIN, "not_in_plan": TENANT_ADMIN,
          "inspection_started": HUB}

UNIT_LANE, HUB_LANE, EXPERTS_LANE = "项目申报（建设）单位", "县大数据局", "第三方评审服务机构"
FINANCE_LANE, APPROVAL_LANE, GOVERNMENT_LANE = "县财政局", "县发改部门", "县政府"
WHO = {UNIT_LANE: UNIT, HUB_LANE: HUB, EXPERTS_LANE: EXPERTS, FINANCE_LANE: FINANCE,
       APPROVAL_LANE: APPROVAL, GOVERNMENT_LANE: GOVERNMENT}

# task key -> (lane, clause, candidate groups)
TASKS: dict[str, tuple[str, str, list[str]]] = {
    "filing_review": (HUB_LANE, "高青 三(一)", ["hub"]),
    "consultancy_plan": (UNIT_LANE, "高青 三(一)", ["unit"]),
    "consultancy_review": (HUB_LANE, "高青 三(一)", ["hub"]),
    "declare": (UNIT_LANE, "高青 三(一)", ["unit"]),
    "approval": (APPROVAL_LANE, "高青 三(一)", ["approval"]),
    "written_review": (EXPERTS_LANE, "高青 三(二)1", ["experts"]),
    "onsite_review": (EXPERTS_LANE, "高青 三(二)1", ["experts"]),
    "joint_review": (HUB_LANE, "高青 三(二)2", ["hub"]),
    "fund_review": (FINANCE_LANE, "高青 三(二)2", ["finance"]),
    "plan_compilation": (HUB_LANE, "高青 三(二)3", ["hub", "finance"]),
    "plan_approval": (GOVERNMENT_LANE, "高青 三(二)3", ["government"]),
    "budget_inclusion": (FINANCE_LANE, "高青 三(二)3", ["finance"]),
    "procurement_documents": (UNIT_LANE, "高青 三(三)1", ["unit"]),
    "procurement_review": (HUB_LANE, "高青 三(三)1", ["hub"]),
    "procurement": (UNIT_LANE, "高青 三(三)1", ["unit"]),
    "supervisor_filing": (UNIT_LANE, "高青 三(三)3", ["unit"]),
    "implementation": (UNIT_LANE, "高青 三(三)2", ["unit"]),
    "change_request": (UNIT_LANE, "高青 三(二)4", ["unit"]),
    "change_review": (HUB_LANE, "高青 三(二)4", ["hub"]),  # slot 0; slot 1: finance
    "cloud_resource_request": (UNIT_LANE, "高青 三(三)2", ["unit"]),
    "cloud_resource_review": (HUB_LANE, "高青 三(三)2", ["hub"]),
    "inspection": (HUB_LANE, "高青 三(三)4", ["hub"]),  # slots 1, 2: finance, audit
    "supervision_measure": (GOVERNMENT_LANE, "高青 三(三)4", ["government"]),
    "rectification_order": (HUB_LANE, "高青 三(三)4、三(四)2、四", ["hub"]),
    "rectification": (UNIT_LANE, "高青 三(三)4、三(四)2、四", ["unit"]),
    "initial_acceptance": (UNIT_LANE, "高青 三(四)1", ["unit"]),
    "acceptance_extension": (HUB_LANE, "高青 附件7 一", ["hub"]),
    "initial_acceptance_extended": (UNIT_LANE, "高青 三(四)1、附件7 一", ["unit"]),
    "acceptance_application": (UNIT_LANE, "高青 三(四)2、附件7 五", ["unit"]),
    "final_acceptance": (HUB_LANE, "高青 三(四)2、附件7 四", ["hub"]),
    "settlement_review": (FINANCE_LANE, "高青 三(四)2", ["finance"]),
    "performance_evaluation": (HUB_LANE, "高青 四", ["hub"]),
}

# The test clock is frozen at 2026-03-02 09:00 UTC (a Monday, 17:00 in Shanghai); a due moment
# is the end of the due day in Asia/Shanghai, given in UTC.
END_OF_DAY = "T15:59:59.999999Z"
YEARLY_DUE = {  # --MM-DD@declaration_year (plan_year - 1 unless rolled), --12-31@plan_year-1
    "declare": "09-30", "written_review": "11-30", "onsite_review": "11-30",
    "joint_review": "11-30", "fund_review": "11-30", "plan_compilation": "12-31",
    "plan_approval": "12-31",
}
RELATIVE_DUE = {  # from a task created on 2026-03-02
    "final_acceptance": "2026-03-30",    # 20WD from the complete application
}
HALF_YEAR = {  # P6M@completed_on (三(四)1, 附件7 一), by hand
    "2026-03-02": "2026-09-02",  # Wednesday
}
DATE_SET = {  # the date itself: granted by the hub, or set in its rectification order
    "initial_acceptance_extended": "extended_until",
    "rectification": "rectification_due",
}


# P1D@application_due_from (附件7 一): the day after, moved to a working day, by hand
APPLICATION_DUE = {
    "2026-09-01": "2026-09-02",  # half year from 2026-03-02: Wednesday
    "2026-03-31": "2026-04-01",  # after a rectification due 03-31: Wednesday
    "2026-12-31": "2027-01-04",  # extended until 12-31: Jan 1–3 2027 off -> Monday
    "2027-03-31": "2027-04-01",  # extended until 2027-03-31: Thursday
    "2027-03-27": "2027-03-29",  # half year from 2026-09-28: Sunday 03-28 -> Monday
    "2026-09-30": "2026-10-08",
    "2026-07-04": "2026-07-06",  # half year from 2026-01-05: Sunday 07-05 -> Monday  # half year from 2026-04-01: National Day -> Thursday Oct 8
}


def expected_due(key: str, variables: dict) -> str | None:
    if key in YEARLY_DUE:
        year = variables.get("declaration_year", variables["plan_year"] - 1)
        if key.startswith("plan_"):
            year = variables["plan_year"] - 1
        return f"{year}-{YEARLY_DUE[key]}{END_OF_DAY}"
    if key == "acceptance_application":
        return APPLICATION_DUE[variables["application_due_from"]] + END_OF_DAY
    if key in RELATIVE_DUE:
        return RELATIVE_DUE[key] + END_OF_DAY
    if key == "initial_acceptance":
        return HALF_YEAR[variables["completed_on"]] + END_OF_DAY
    if key in DATE_SET:
        return variables[DATE_SET[key]] + END_OF_DAY
    return None


OK = {"approved": True, "opinion": "同意"}

# A required material is a document: a value ``DOC`` in a task's variables is replaced, by
# ``step``, ``complete`` and ``refused``, with the id of a small PDF uploaded to that task
# just before (one per field, named after it).
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" \
      b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00" \
      b"\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"






async def complete(client: httpx.AsyncClient, instance: dict, key: str, variables: dict,
                   headers: dict) -> dict:
    """Complete ``key`` (200) after uploading the documents ``variables`` asks for."""
    task = ready(instance, key)
    return await complete_as_is(client, instance, key,
                                await attach(client, task["id"], variables, headers), headers)


def checked(names: Any, value: bool = True) -> dict[str, bool]:
    return {name: value for name, _ in names}


def project(**overrides: Any) -> dict[str, Any]:
    """Start variables of an ordinary project: 80万, no consultancy, no 立项 by 发改."""
    return {"project_name": "智慧社区服务平台", "applicant_unit": "县民政局",
            "total_investment": 80, "planned_investment": 80, "plan_year": 2027,
            "secret": False, "higher_level_funded": False, "major_investment_plan": False,
            "technically_complex": False} | overrides


DECLARATION = {"application_letter": DOC, "application_form": DOC, "construction_plan": DOC,
               "project_type": "application", "network": "extranet",
               "fund_source": "县级财政资金", "construction_months": 6, "it_engineering": True,
               "uses_existing_infrastructure": True, "new_software": False}
# new_software False: no 3-month trial-run wait between completion and the initial acceptance
# (三(四)1), so these walks never move the clock; test_gaoqing_deadlines walks the trial run.
WRITTEN_OK = OK | checked(REVIEW_CRITERIA) | {"review_report": DOC}
ONSITE_OK = OK | checked(ONSITE_STEPS) | checked(REVIEW_CRITERIA) | {"review_report": DOC}
JOINT_OK = OK | checked(JOINT_CRITERIA)  # 县大数据局: technical conclusions and the bars
FUND_OK = OK | {"approved_budget": 80}    # 县财政局: fund conclusions (三(二)2)
PROCUREMENT = {"contractor": "某信息技术有限公司", "contract_amount": 78,
               "traded_by_center": True}
# implementation: completed_on is required; while not yet built it is the expected date.
COMPLETED = {"next_step": "completed", "completed_on": "2026-03-02"}  # the clock's day
EXPECTED_ON = "2026-06-30"
INITIAL_PASSED = {"initial_result": "passed", "software_test_report": DOC,
                  "security_risk_assessment": DOC, "opinion": "初验通过"}
# 附件7 五: every material a document; no supervisor, no software system of 100万 or more
APPLICATION = {field: DOC for field, _ in APPLICATION_MATERIALS} | {
    "largest_software_system_value": 60}
ACCEPTED = OK | checked(ACCEPTANCE_CRITERIA) | {"acceptance_report": DOC}
ORDERED = {"rectification_requirements": "整改要求", "rectification_due": "2026-03-31"}
RECTIFIED = {"rectification_plan": DOC, "rectification_report": DOC}
SETTLEMENT = {"settlement_amount": 76.5, "reviewing_agency": "某造价咨询公司",
              "opinion": "结算评审完成"}
EVALUATION = {"progress": "按期完成", "fund_use": "规范", "operation": "稳定", "effect": "良好",
              "performance": "adequate", "next_year_reduced": False}


def keys(instance: dict) -> list[str]:
    return sorted(t["key"] for t in instance["ready_tasks"])


async def refused(client: httpx.AsyncClient, instance: dict, key: str, variables: dict,
                  clause: str, headers: dict | None = None) -> None:
    """Completing ``key`` with ``variables`` is refused by the gate citing ``clause``
    (422 task.gate_failed) and the instance is left exactly as it was."""
    body = await _refusal(client, instance, key, variables, headers)
    assert body["code"] == "task.gate_failed", body
    assert any(e["clause"].startswith(clause) for e in body["errors"]), body["errors"]


async def _refusal(client: httpx.AsyncClient, instance: dict, key: str, variables: dict,
                   headers: dict | None) -> dict:
    """Complete ``key`` (``DOC`` values uploaded first): the 422 answer's body, after
    checking the instance is left exactly as it was."""
    task = ready(instance, key)
    who = headers or WHO[TASKS[key][0]]
    variables = await attach(client, task["id"], variables, who)
    before = await snapshot(client, instance["id"])
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": variables}, headers=who)
    assert response.status_code == 422, response.text
    assert await snapshot(client, instance["id"]) == before
    return dict(response.json())


def without(data: dict, *fields: str) -> dict:
    """``data`` less ``fields``: a form with those materials (or answers) left out."""
    return {k: v for k, v in data.items() if k not in fields}


async def refused_form(client: httpx.AsyncClient, instance: dict, key: str, variables: dict,
                       field: str, code: str, headers: dict | None = None) -> None:
    """Completing ``key`` with ``variables`` (``DOC`` values uploaded first) is 422
    ``form.invalid`` naming ``field`` with the field code ``code`` (``required``,
    ``document_unknown``, ``document_type``), and the instance is left exactly as it was."""
    body = await _refusal(client, instance, key, variables, headers)
    assert body["code"] == "form.invalid", body
    assert {e["field"]: e["code"] for e in body["errors"]}.get(field) == code, body["errors"]


async def countersign(client: httpx.AsyncClient, instance: dict, joint: dict | None = None,
                      fund: dict | None = None) -> dict:
    """三(二)2: the 县大数据局 signs the technical conclusions, the 县财政局 the fund ones."""
    instance = await step(client, instance, "joint_review", JOINT_OK if joint is None else joint)
    return await step(client, instance, "fund_review", FUND_OK if fund is None else fund)


async def step(client: httpx.AsyncClient, instance: dict, key: str, variables: dict,
               headers: dict | None = None) -> dict:
    """Check the ready task's lane, clause and groups (and due date where the text sets one),
    then complete it as a user of its lane."""
    task = ready(instance, key)
    lane, clause, groups = TASKS[key]
    assert (task["lane"], task["clause"], task["candidate_groups"]) == (lane, clause, groups)
    assert task["due_at"] == expected_due(key, instance["variables"]), (key, task["due_at"])
    return await complete(client, instance, key, variables, headers or WHO[lane])


async def begin(client: httpx.AsyncClient, key: str | None = None, **overrides: Any) -> dict:
    return await start(client, TENANT, UNIT, business_key=key, variables=project(**overrides))


async def reviewed(client: httpx.AsyncClient, key: str, **overrides: Any) -> dict:
    """A project declared, reviewed in writing and countersigned: waiting for the plan."""
    instance = await begin(client, key, **overrides)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "written_review", WRITTEN_OK)
    instance = await countersign(client, instance)
    assert instance["ready_tasks"] == []
    return instance


async def message(client: httpx.AsyncClient, instance: dict, name: str,
                  headers: dict | None = None) -> dict:
    """Send a message as its declared sender (``SENDER``), or as ``headers``."""
    response = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 json={"name": name}, headers=headers or SENDER[name])
    assert response.status_code == 200, response.text
    return response.json()


async def in_construction(client: httpx.AsyncClient, key: str, declaration: dict | None = None,
                          **overrides: Any) -> dict:
    """A listed project through procurement (and the supervisor filing, if required), at
    the implementation task."""
    instance = await begin(client, key, **overrides)
    instance = await step(client, instance, "declare", declaration or DECLARATION)
    mode = "onsite_review" if instance["variables"]["review_mode"] == "onsite" \
        else "written_review"
    instance = await step(client, instance, mode, ONSITE_OK if mode == "onsite_review"
                          else WRITTEN_OK)
    instance = await countersign(client, instance)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await step(client, instance, "procurement_documents",
                          {"procurement_files": DOC})
    instance = await step(client, instance, "procurement_review",
                          OK | {"consistent_with_plan": True, "in_annual_plan": True})
    instance = await step(client, instance, "procurement", PROCUREMENT)
    if instance["variables"]["supervisor_required"]:
        instance = await step(client, instance, "supervisor_filing", {
            "supervisor": "某监理公司", "supervisor_qualification": DOC,
            "chief_supervisor_licence": DOC, "filed_with_hub": True})
    assert keys(instance) == ["implementation"]
    return instance


async def state(client: httpx.AsyncClient, instance: dict) -> tuple[str, str | None]:
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=ADMIN)).json()
    return body["state"], body["outcome"]


INSPECTORS = {"hub": HUB, "finance": FINANCE, "audit": AUDIT}
INSPECTION = {"policy_and_design": "按方案实施", "procurement_quality_progress_funds": "正常",
              "opinion": "检查意见"}


async def inspect(client: httpx.AsyncClient, instance: dict,
                  findings: dict[str, str] | None = None) -> dict:
    """三(三)4 会同: the hub, finance and audit each sign their own inspection slot
    (``findings`` per body, default "none"); the instance after the last signature."""
    slots = {t["candidate_groups"][0]: t for t in instance["ready_tasks"]
             if t["key"] == "inspection"}
    assert sorted(slots) == ["audit", "finance", "hub"], slots
    for body, headers in INSPECTORS.items():
        assert slots[body]["clause"] == "高青 三(三)4"
        finding = (findings or {}).get(body, "none")
        response = await client.post(f"{API}/tasks/{slots[body]['id']}/complete",
                                     json={"variables": INSPECTION | {"findings": finding}},
                                     headers=headers)
        assert response.status_code == 200, response.text
        instance = response.json()
    return instance
