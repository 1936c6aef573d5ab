"""Helpers for the 河源 (heyuan) scenario tests: role tokens, start variables, and a step
function that checks each task's lane and clause before completing it."""

from typing import Any

import httpx

from tests.scenarios.heyuan.heyuan_criteria import BARS, FILING_REVIEW, FUND_REVIEW, INITIAL_REVIEW
from tests.support.api import API, complete, ready, start, token
from tests.support.uploads import DOC, attach

TENANT = "heyuan"
UNIT = token("unit_user", TENANT, ("unit",))
CRYPTO = token("crypto_user", TENANT, ("crypto",))
HUB = token("hub_user", TENANT, ("hub",))
FINANCE = token("finance_user", TENANT, ("finance",))
EXPERTS = token("expert_user", TENANT, ("experts",))

UNIT_LANE, CRYPTO_LANE, HUB_LANE = "项目建设单位", "市密码管理局", "市政务服务数据管理局"
FINANCE_LANE, EXPERTS_LANE = "市财政局", "第三方咨询机构"
WHO = {UNIT_LANE: UNIT, CRYPTO_LANE: CRYPTO, HUB_LANE: HUB, FINANCE_LANE: FINANCE,
       EXPERTS_LANE: EXPERTS}

# task key -> (lane, clause, candidate groups)
TASKS: dict[str, tuple[str, str, list[str]]] = {
    "declare": (UNIT_LANE, "河源 第十一条(一)(三)", ["unit"]),
    "crypto_review": (CRYPTO_LANE, "河源 第十一条(二)", ["crypto"]),
    "filing_review": (HUB_LANE, "河源 第十二条", ["hub"]),
    "initial_review": (HUB_LANE, "河源 第十一条(四)", ["hub"]),
    "fund_review": (FINANCE_LANE, "河源 第十一条(五)", ["finance"]),
    "approval": (HUB_LANE, "河源 第十一条(六)", ["hub"]),
    "public_procurement": (HUB_LANE, "河源 第十五条", ["hub"]),
    "procurement": (UNIT_LANE, "河源 第十六条", ["unit"]),
    "implementation": (UNIT_LANE, "河源 第十七条", ["unit"]),
    "cloud_resource_request": (UNIT_LANE, "河源 第十九条", ["unit"]),
    "cloud_resource_review": (HUB_LANE, "河源 第十九条", ["hub"]),
    "change_request": (UNIT_LANE, "河源 第二十一条", ["unit"]),
    "change_review": (HUB_LANE, "河源 第二十一条", ["hub"]),
    "change_fund_review": (FINANCE_LANE, "河源 第二十一条", ["finance"]),
    "initial_acceptance": (UNIT_LANE, "河源 第二十四条", ["unit"]),
    "archive_acceptance": (UNIT_LANE, "河源 第二十二条", ["unit"]),
    "conformity_review": (HUB_LANE, "河源 第二十四条", ["hub"]),
    "rectification": (UNIT_LANE, "河源 第二十五条", ["unit"]),
    "final_acceptance": (UNIT_LANE, "河源 第二十四、二十五条", ["unit"]),
    "finance_acceptance": (FINANCE_LANE, "河源 第二十四条", ["finance"]),
    "acceptance_filing": (HUB_LANE, "河源 第二十五、二十六条", ["hub"]),
    "crypto_acceptance_filing": (CRYPTO_LANE, "河源 第二十五条", ["crypto"]),
    "performance_evaluation": (EXPERTS_LANE, "河源 第二十六条", ["experts"]),
    # 原则上 deadlines: an overdue review is escalated to the bureau (第二十六条), never ended
    "crypto_review_escalation": (HUB_LANE, "河源 第十一条(二)、第二十六条", ["hub"]),
    "initial_review_escalation": (HUB_LANE, "河源 第十一条(四)、第二十六条", ["hub"]),
    "fund_review_escalation": (HUB_LANE, "河源 第十一条(五)、第二十六条", ["hub"]),
    "approval_escalation": (HUB_LANE, "河源 第十一条(六)、第二十六条", ["hub"]),
    "conformity_review_escalation": (HUB_LANE, "河源 第二十四条、第二十六条", ["hub"]),
    # 第六条: the unit's yearly plan and project list, a process of its own (plan_filing.bpmn)
    "plan_submission": (UNIT_LANE, "河源 第六条", ["unit"]),
    "plan_filing": (HUB_LANE, "河源 第六条", ["hub"]),
}

