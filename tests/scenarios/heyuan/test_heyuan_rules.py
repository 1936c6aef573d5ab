"""河源's rules bind (issue 11): what the text makes mandatory refuses the completion with
422 ``task.gate_failed`` naming the clause, and the instance stays as it was; the reviews
of 第十一条 run in the text's order and 立项 is never granted after a failed one; finance
signs the acceptance it takes part in (第二十四条); each body decides with its own group and
one person never decides for two bodies (第四条); and a project started on any day of the
year behaves the same (the text has no window)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.scenarios.heyuan.heyuan_support import (
    ACCEPTED,
    APPROVAL_OK,
    ARCHIVE_OK,
    CRYPTO,
    CRYPTO_DECLARATION,
    CRYPTO_OK,
    DECLARATION,
    FILING_OK,
    FINANCE,
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
from tests.support.api import API, history, ready, start, token
from tests.support.bundled import bundled

PROCURED = {"procurement_result": "公开招标，中标单位：某公司", "contracts_signed": True}
CHANGE = {"contract_amount": 100, "change_amount": 15, "total_after_change": 100,
          "change_basis": "业务需求调整", "change_content": "增加统计模块",
          "supervisor_opinion": "同意"}

# the clauses the gates name (the text after "gate:" in the diagram)
APPROVAL_GATE = "河源 第十一条(六) 初步审核和资金审核均通过方可批复立项"
INITIAL_GATE = "河源 第十一条(四) 初步审核各项内容均符合要求方可通过"
BARS_GATE = "河源 第九条 具有第九条(一)至(五)情形之一的项目不予立项"
FUND_GATE = ("河源 第十一条(五)、第十三条 资金来源和资金安排明确、预算审核通过、"
             "与年度预算可支配财力相适应方可通过资金审核")
FILING_GATE = "河源 第十二条 执行方案编制论证、密码论证审核，造价审核由部门自行实施后方可备案通过"
DECLARE_GATE = ("河源 第十一条(一)(三) 立项申报须提交项目方案及内部论证意见、立项申请表、"
                "项目数据资源管理核查表和项目建设必要性文件")
CRYPTO_SCHEME_GATE = ("河源 第十一条(一)(二) 涉及密码应用的项目须同步编制商用密码应用建设方案"
                      "并附商用密码应用方案评估报告")
CRYPTO_GATE = "河源 第十一条(二) 商用密码应用建设方案符合要求方可通过密码应用审核"
COPY_GATE = "河源 第十一条(二) 密码应用审核意见须抄送市政务服务数据管理局"
CHANGE_GATE = ("河源 第二十一条 不符合第二十一条(一)至(三)情形的变更须按相关法律法规、"
               "国家和省有关规定办理并注明依据")
ARCHIVE_GATE = "河源 第二十二条 未进行档案验收或者档案验收不合格的，不得通过项目验收"
ACCEPTANCE_GATE = ("河源 第二十四条 已通过符合性审查的项目由建设单位组织承建及监理单位验收，"
                   "市政务服务数据管理局派员监督")
FILED_GATE = "河源 第二十五条 验收报告须报送市政务服务数据管理局"
CONTRACT_GATE = "河源 第十六、十七条 按政府采购规定采购并签订合同"
CLOUD_GATE = "河源 第十九条 审核同意的申请由市政务服务数据管理局分配公共基础设施资源"


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


async def refused(client, instance: dict, key: str, data: dict[str, Any], headers: dict,
                  clause: str) -> None:
    """Completing ``key`` with ``data`` is refused by the gate that names ``clause``, and
    the instance is exactly as it was (the same ready tasks, the same variables)."""
    before = await fetch(client, instance)
    task = ready(before, key)
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": data}, headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "task.gate_failed", body
    assert body["errors"][0]["clause"] == clause, body  # the first failing gate
    assert clause in body["detail"]
    after = await fetch(client, instance)
    assert ([(t["id"], t["key"]) for t in after["ready_tasks"]], after["variables"]) == (
        [(t["id"], t["key"]) for t in before["ready_tasks"]], before["variables"])


def done(instance: dict, outcome: str) -> None:
    assert (instance["state"], instance["outcome"], instance["ready_tasks"]) == (
        "completed", outcome, [])


# -- 第十一条: initial review, then fund review, then 立项批复; never granted after a no ----

async def test_the_fund_review_follows_the_initial_review(client):
    """第十一条(四)(五): the fund review is not open while the initial review is."""
    instance = await begin(client, "ORDER", amount=120)
    instance = await step(client, instance, "declare", DECLARATION)
    assert keys(instance) == ["initial_review"]
    instance = await step(client, instance, "initial_review", INITIAL_OK)
    assert keys(instance) == ["fund_review"]
    instance = await step(client, instance, "fund_review", FUND_OK)
    assert keys(instance) == ["approval"]


async def test_failed_initial_review_goes_to_a_refusal_without_a_fund_review(client):
    """第十一条(六): a failed initial review is never approved; finance is not asked."""
    instance = await begin(client, "INITIAL-NO", amount=120)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "initial_review",
                          INITIAL_OK | {"approved": False, "bar_catalog": False,
                                        "opinion": "第九条(一)：未纳入政务信息系统目录"})
    assert keys(instance) == ["approval"]
    assert instance["variables"]["initial_review_approved"] is False
    # the task says up front what it will refuse
    detail = await client.get(f"{API}/tasks/{ready(instance, 'approval')['id']}", headers=HUB)
    assert {"clause": APPROVAL_GATE,
            "expression": "not approved or (initial_review_approved and fund_review_approved)"
            } in detail.json()["gates"]
    await refused(client, instance, "approval", APPROVAL_OK, HUB, APPROVAL_GATE)
    instance = await step(client, instance, "approval",
                          APPROVAL_OK | {"approved": False, "opinion": "初步审核未通过，不予立项"})
    done(instance, "rejected")
    events = await history(client, instance["id"])
    assert "fund_review" not in {e.get("element_id") for e in events}


async def test_finance_refusing_the_funds_blocks_the_approval(client):
    """第十一条(五)(六): 立项 is not granted after finance refused the funds."""
    instance = await begin(client, "FUND-NO", amount=120)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "initial_review", INITIAL_OK)
    instance = await step(client, instance, "fund_review",
                          review(False, opinion="资金来源未落实") | {
                              "fund_source": False, "fund_arrangement": True,
                              "budget_reviewed": True, "within_budget_capacity": True})
    assert keys(instance) == ["approval"]
    await refused(client, instance, "approval", APPROVAL_OK, HUB, APPROVAL_GATE)
    instance = await step(client, instance, "approval",
                          APPROVAL_OK | {"approved": False, "opinion": "资金审核未通过"})
    done(instance, "rejected")


# -- kind 1: a review may not pass with a failed condition ------------------------------

@pytest.mark.parametrize(("field", "clause"), [
    ("compliance", INITIAL_GATE), ("digital_government", INITIAL_GATE),
    ("bar_catalog", BARS_GATE), ("bar_secure_products", BARS_GATE)], ids=["compliance", "digital_government", "bar_catalog", "bar_secure_products"])
async def test_initial_review_cannot_pass_with_a_failed_criterion(client, field, clause):
    """第十一条(四) lists what the initial review checks; 第九条 bars 立项."""
    instance = await begin(client, f"INITIAL-{field}", amount=120)
    instance = await step(client, instance, "declare", DECLARATION)
    await refused(client, instance, "initial_review", INITIAL_OK | {field: False}, HUB, clause)
    # refusing with the same finding is accepted
    instance = await step(client, instance, "initial_review",
                          INITIAL_OK | {field: False, "approved": False})
    assert keys(instance) == ["approval"]


@pytest.mark.parametrize("field", ["fund_source", "fund_arrangement", "budget_reviewed",
                                   "within_budget_capacity"])
async def test_fund_review_cannot_pass_with_a_failed_condition(client, field):
    """第十一条(五) and 第十三条 (funds fit the unit's budget, no diverted funds)."""
    instance = await begin(client, f"FUND-{field}", amount=120)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "initial_review", INITIAL_OK)
    await refused(client, instance, "fund_review", FUND_OK | {field: False}, FINANCE, FUND_GATE)


