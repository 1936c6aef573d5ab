"""石嘴山: walking the bundled process through the REST API, every branch to its outcome, every
threshold at its number and just below it."""

import pytest

from tests.conftest import deploy
from tests.scenarios.shizuishan.shizuishan_support import (
    APPROVAL,
    BARS,
    BARS_OK,
    BUILT,
    COUNTY,
    CRYPTO,
    CRYPTO_OK,
    FINAL_OK,
    HUB,
    INDUSTRY,
    INSPECTION_FAILED,
    INSPECTION_OK,
    LIVE,
    NETWORK_OK,
    NO,
    OK,
    OM_FILING,
    PROCUREMENT,
    REGIONAL,
    REGIONAL_OK,
    REPORT,
    TECHNICAL_OK,
    TENANT,
    TENDER_FILING,
    UNIT,
    built,
    complete,
    declaration,
    declared,
    ended,
    keys,
    only,
    project,
    reviewed,
    secured,
    signed_off,
    start,
    year_ends,
)
from tests.support.api import ADMIN, API
from tests.support.bundled import bundled


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT), name="石嘴山市")
    assert response.status_code == 201, response.text


# -- start and scope (第四条) ---------------------------------------------------------------

async def test_start_form_requires_every_start_variable(client):
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=UNIT,
                                 json={"variables": {"project_name": "x"}})
    assert response.status_code == 422
    missing = {e["loc"] for e in response.json()["errors"]}
    assert missing == {f"variables.{v}" for v in (
        "applicant_unit", "total_investment", "plan_year", "secret", "category",
        "free_om_years", "service_years", "level", "industry_project")}
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=UNIT,
                                 json={"variables": project(category="software")})
    assert response.status_code == 422


async def test_a_secret_project_is_out_of_scope_at_once(client):
    ended(await start(client, secret=True, total_investment=800), "out_of_scope")


async def test_60_runs_the_full_process_and_the_declaration_asks_for_the_documents(client):
    instance = await start(client, total_investment=60)
    only(instance, "declare")
    assert instance["variables"]["route"] == "full_review"
    assert instance["variables"]["required_documents"] == "初步设计"
    task = instance["ready_tasks"][0]
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()
    assert {"om_fund_source", "includes_construction", "preliminary_design_provided",
            "resource_catalog_provided"} <= set(detail["form"]["required"])


async def test_below_60_is_filed_and_guided_then_files_every_filing_of_the_text(client, ctx):
    """第四条: under 60万 "参照本办法开展项目备案和建设指导工作" and 第十八条 "所有项目 … 全口径备案":
    no review, 立项 or acceptance, but the tender filing and the yearly O&M fund filing."""
    instance = await start(client, total_investment=59.99)
    assert instance["variables"]["route"] == "filed_only"
    only(instance, "filing_review")
    instance = await complete(client, instance, "filing_review", BARS_OK, HUB)
    instance = await complete(client, instance, "procurement", PROCUREMENT, UNIT)
    instance = await complete(client, instance, "tender_filing", TENDER_FILING, UNIT)
    instance = await complete(client, instance, "implementation", BUILT, UNIT)
    instance = await complete(client, instance, "go_live", LIVE, UNIT)
    assert (instance["state"], keys(instance)) == ("running", [])  # budget year 2026 runs
    instance = await year_ends(client, ctx, instance, 2026)
    assert only(instance, "om_filing")["due_at"].startswith("2027-02-01")
    ended(await complete(client, instance, "om_filing", OM_FILING, UNIT), "filed_only")


async def test_a_small_project_hitting_a_bar_is_refused_filing(client):
    instance = await start(client, total_investment=30)
    refused = NO | dict.fromkeys(BARS, True) | {"bar_no_infrastructure": False,
                                                 "special_provision": ""}
    ended(await complete(client, instance, "filing_review", refused, HUB), "rejected")


# -- declaration (第十四、十五条) ---------------------------------------------------------

@pytest.mark.parametrize(("overrides", "result"), [
    ({"free_om_years": 2.99}, "free_om_too_short"),
    ({"category": "services", "free_om_years": 0, "service_years": 3.01}, "service_too_long"),
])
async def test_a_declaration_breaking_the_category_rules_is_returned_to_correct(
        client, overrides, result):
    instance = await start(client, **overrides)
    instance = await complete(client, instance, "declare", declaration(), UNIT)
    assert instance["variables"]["category_rules"] == result
    only(instance, "declare")
    correction = {"free_om_years": 3} if "free_om_years" in overrides and len(overrides) == 1 \
        else {"service_years": 3, "includes_construction": False}
    instance = await complete(client, instance, "declare", declaration(**correction), UNIT)
    assert instance["variables"]["category_rules"] == "compliant"
    await secured(client, instance)