# Due dates: the test clock is frozen at 2026-03-02 09:00 UTC (a Monday, 17:00 in Shanghai);
# the due moment is the end of the due day in Asia/Shanghai, returned in UTC.
DUE = {
    "crypto_review": "2026-03-09T15:59:59.999999Z",     # 5 WD
    "approval": "2026-03-09T15:59:59.999999Z",          # 5 WD
    "initial_review": "2026-03-16T15:59:59.999999Z",    # 10 WD
    "conformity_review": "2026-03-16T15:59:59.999999Z",  # 10 WD
    "fund_review": "2026-03-18T15:59:59.999999Z",       # 12 WD
}

# A required material is a document: a value ``DOC`` in a task's variables is replaced, by
# ``step`` and ``attach``, with the id of a small PDF uploaded to that task just before.

DECLARATION = {"scheme": DOC, "argument_opinion": DOC, "application_form": DOC,
               "data_resource_checklist": DOC, "necessity_documents": DOC,
               "budget_unit": "河源市政务服务数据管理局"}
CRYPTO_DECLARATION = DECLARATION | {"crypto_scheme": DOC, "crypto_assessment_report": DOC}


def review(approved: bool = True, *criteria: tuple[str, str], opinion: str | None = None
           ) -> dict[str, Any]:
    """A review's variables: the decision, an opinion, and every criterion of the checklist."""
    return {"approved": approved, "opinion": opinion or ("同意" if approved else "不同意"),
            **{field: approved for field, _ in criteria}}


INITIAL_OK = review(True, *INITIAL_REVIEW, *BARS)
FUND_OK = review(True, *FUND_REVIEW)
FILING_OK = review(True, *FILING_REVIEW, *BARS)
APPROVAL_OK = review(True, ("initial_review_considered", ""), ("fund_review_considered", ""))
CRYPTO_OK = review(True, ("crypto_compliant", ""), ("copied_to_hub", "")) | {
    "crypto_review_opinion": DOC}
OK = review(True)
ARCHIVE_OK = review(True, ("archive_complete", "")) | {"project_archive": DOC}
# 第二十四条: a project past the conformity review is accepted with the contractor and the
# supervisor present, the bureau supervising, and finance signing its own task
ACCEPTED = OK | {"acceptance_report": DOC, "contractor_participated": True,
                 "supervisor_participated": True, "hub_supervised": True}
FINANCE_ACCEPTED = {"finance_accepted": True, "finance_opinion": "同意通过验收"}


def variables(amount: float = 120, *, secret: bool = False, crypto: bool = False,
              project_class: str = "professional", listed: bool = True) -> dict[str, Any]:
    return {"project_name": "河源市智慧政务平台", "applicant_unit": "河源市某局",
            "total_investment": amount, "plan_year": 2026, "secret": secret,
            "crypto_relevant": crypto, "project_class": project_class,
            "in_yearly_list": listed}






async def complete_with_documents(client: httpx.AsyncClient, instance: dict, key: str,
                                  data: dict[str, Any], headers: dict) -> dict:
    """``complete`` after uploading the documents ``data`` asks for (``DOC`` values)."""
    task = ready(instance, key)
    return await complete(client, instance, key,
                          await attach(client, task["id"], data, headers), headers)


def keys(instance: dict) -> list[str]:
    return sorted(t["key"] for t in instance["ready_tasks"])


async def begin(client: httpx.AsyncClient, key: str, **kwargs: Any) -> dict:
    return await start(client, TENANT, UNIT, business_key=key, variables=variables(**kwargs))


async def step(client: httpx.AsyncClient, instance: dict, key: str,
               data: dict[str, Any] | None = None, *, check_due: bool = True) -> dict:
    """Check the ready task's lane, groups and clause (and its due date against ``DUE``,
    unless the test moved the clock: ``check_due=False``), then complete it as its lane's
    role."""
    task = ready(instance, key)
    lane, clause, groups = TASKS[key]
    assert (task["lane"], task["clause"], task["candidate_groups"]) == (lane, clause, groups), key
    if check_due and key in DUE:
        assert task["due_at"] == DUE[key], (key, task["due_at"])
    return await complete_with_documents(client, instance, key, data or {}, WHO[lane])


async def fetch(client: httpx.AsyncClient, instance: dict) -> dict:
    from tests.support.api import ADMIN

    response = await client.get(f"{API}/process-instances/{instance['id']}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()
