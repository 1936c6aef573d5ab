"""河源 (河府办〔2021〕30号) through the REST API: every branch to its outcome, the 50万
boundary of the filing route, the loops, and the forms' refusals."""

import pytest

from tests.conftest import deploy
from tests.scenarios.heyuan.heyuan_support import (
    ACCEPTED,
    APPROVAL_OK,
    ARCHIVE_OK,
    CRYPTO_DECLARATION,
    CRYPTO_OK,
    DECLARATION,
    FILING_OK,
    FINANCE_ACCEPTED,
    FUND_OK,
    HUB,
    INITIAL_OK,
    OK,
    TENANT,
    UNIT,
    begin,
    fetch,
    keys,
    review,
    step,
    variables,
)
from tests.support.api import API, ready
from tests.support.bundled import bundled


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text
    return response.json()


def done(instance: dict, outcome: str) -> None:
    assert (instance["state"], instance["outcome"], instance["ready_tasks"]) == (
        "completed", outcome, [])


# -- entry gates ---------------------------------------------------------------

async def test_start_form_requires_every_gate_variable(client):
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=UNIT,
                                 json={"variables": {"total_investment": -1}})
    assert response.status_code == 422
    assert {e["loc"] for e in response.json()["errors"]} == {
        f"variables.{v}" for v in ("project_name", "applicant_unit", "total_investment",
                                   "plan_year", "secret", "crypto_relevant", "project_class",
                                   "in_yearly_list")}
    bad_class = variables() | {"project_class": "mixed"}
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=UNIT,
                                 json={"variables": bad_class})
    assert response.status_code == 422


@pytest.mark.parametrize("listed", [True, False])
async def test_secret_project_is_out_of_scope_right_after_start(client, listed):
    done(await begin(client, f"SECRET-{listed}", secret=True, listed=listed), "out_of_scope")


async def test_project_not_on_last_years_list_ends_not_in_plan(client):
    done(await begin(client, "UNLISTED", listed=False), "not_in_plan")


# -- the 50万 boundary (第十二条: 以下 includes 50) --------------------------------

@pytest.mark.parametrize(("amount", "ready_keys"), [
    (50, ["filing_review"]),
    (49.99, ["filing_review"]),
    (0, ["filing_review"]),
    (50.01, ["initial_review"]),
    (5000, ["initial_review"]),
])
async def test_budget_of_50_or_less_takes_the_filing_route(client, amount, ready_keys):
    instance = await begin(client, f"ROUTE-{amount}", amount=amount)
    assert keys(instance) == ["declare"]
    instance = await step(client, instance, "declare", DECLARATION)
    assert keys(instance) == ready_keys
    assert instance["variables"]["route"] == ("filing_mode" if amount <= 50 else "full_review")
    for key in ready_keys:  # lanes, clauses and due dates
        ready(instance, key)
    if amount > 50:
        # 第十一条(四)(五)(六) in order: the fund review follows a passed initial review
        instance = await step(client, instance, "initial_review", INITIAL_OK)
        assert keys(instance) == ["fund_review"]
        instance = await step(client, instance, "fund_review", FUND_OK | {"opinion": "资金已落实"})
        assert keys(instance) == ["approval"]
        # the approval combines both opinions: each is kept under its own name
        assert {k: instance["variables"][k] for k in (
            "initial_review_approved", "initial_review_opinion", "fund_review_approved",
            "fund_review_opinion")} == {"initial_review_approved": True,
                                        "initial_review_opinion": "同意",
                                        "fund_review_approved": True,
                                        "fund_review_opinion": "资金已落实"}


# -- crypto review -------------------------------------------------------------

async def test_crypto_projects_are_reviewed_and_a_rejection_returns_to_the_scheme(client):
    instance = await begin(client, "CRYPTO", amount=30, crypto=True)
    instance = await step(client, instance, "declare", CRYPTO_DECLARATION)
    assert keys(instance) == ["crypto_review"]
    instance = await step(client, instance, "crypto_review",
                          review(False, ("crypto_compliant", ""),
                                 opinion="密码应用方案未达到等保三级要求")
                          | {"copied_to_hub": True})  # 第十一条(二): copied either way
    assert keys(instance) == ["declare"]
    instance = await step(client, instance, "declare", CRYPTO_DECLARATION)
    instance = await step(client, instance, "crypto_review", CRYPTO_OK)
    assert keys(instance) == ["filing_review"]  # filing mode keeps the crypto review


# -- rejections ----------------------------------------------------------------

async def test_failed_filing_review_ends_rejected(client):
    instance = await begin(client, "FILING-NO", amount=50)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "filing_review",
                          review(False, *[(k, "") for k in FILING_OK if k not in (
                              "approved", "opinion")], opinion="未纳入政务信息系统目录"))
    done(instance, "rejected")


async def test_refused_project_approval_ends_rejected(client):
    instance = await begin(client, "APPROVAL-NO", amount=80)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "initial_review", INITIAL_OK)
    instance = await step(client, instance, "fund_review", FUND_OK)
    instance = await step(client, instance, "approval",
                          APPROVAL_OK | {"approved": False, "opinion": "不予立项"})
    done(instance, "rejected")