async def test_a_service_project_with_construction_is_returned(client):
    instance = await start(client, category="services", free_om_years=0, service_years=3)
    instance = await complete(client, instance, "declare", declaration(), UNIT)
    assert instance["variables"]["category_rules"] == "service_has_construction"
    instance = await complete(client, instance, "declare",
                              declaration(includes_construction=False), UNIT)
    await secured(client, instance)


async def test_goods_need_no_free_om_period(client):
    instance = await start(client, category="goods", free_om_years=0)
    instance = await complete(client, instance, "declare", declaration(), UNIT)
    only(await secured(client, instance), "intake_review")


@pytest.mark.parametrize(("amount", "missing", "returned"), [
    (1499.99, {"proposal_provided": False, "feasibility_provided": False}, False),
    (1500, {"proposal_provided": False, "feasibility_provided": False}, True),
    (1500, {"proposal_provided": False}, False),
    (4999.99, {"proposal_provided": False}, False),
    (5000, {"proposal_provided": False}, True),
    (60, {"preliminary_design_provided": False}, True),
    # 附件1 申报表 and the 信息资源目录 (第十条 应当包含) are materials of every declaration.
    (60, {"application_form": False}, True),
    (60, {"resource_catalog_provided": False}, True),
])
async def test_missing_documents_return_the_declaration(client, amount, missing, returned):
    """第十五条 (and 第十条, 附件1): an incomplete declaration goes back to the unit."""
    instance = await start(client, total_investment=amount)
    instance = await complete(client, instance, "declare", declaration(**missing), UNIT)
    if returned:
        only(instance, "declare")
        instance = await complete(client, instance, "declare", declaration(), UNIT)
    assert keys(instance) == ["crypto_review", "network_security_review"]


async def test_an_incomplete_declaration_is_refused(client):
    instance = await start(client)
    task = only(instance, "declare")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {"application_form": True}})
    assert response.status_code == 422
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                 json={"variables": declaration()})
    assert response.status_code == 403


# -- county, intake, industry, technical review (第五、十三、十五、十六条) ------------------------

async def test_a_county_project_goes_through_the_county_data_bureau_first(client):
    instance = await declared(client, level="county")
    instance = await complete(client, instance, "county_review", OK, COUNTY)
    only(instance, "intake_review")


async def test_the_county_data_bureau_can_stop_a_county_project(client):
    instance = await declared(client, level="county")
    ended(await complete(client, instance, "county_review", NO, COUNTY), "rejected")


async def test_intake_review_checks_the_seven_bars(client):
    instance = await declared(client)
    task = only(instance, "intake_review")
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=HUB)).json()
    assert set(BARS) <= set(detail["form"]["required"])
    incomplete = {k: v for k, v in BARS_OK.items() if k != "bar_security_crypto"}
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                 json={"variables": incomplete})
    assert response.status_code == 422
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                 json={"variables": BARS_OK | {"opinion": ""}})
    assert response.status_code == 422
    refused = NO | dict.fromkeys(BARS, True) | {"bar_not_duplicate": False,
                                                 "special_provision": ""}
    ended(await complete(client, instance, "intake_review", refused, HUB), "rejected")


async def test_an_industry_project_needs_the_regional_industry_authority_opinion(client):
    instance = await declared(client, industry_project=True)
    instance = await complete(client, instance, "intake_review", BARS_OK, HUB)
    instance = await complete(client, instance, "industry_opinion", OK, INDUSTRY)
    only(instance, "technical_review")


async def test_a_negative_industry_opinion_rejects(client):
    instance = await declared(client, industry_project=True)
    instance = await complete(client, instance, "intake_review", BARS_OK, HUB)
    ended(await complete(client, instance, "industry_opinion", NO, INDUSTRY), "rejected")


async def test_a_failed_technical_review_rejects(client):
    instance = await declared(client)
    instance = await complete(client, instance, "intake_review", BARS_OK, HUB)
    task = only(instance, "technical_review")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                 json={"variables": OK})
    assert response.status_code == 422  # the four criteria are required
    failed = TECHNICAL_OK | NO | {"intensiveness": False}
    ended(await complete(client, instance, "technical_review", failed, HUB), "rejected")


# -- regional review (第十六条) and approval (第十七条) -------------------------------------

@pytest.mark.parametrize(("amount", "regional"), [(500, True), (499.99, False)])
async def test_from_500_the_regional_government_office_reviews(client, amount, regional):
    instance = await declared(client, total_investment=amount)
    instance = await complete(client, instance, "intake_review", BARS_OK, HUB)
    instance = await complete(client, instance, "technical_review", TECHNICAL_OK, HUB)
    assert instance["variables"]["regional_review_required"] is regional
    if regional:
        instance = await complete(client, instance, "regional_review", REGIONAL_OK, REGIONAL)
    only(instance, "approval")


async def test_a_failed_regional_review_rejects(client):
    instance = await declared(client, total_investment=500)
    instance = await complete(client, instance, "intake_review", BARS_OK, HUB)
    instance = await complete(client, instance, "technical_review", TECHNICAL_OK, HUB)
    ended(await complete(client, instance, "regional_review", REGIONAL_OK | NO, REGIONAL),
          "rejected")