@pytest.mark.parametrize(("field", "clause"), [
    ("cost_reviewed_by_unit", FILING_GATE), ("scheme_argued", FILING_GATE),
    ("bar_security", BARS_GATE)], ids=["cost_reviewed_by_unit", "scheme_argued", "bar_security"])
async def test_filing_review_cannot_pass_with_a_failed_condition(client, field, clause):
    """第十二条: the filing review completes 立项 only after the argument, the crypto review
    and the unit's own cost review; 第九条's bars apply to it too."""
    instance = await begin(client, f"FILING-{field}", amount=50)
    instance = await step(client, instance, "declare", DECLARATION)
    await refused(client, instance, "filing_review", FILING_OK | {field: False}, HUB, clause)


async def test_declaration_needs_every_material(client):
    """第十一条(一)(三): a material marked missing refuses the declaration; a crypto project
    also needs its 商用密码应用建设方案 and 评估报告 (第十一条(一)(二))."""
    instance = await begin(client, "DECLARE-MISSING", amount=120)
    await refused(client, instance, "declare", DECLARATION | {"application_form": False}, UNIT,
                  DECLARE_GATE)
    crypto = await begin(client, "DECLARE-CRYPTO", amount=120, crypto=True)
    await refused(client, crypto, "declare", CRYPTO_DECLARATION | {"crypto_scheme": False},
                  UNIT, CRYPTO_SCHEME_GATE)
    crypto = await step(client, crypto, "declare", CRYPTO_DECLARATION)
    assert keys(crypto) == ["crypto_review"]