async def test_incomplete_reviews_are_refused(client):
    instance = await begin(client, "FORMS", amount=80)
    instance = await step(client, instance, "declare", DECLARATION)
    task = ready(instance, "initial_review")
    for bad in ({"approved": True, "opinion": "同意"},              # the checklist is missing
                INITIAL_OK | {"opinion": ""},                       # empty opinion
                {k: v for k, v in INITIAL_OK.items() if k != "approved"},
                INITIAL_OK | {"approved": "yes"},
                INITIAL_OK | {"unknown_field": 1}):
        response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                     json={"variables": bad}, headers=HUB)
        assert response.status_code == 422, bad
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": INITIAL_OK}, headers=UNIT)
    assert response.status_code == 403  # the unit may not review
    instance = await step(client, instance, "initial_review", INITIAL_OK)
    task = ready(instance, "fund_review")
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": FUND_OK}, headers=HUB)
    assert response.status_code == 403  # the fund review is the finance bureau's
    declare = ready(await begin(client, "FORMS-DECLARE"), "declare")
    response = await client.post(f"{API}/tasks/{declare['id']}/complete",
                                 json={"variables": {"scheme": True}}, headers=UNIT)
    assert response.status_code == 422
    assert {e["loc"] for e in response.json()["errors"]} >= {
        "variables.application_form", "variables.data_resource_checklist",
        "variables.necessity_documents", "variables.budget_unit"}


# -- the whole life of a full-review project -------------------------------------

async def approved_full(client, key: str, *, crypto: bool, project_class: str) -> dict:
    instance = await begin(client, key, amount=50.01, crypto=crypto, project_class=project_class)
    instance = await step(client, instance, "declare",
                          CRYPTO_DECLARATION if crypto else DECLARATION)
    if crypto:
        instance = await step(client, instance, "crypto_review", CRYPTO_OK)
    instance = await step(client, instance, "initial_review", INITIAL_OK)
    instance = await step(client, instance, "fund_review", FUND_OK)
    return await step(client, instance, "approval", APPROVAL_OK)


PROCURED = {"procurement_result": "公开招标，中标单位：某公司", "contracts_signed": True}
CHANGE = {"contract_amount": 100, "change_amount": 10, "total_after_change": 100,
          "change_basis": "业务需求调整", "change_content": "增加统计模块",
          "supervisor_opinion": "同意"}


async def test_full_review_project_from_declaration_to_post_evaluation(client):
    instance = await approved_full(client, "FULL", crypto=True, project_class="public")
    assert keys(instance) == ["public_procurement"]  # 第十五条: the bureau procures
    instance = await step(client, instance, "public_procurement", PROCURED)
    assert keys(instance) == ["implementation"]
    assert instance["variables"]["previous_changes"] == 0

    # public infrastructure on request (第十九条)
    instance = await step(client, instance, "implementation",
                          {"next_step": "request_cloud_resources", "progress": "开发中"})
    instance = await step(client, instance, "cloud_resource_request", {"resources": "政务云 8核"})
    instance = await step(client, instance, "cloud_resource_review", OK | {"allocated": "8核"})
    assert keys(instance) == ["implementation"]

    # a change within 第二十一条: total = contract, change = 10 % exactly, the first one
    instance = await step(client, instance, "implementation", {"next_step": "request_change"})
    instance = await step(client, instance, "change_request", CHANGE)
    assert instance["variables"]["change_admissible"] is True
    instance = await step(client, instance, "change_review", OK)
    instance = await step(client, instance, "change_fund_review", OK)
    assert keys(instance) == ["implementation"]
    assert instance["variables"]["previous_changes"] == 1

    # a second change is not admissible (第二十一条(三)); the bureau still decides
    instance = await step(client, instance, "implementation", {"next_step": "request_change"})
    instance = await step(client, instance, "change_request",
                          CHANGE | {"change_amount": 1, "total_after_change": 99})
    assert instance["variables"]["change_admissible"] is False
    assert instance["variables"]["change_issue"].startswith("第二十一条(三)")
    assert keys(instance) == ["change_review"]
    instance = await step(client, instance, "change_review",
                          review(False, opinion="同一项目变更原则上不多于1次"))
    assert keys(instance) == ["implementation"]
    assert instance["variables"]["previous_changes"] == 1

    # completion; a failed initial acceptance goes back to implementation
    instance = await step(client, instance, "implementation", {"next_step": "completed"})
    instance = await step(client, instance, "initial_acceptance", review(False))
    assert keys(instance) == ["implementation"]
    instance = await step(client, instance, "implementation", {"next_step": "completed"})
    instance = await step(client, instance, "initial_acceptance", OK)

    # archive acceptance must pass first (第二十二条)
    instance = await step(client, instance, "archive_acceptance",
                          review(False, ("archive_complete", "")))
    assert keys(instance) == ["archive_acceptance"]
    instance = await step(client, instance, "archive_acceptance", ARCHIVE_OK)

    # conformity review (第二十四条), failed -> rectification -> resubmitted (第二十五条)
    assert keys(instance) == ["conformity_review"]
    instance = await step(client, instance, "conformity_review", review(False))
    instance = await step(client, instance, "rectification", {"rectification_report": "已整改"})
    assert keys(instance) == ["conformity_review"]
    instance = await step(client, instance, "conformity_review", OK)

    # a failed acceptance is rectified and goes through the conformity review again
    instance = await step(client, instance, "final_acceptance",
                          review(False) | {"acceptance_report": "主要功能未实现"})
    instance = await step(client, instance, "finance_acceptance", FINANCE_ACCEPTED)
    instance = await step(client, instance, "rectification", {"rectification_report": "已补齐"})
    assert keys(instance) == ["conformity_review"]
    instance = await step(client, instance, "conformity_review", OK)
    # 第二十四条: the unit organises the acceptance, then finance signs it (会签)
    instance = await step(client, instance, "final_acceptance", ACCEPTED)
    assert keys(instance) == ["finance_acceptance"]
    instance = await step(client, instance, "finance_acceptance", FINANCE_ACCEPTED)

    # the report goes to the bureau and, for a crypto project, to the crypto bureau
    assert keys(instance) == ["acceptance_filing", "crypto_acceptance_filing"]
    instance = await step(client, instance, "crypto_acceptance_filing",
                          {"report_received": True})
    assert keys(instance) == ["acceptance_filing"]
    instance = await step(client, instance, "acceptance_filing",
                          {"report_received": True, "post_evaluation": True})
    assert keys(instance) == ["performance_evaluation"]
    instance = await step(client, instance, "performance_evaluation", {
        "efficiency": "良好", "security": "无安全事件", "effect": "日均办件300件",
        "conclusion": "良好"})
    done(instance, "accepted")