async def test_a_city_project_refused_approval_is_rejected(client):
    instance = await reviewed(client)
    ended(await complete(client, instance, "approval", NO, APPROVAL), "rejected")


async def test_a_county_project_skips_the_city_approval(client):
    instance = await reviewed(client, level="county", total_investment=500)
    only(instance, "procurement")


# -- security and crypto review at declaration (附件2, 第十三条(七), 第二十一条) ---------------------

@pytest.mark.parametrize("failed", [{"network_security_result": "non_compliant"},
                                    {"crypto_result": "non_compliant"}])
async def test_a_non_compliant_security_review_sends_the_unit_to_rework(client, failed):
    """附件2 is a material of the declaration: both halves 符合 before 市数据局 accepts it."""
    instance = await start(client)
    instance = await complete(client, instance, "declare", declaration(), UNIT)
    task = next(t for t in instance["ready_tasks"] if t["key"] == "crypto_review")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=CRYPTO,
                                 json={"variables": CRYPTO_OK | {"crypto_result": "符合?"}})
    assert response.status_code == 422
    network = NETWORK_OK | {k: v for k, v in failed.items() if k.startswith("network")}
    crypto = CRYPTO_OK | {k: v for k, v in failed.items() if k.startswith("crypto")}
    instance = await secured(client, instance, network, crypto)
    instance = await complete(client, instance, "security_crypto_rectification", REPORT, UNIT)
    only(await secured(client, instance), "intake_review")


# -- procurement to acceptance (第十八、二十四、二十五条) ---------------------------------------

async def test_tender_filing_is_due_one_month_after_the_tender(client):
    instance = await reviewed(client)
    instance = await complete(client, instance, "approval", OK, APPROVAL)
    instance = await complete(client, instance, "procurement", PROCUREMENT, UNIT)
    task = only(instance, "tender_filing")
    # The tender was completed on 2026-03-02 (tender_completed_on): due on 2026-04-02, 24:00
    # in Shanghai.
    assert task["due_at"].startswith("2026-04-02T15:59:59")


async def test_whole_life_with_rectification_and_failed_acceptances_ends_accepted(client, ctx):
    instance = await built(client, total_investment=5000, industry_project=True)
    instance = await complete(client, instance, "inspection",
                              INSPECTION_FAILED | {"rectification_due": "2026-06-30"}, HUB)
    # Due on the date the inspection set, 24:00 in Shanghai.
    assert only(instance, "rectification")["due_at"] == "2026-06-30T15:59:59.999999Z"
    instance = await complete(client, instance, "rectification", REPORT, UNIT)
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    instance = await complete(client, instance, "initial_acceptance", NO, UNIT)
    instance = await complete(client, instance, "implementation", BUILT, UNIT)
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    instance = await complete(client, instance, "initial_acceptance", OK, UNIT)
    instance = await signed_off(client, instance, ndrc=FINAL_OK | {"ndrc_approved": False,
                                                             "trial_run_ok": False})
    only(instance, "implementation")  # not accepted: may not go live
    instance = await complete(client, instance, "implementation", BUILT, UNIT)
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    instance = await complete(client, instance, "initial_acceptance", OK, UNIT)
    instance = await signed_off(client, instance)
    instance = await complete(client, instance, "go_live", LIVE, UNIT)
    instance = await year_ends(client, ctx, instance, 2026)
    task = only(instance, "om_filing")
    # One month after budget year 2026: 2027-01-31 is a Sunday, so Monday 2027-02-01; 2027's
    # holiday arrangement is not published yet, so the date is an estimate. Dates on the
    # official calendar: test_shizuishan_deadlines.py.
    assert task["due_at"] == "2027-02-01T15:59:59.999999Z"
    assert task["due_estimated"] is True
    instance = await complete(client, instance, "om_filing", OM_FILING, UNIT)
    ended(instance, "accepted")
    body = (await client.get(f"{API}/process-instances/{instance['id']}", headers=ADMIN)).json()
    assert body["variables"]["required_documents"] == "项目建议书+可行性研究报告+初步设计"


async def test_a_county_project_under_500_runs_to_acceptance(client, ctx):
    instance = await built(client, declaration(includes_construction=False),
                           procured_as=PROCUREMENT | {"contract_amount": 450},
                           filed_as=TENDER_FILING | {"filing_type": "purchased_service",
                                                     "service_period": "三年"},
                           level="county", total_investment=499.99, category="services",
                           free_om_years=0, service_years=3)
    assert instance["variables"]["category_rules"] == "compliant"
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    instance = await complete(client, instance, "initial_acceptance", OK, UNIT)
    instance = await signed_off(client, instance)
    instance = await complete(client, instance, "go_live", LIVE, UNIT)
    instance = await year_ends(client, ctx, instance, 2026)
    ended(await complete(client, instance, "om_filing", OM_FILING, UNIT), "accepted")