async def test_crypto_review_passes_only_a_compliant_scheme_and_is_copied(client):
    """第十一条(二): the 密码管理局 passes a compliant scheme and copies its opinion to the
    bureau, whatever it decides."""
    instance = await begin(client, "CRYPTO-GATES", amount=120, crypto=True)
    instance = await step(client, instance, "declare", CRYPTO_DECLARATION)
    await refused(client, instance, "crypto_review", CRYPTO_OK | {"crypto_compliant": False},
                  CRYPTO, CRYPTO_GATE)
    await refused(client, instance, "crypto_review",
                  CRYPTO_OK | {"approved": False, "crypto_compliant": False,
                               "copied_to_hub": False}, CRYPTO, COPY_GATE)
    instance = await step(client, instance, "crypto_review", CRYPTO_OK)
    assert keys(instance) == ["initial_review"]


# -- after 立项 --------------------------------------------------------------------------

async def approved(client, key: str, *, amount: float = 120) -> dict:
    instance = await begin(client, key, amount=amount)
    instance = await step(client, instance, "declare", DECLARATION)
    if amount <= 50:
        return await step(client, instance, "filing_review", FILING_OK)
    instance = await step(client, instance, "initial_review", INITIAL_OK)
    instance = await step(client, instance, "fund_review", FUND_OK)
    return await step(client, instance, "approval", APPROVAL_OK)


async def test_procurement_ends_with_a_signed_contract(client):
    """第十六、十七条: the unit procures and signs the contract it manages."""
    instance = await approved(client, "CONTRACT")
    await refused(client, instance, "procurement", PROCURED | {"contracts_signed": False},
                  UNIT, CONTRACT_GATE)


async def test_an_approved_resource_request_names_what_is_allocated(client):
    """第十九条: the bureau reviews and allocates the public infrastructure it approves."""
    instance = await approved(client, "CLOUD", amount=30)
    instance = await step(client, instance, "procurement", PROCURED)
    instance = await step(client, instance, "implementation",
                          {"next_step": "request_cloud_resources"})
    instance = await step(client, instance, "cloud_resource_request", {"resources": "政务云 8核"})
    await refused(client, instance, "cloud_resource_review", OK, HUB, CLOUD_GATE)
    await refused(client, instance, "cloud_resource_review", OK | {"allocated": ""}, HUB,
                  CLOUD_GATE)
    instance = await step(client, instance, "cloud_resource_review", review(False))
    assert keys(instance) == ["implementation"]


async def test_an_inadmissible_change_is_approved_only_with_its_legal_basis(client):
    """第二十一条: a change outside (一)—(三) follows the laws; the approval names them."""
    instance = await approved(client, "CHANGE-BASIS", amount=30)
    instance = await step(client, instance, "procurement", PROCURED)
    instance = await step(client, instance, "implementation", {"next_step": "request_change"})
    # 附表3: the change form carries the supervisor's opinion (all three parties sign it)
    unsigned = {k: v for k, v in CHANGE.items() if k != "supervisor_opinion"}
    response = await client.post(
        f"{API}/tasks/{ready(instance, 'change_request')['id']}/complete",
        json={"variables": unsigned}, headers=UNIT)
    assert response.status_code == 422
    assert "variables.supervisor_opinion" in {e["loc"] for e in response.json()["errors"]}
    instance = await step(client, instance, "change_request", CHANGE)
    assert instance["variables"]["change_admissible"] is False  # 15 % of the contract
    await refused(client, instance, "change_review", OK, HUB, CHANGE_GATE)
    await refused(client, instance, "change_review", OK | {"legal_basis": ""}, HUB, CHANGE_GATE)
    instance = await step(client, instance, "change_review",
                          OK | {"legal_basis": "政府采购法第四十九条"})
    assert keys(instance) == ["change_fund_review"]