async def test_filing_mode_project_accepts_itself_without_conformity_review(client):
    instance = await begin(client, "FILING", amount=50, project_class="professional")
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "filing_review", FILING_OK)
    assert keys(instance) == ["procurement"]  # 第十六条: the unit procures
    instance = await step(client, instance, "procurement", PROCURED)
    instance = await step(client, instance, "implementation", {"next_step": "completed"})
    instance = await step(client, instance, "initial_acceptance", OK)
    instance = await step(client, instance, "archive_acceptance", ARCHIVE_OK)
    assert keys(instance) == ["final_acceptance"]  # 第二十四条: no conformity review
    instance = await step(client, instance, "final_acceptance",
                          review(False) | {"acceptance_report": "性能不达标"})
    instance = await step(client, instance, "rectification", {"rectification_report": "已优化"})
    assert keys(instance) == ["final_acceptance"]
    instance = await step(client, instance, "final_acceptance",
                          OK | {"acceptance_report": "验收通过"})
    assert keys(instance) == ["acceptance_filing"]  # not a crypto project: no copy
    instance = await step(client, instance, "acceptance_filing",
                          {"report_received": True, "post_evaluation": False})
    done(instance, "accepted")


async def test_professional_full_project_procures_itself(client):
    instance = await approved_full(client, "FULL-PRO", crypto=False, project_class="professional")
    assert keys(instance) == ["procurement"]


# -- change requests: admissibility is a review input, never an end ------------------

async def changing(client, key: str) -> dict:
    instance = await begin(client, key, amount=20)
    for task, data in (("declare", DECLARATION), ("filing_review", FILING_OK),
                       ("procurement", PROCURED),
                       ("implementation", {"next_step": "request_change"})):
        instance = await step(client, instance, task, data)
    return instance


@pytest.mark.parametrize(("change", "admissible", "issue"), [
    ({}, True, ""),
    ({"change_amount": 10.01}, False, "第二十一条(二)"),
    ({"change_amount": 9.99}, True, ""),
    ({"total_after_change": 100.01}, False, "第二十一条(一)"),
    ({"total_after_change": 99.99}, True, ""),
])
async def test_change_admissibility_reaches_the_review(client, change, admissible, issue):
    instance = await changing(client, f"CHANGE-{sorted(change.items())}")
    instance = await step(client, instance, "change_request", CHANGE | change)
    assert instance["variables"]["change_admissible"] is admissible
    assert instance["variables"]["change_issue"].startswith(issue)
    assert keys(instance) == ["change_review"]


async def test_inadmissible_change_may_still_be_approved_per_law(client):
    instance = await changing(client, "CHANGE-LAW")
    instance = await step(client, instance, "change_request",
                          CHANGE | {"change_amount": 15, "total_after_change": 100})
    assert instance["variables"]["change_admissible"] is False
    instance = await step(client, instance, "change_review",
                          OK | {"legal_basis": "按政府采购法第四十九条，追加不超过合同金额10%"})
    assert keys(instance) == ["change_fund_review"]
    instance = await step(client, instance, "change_fund_review",
                          review(False, opinion="变更部分预算不足"))
    assert keys(instance) == ["implementation"]
    assert instance["variables"]["previous_changes"] == 0  # a refused change does not count
    assert (await fetch(client, instance))["state"] == "running"