async def to_acceptance(client, key: str, *, amount: float = 120) -> dict:
    instance = await approved(client, key, amount=amount)
    for task, data in (("procurement", PROCURED), ("implementation", {"next_step": "completed"}),
                       ("initial_acceptance", OK)):
        instance = await step(client, instance, task, data)
    return instance


async def test_archive_acceptance_passes_only_a_complete_archive(client):
    """第二十二条: 档案验收不合格的，不得通过项目验收."""
    instance = await to_acceptance(client, "ARCHIVE")
    await refused(client, instance, "archive_acceptance", ARCHIVE_OK | {"archive_complete": False},
                  UNIT, ARCHIVE_GATE)
    instance = await step(client, instance, "archive_acceptance", ARCHIVE_OK)
    assert keys(instance) == ["conformity_review"]


@pytest.mark.parametrize("missing", ["contractor_participated", "supervisor_participated",
                                     "hub_supervised"])
async def test_full_route_acceptance_needs_contractor_supervisor_and_the_bureau(client, missing):
    """第二十四条: a project past the conformity review is accepted with the contractor and
    the supervisor, the bureau supervising; a filing-route project accepts itself."""
    instance = await to_acceptance(client, f"ACCEPT-{missing}")
    instance = await step(client, instance, "archive_acceptance", ARCHIVE_OK)
    instance = await step(client, instance, "conformity_review", OK)
    await refused(client, instance, "final_acceptance", ACCEPTED | {missing: False}, UNIT,
                  ACCEPTANCE_GATE)
    # failing the acceptance needs no such presence
    instance = await step(client, instance, "final_acceptance",
                          review(False) | {"acceptance_report": "未达标", missing: False})
    assert keys(instance) == ["finance_acceptance"]


async def test_finance_refusing_the_acceptance_sends_it_to_rectification(client):
    """第二十四条 (joint acceptance: the unit and finance each sign; both must pass) and
    第二十五条 (rectify, resubmit, conformity review again)."""
    instance = await to_acceptance(client, "FINANCE-ACCEPT-NO")
    instance = await step(client, instance, "archive_acceptance", ARCHIVE_OK)
    instance = await step(client, instance, "conformity_review", OK)
    instance = await step(client, instance, "final_acceptance", ACCEPTED)
    assert keys(instance) == ["finance_acceptance"]
    response = await client.post(
        f"{API}/tasks/{ready(instance, 'finance_acceptance')['id']}/complete",
        json={"variables": FINANCE_ACCEPTED}, headers=UNIT)
    assert response.status_code == 403  # the unit cannot sign for finance
    instance = await step(client, instance, "finance_acceptance",
                          {"finance_accepted": False, "finance_opinion": "预算执行报告缺失"})
    assert keys(instance) == ["rectification"]
    instance = await step(client, instance, "rectification", {"rectification_report": "已补齐"})
    instance = await step(client, instance, "conformity_review", OK)
    instance = await step(client, instance, "final_acceptance", ACCEPTED)
    instance = await step(client, instance, "finance_acceptance", FINANCE_ACCEPTED)
    assert keys(instance) == ["acceptance_filing"]
    await refused(client, instance, "acceptance_filing",
                  {"report_received": False, "post_evaluation": False}, HUB, FILED_GATE)
    instance = await step(client, instance, "acceptance_filing",
                          {"report_received": True, "post_evaluation": False})
    done(instance, "accepted")


async def test_a_filing_route_acceptance_has_no_finance_signature(client):
    """第二十四条: 备案制 projects organise their own acceptance."""
    instance = await to_acceptance(client, "FILING-ACCEPT", amount=50)
    instance = await step(client, instance, "archive_acceptance", ARCHIVE_OK)
    instance = await step(client, instance, "final_acceptance",
                          OK | {"acceptance_report": "验收通过"})
    assert keys(instance) == ["acceptance_filing"]


# -- kind 3: separation of duties (第四条: each body decides its own step) ---------------

BOTH_UNIT_HUB = token("li_both", TENANT, ("unit", "hub"))
BOTH_HUB_FINANCE = token("zhou_both", TENANT, ("hub", "finance"))


async def sod_refused(client, instance: dict, key: str, data: dict, headers: dict,
                      earlier: str) -> None:
    task = ready(instance, key)
    for action, body in (("claim", None), ("complete", {"variables": data})):
        response = await client.post(f"{API}/tasks/{task['id']}/{action}", json=body,
                                     headers=headers)
        assert response.status_code == 403, (action, response.text)
        problem = response.json()
        assert problem["code"] == "task.separation_of_duties", problem
        assert f"'{earlier}'" in problem["detail"], problem  # names the earlier decision


async def test_who_declared_may_not_review_the_declaration(client):
    """第四条(一)(二): the unit declares, the bureau reviews. A person in both groups who
    declared is refused the initial review; another bureau member does it."""
    instance = await start(client, TENANT, BOTH_UNIT_HUB, business_key="SOD-DECLARE",
                           variables=variables(120))
    response = await client.post(
        f"{API}/tasks/{ready(instance, 'declare')['id']}/complete",
        json={"variables": DECLARATION}, headers=BOTH_UNIT_HUB)
    assert response.status_code == 200, response.text
    instance = response.json()
    await sod_refused(client, instance, "initial_review", INITIAL_OK, BOTH_UNIT_HUB,
                      "方案编制论证及立项申报")
    instance = await step(client, instance, "initial_review", INITIAL_OK)  # hub_user
    assert keys(instance) == ["fund_review"]


async def test_who_reviewed_for_the_bureau_may_not_review_the_funds(client):
    """第四条(一)(三): the initial review is the bureau's, the fund review finance's."""
    instance = await begin(client, "SOD-FUNDS", amount=120)
    instance = await step(client, instance, "declare", DECLARATION)
    response = await client.post(
        f"{API}/tasks/{ready(instance, 'initial_review')['id']}/complete",
        json={"variables": INITIAL_OK}, headers=BOTH_HUB_FINANCE)
    assert response.status_code == 200, response.text
    instance = response.json()
    await sod_refused(client, instance, "fund_review", FUND_OK, BOTH_HUB_FINANCE, "初步审核")
    instance = await step(client, instance, "fund_review", FUND_OK)  # finance_user
    # the same body twice is fine: the bureau's reviewer also issues the 立项批复
    response = await client.post(
        f"{API}/tasks/{ready(instance, 'approval')['id']}/complete",
        json={"variables": APPROVAL_OK}, headers=BOTH_HUB_FINANCE)
    assert response.status_code == 200, response.text
    assert keys(response.json()) == ["procurement"]


async def test_who_signed_for_finance_may_not_issue_the_approval(client):
    """第四条(一)(三): finance reviews the funds, the bureau issues 立项批复."""
    instance = await begin(client, "SOD-APPROVAL", amount=120)
    instance = await step(client, instance, "declare", DECLARATION)
    instance = await step(client, instance, "initial_review", INITIAL_OK)
    response = await client.post(
        f"{API}/tasks/{ready(instance, 'fund_review')['id']}/complete",
        json={"variables": FUND_OK}, headers=BOTH_HUB_FINANCE)
    assert response.status_code == 200, response.text
    instance = response.json()
    await sod_refused(client, instance, "approval", APPROVAL_OK, BOTH_HUB_FINANCE, "资金审核")
    instance = await step(client, instance, "approval", APPROVAL_OK)  # hub_user
    assert keys(instance) == ["procurement"]


# -- kind 6: any start date --------------------------------------------------------------

@pytest.mark.parametrize("at", [
    datetime(2026, 1, 1, 2, 0, tzinfo=UTC),     # New Year's Day, a holiday
    datetime(2026, 6, 30, 9, 0, tzinfo=UTC),    # the last day of the yearly list (第六条)
    datetime(2026, 10, 1, 1, 0, tzinfo=UTC),    # National Day
    datetime(2026, 12, 31, 15, 0, tzinfo=UTC),  # New Year's Eve, late at night in Shanghai
], ids=lambda d: d.date().isoformat())
async def test_a_project_started_on_any_day_waits_for_its_reviews(client, ctx, at):
    """The text has no declaration window (第六条's list is an entry gate, not a window): a
    project started on any day opens its declaration, nothing ends by itself, and each
    review is due in the future, counted from its own submission."""
    ctx.clock.set(at)
    instance = await begin(client, f"ANYDAY-{at.date()}", amount=120)
    assert (instance["state"], keys(instance)) == ("running", ["declare"])
    assert ready(instance, "declare")["due_at"] is None
    await Worker(ctx, "test").fire_due()
    instance = await fetch(client, instance)
    assert keys(instance) == ["declare"]
    instance = await step(client, instance, "declare", DECLARATION)
    due = datetime.fromisoformat(ready(instance, "initial_review")["due_at"])
    assert at + timedelta(days=14) <= due <= at + timedelta(days=30)  # 10 WD, holidays aside
    ctx.clock.set(at + timedelta(days=1))
    await Worker(ctx, "test").fire_due()
    instance = await fetch(client, instance)
    assert keys(instance) == ["initial_review"]  # not overdue, not ended
