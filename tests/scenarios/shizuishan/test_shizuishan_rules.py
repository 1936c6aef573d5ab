"""石嘴山: the text's mandatory conditions refuse a completion (422 ``task.gate_failed`` naming
the clause, nothing changed), the bodies that sign together each sign (附件2, 第二十五条), no
user decides for two bodies (403 ``task.separation_of_duties``), and projects go where
第四、十七条 send them."""

import pytest

from tests.conftest import deploy
from tests.scenarios.shizuishan.shizuishan_support import (
    APPROVAL,
    BARS_OK,
    CRYPTO,
    CRYPTO_OK,
    CYBER,
    FINAL_HUB_OK,
    FINAL_MIIT_OK,
    FINAL_OK,
    HUB,
    INSPECTION_OK,
    LIVE,
    MIIT,
    NDRC,
    NETWORK_OK,
    OK,
    PROCUREMENT,
    REGIONAL,
    REGIONAL_OK,
    TECHNICAL_OK,
    TENANT,
    TENDER_FILING,
    UNIT,
    accepted,
    built,
    cleared,
    complete,
    declaration,
    declared,
    ended,
    finish,
    keys,
    only,
    ready,
    reviewed,
    signed_off,
    start,
)
from tests.support.api import API, history, snapshot, token
from tests.support.bundled import bundled


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT), name="石嘴山市")
    assert response.status_code == 201, response.text


async def refused_by_gate(client, instance: dict, key: str, variables: dict, headers: dict,
                          clause: str) -> None:
    """The completion is refused with 422 task.gate_failed naming ``clause``; the instance is
    exactly as it was."""
    before = await snapshot(client, instance["id"])
    response = await client.post(f"{API}/tasks/{ready(instance, key)['id']}/complete",
                                 json={"variables": variables}, headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "task.gate_failed", body
    assert clause in response.text, response.text
    assert await snapshot(client, instance["id"]) == before


# -- kind 1: 第九、十三条 the seven bars ---------------------------------------------------------

async def at_intake(client) -> dict:
    instance = await declared(client)
    only(instance, "intake_review")
    return instance


async def test_infrastructure_cannot_be_accepted_even_citing_a_special_provision(client):
    """第九条 不得新增 … 基础设施 (and 第十三条(一)): no exception."""
    instance = await at_intake(client)
    await refused_by_gate(client, instance, "intake_review",
                          BARS_OK | {"bar_no_infrastructure": False,
                                     "special_provision": "市政府专题会议纪要"}, HUB, "第九条")


@pytest.mark.parametrize("bar", ["bar_higher_approval", "bar_resource_catalog",
                                 "bar_not_duplicate", "bar_no_unfinished_similar",
                                 "bar_integrated", "bar_security_crypto"])
async def test_a_bar_hit_refuses_acceptance_unless_a_special_provision_is_cited(client, bar):
    """第十三条(二)–(七) "除另有特殊规定外，原则上不受理": accepting over a bar needs its basis."""
    instance = await at_intake(client)
    await refused_by_gate(client, instance, "intake_review", BARS_OK | {bar: False}, HUB,
                          "第十三条")
    instance = await complete(client, instance, "intake_review",
                              BARS_OK | {bar: False, "special_provision": "自治区专项安排文件"}, HUB)
    only(instance, "technical_review")


async def test_a_small_project_with_infrastructure_is_not_filed(client):
    """第四条 参照, 第九条: the filing checklist gates the same way."""
    instance = await start(client, total_investment=59.99)
    await refused_by_gate(client, instance, "filing_review",
                          BARS_OK | {"bar_no_infrastructure": False}, HUB, "第九条")
    await refused_by_gate(client, instance, "filing_review",
                          BARS_OK | {"bar_integrated": False}, HUB, "第十三条")
    instance = await complete(client, instance, "filing_review", BARS_OK, HUB)
    only(instance, "procurement")


# -- kind 1: review criteria (第五、十五、十六条) -----------------------------------------------

@pytest.mark.parametrize("criterion", ["necessity", "feasibility", "intensiveness",
                                       "data_sharing"])
async def test_technical_review_cannot_pass_a_project_failing_a_criterion(client, criterion):
    instance = await complete(client, await at_intake(client), "intake_review", BARS_OK, HUB)
    await refused_by_gate(client, instance, "technical_review",
                          TECHNICAL_OK | {criterion: False}, HUB, "第十五条")


@pytest.mark.parametrize("material", ["demand_analysis_report", "application_form"])
async def test_regional_review_cannot_pass_without_the_report_and_form(client, material):
    instance = await declared(client, total_investment=500)
    instance = await complete(client, instance, "intake_review", BARS_OK, HUB)
    instance = await complete(client, instance, "technical_review", TECHNICAL_OK, HUB)
    await refused_by_gate(client, instance, "regional_review",
                          REGIONAL_OK | {material: False}, REGIONAL, "第十六条")


# -- kind 1: filings (第十八条(二)) ------------------------------------------------------------

SERVICES = {"category": "services", "free_om_years": 0, "service_years": 3}


@pytest.mark.parametrize(("variables", "bad", "good", "clause"), [
    # 改建、扩建类: the earlier project's third-party evaluation report.
    ({}, {"filing_type": "renovation"},
     {"filing_type": "renovation", "prior_evaluation_report": True}, "第十八条(二)1"),
    # 新建、改建、扩建类: the resource catalog.
    ({}, {"resource_catalog": False}, {}, "第十八条(二)1"),
    # 购买服务类: the service period.
    (SERVICES, {"filing_type": "purchased_service"},
     {"filing_type": "purchased_service", "service_period": "三年"}, "第十八条(二)2"),
    # The filing's type is the declared category's.
    ({}, {"filing_type": "purchased_service", "service_period": "三年"}, {}, "第十八条(二)"),
])
async def test_a_filing_missing_what_its_type_must_contain_is_refused(client, variables, bad,
                                                                      good, clause):
    declared_as = declaration(includes_construction=False) if variables else None
    instance = await cleared(client, declared_as, **variables)
    instance = await complete(client, instance, "procurement", PROCUREMENT, UNIT)
    await refused_by_gate(client, instance, "tender_filing", TENDER_FILING | bad, UNIT, clause)
    instance = await complete(client, instance, "tender_filing", TENDER_FILING | good, UNIT)
    only(instance, "implementation")


async def test_a_contract_above_the_approved_estimate_is_refused(client):
    """第二十条: the approved 投资概算 "必须严格遵守" (800万 here; 800 itself is within it)."""
    instance = await cleared(client)
    await refused_by_gate(client, instance, "procurement",
                          PROCUREMENT | {"contract_amount": 800.01}, UNIT, "第二十条")
    instance = await complete(client, instance, "procurement",
                              PROCUREMENT | {"contract_amount": 800}, UNIT)
    only(instance, "tender_filing")


async def test_a_catalog_kept_from_sharing_must_cite_its_basis(client):
    """第十条: 不予共享的目录须注明相关法律、法规或政策依据."""
    instance = await start(client)
    await refused_by_gate(client, instance, "declare", declaration(catalog_not_shared=True),
                          UNIT, "第十条")
    instance = await complete(client, instance, "declare", declaration(
        catalog_not_shared=True, not_shared_basis="《中华人民共和国个人信息保护法》第十三条"), UNIT)
    assert keys(instance) == ["crypto_review", "network_security_review"]


# -- kind 1: inspection, acceptance, going live (第二十四、二十五、十条) ---------------------------

async def test_an_inspection_finding_a_violation_cannot_pass(client):
    instance = await built(client)
    await refused_by_gate(client, instance, "inspection",
                          INSPECTION_OK | {"procurement_compliant": False}, HUB, "第二十四条")


async def at_final(client) -> dict:
    instance = await built(client)
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    return await complete(client, instance, "initial_acceptance", OK, UNIT)


async def test_acceptance_needs_the_trial_run_and_the_data_on_the_city_platform(client):
    instance = await at_final(client)
    await refused_by_gate(client, instance, "final_acceptance",
                          FINAL_OK | {"trial_run_ok": False}, NDRC, "第二十五条")
    await refused_by_gate(client, instance, "final_acceptance_hub",
                          FINAL_HUB_OK | {"data_platform_connected": False}, HUB, "第十条")
    # 第十一条: a public-service system connects to 我的宁夏 and 宁政通; others need not.
    await refused_by_gate(client, instance, "final_acceptance_hub",
                          FINAL_HUB_OK | {"apps_connected": False}, HUB, "第十一条")
    instance = await finish(client, instance, "final_acceptance_hub",
                            FINAL_HUB_OK | {"public_service_system": False,
                                            "apps_connected": False}, HUB)
    instance = await finish(client, instance, "final_acceptance_miit", FINAL_MIIT_OK, MIIT)
    assert keys(instance) == ["final_acceptance"]


async def test_a_system_may_not_go_live_before_its_acceptance(client):
    instance = await accepted(client, ndrc=FINAL_OK | {"accepted_on": "2026-03-10"})
    await refused_by_gate(client, instance, "go_live", {"in_use_on": "2026-03-09"}, UNIT,
                          "第二十五条")
    instance = await complete(client, instance, "go_live", {"in_use_on": "2026-03-10"}, UNIT)
    assert (instance["state"], keys(instance)) == ("running", [])


# -- kind 2: the bodies that sign together each sign -------------------------------------------

@pytest.mark.parametrize("refuser", ["final_acceptance", "final_acceptance_hub",
                                     "final_acceptance_miit"])
async def test_one_body_refusing_acceptance_sends_the_project_back(client, refuser):
    """第二十五条 会同市数据局、市发改委、市工信局: all three must accept; a second round starts
    blank (no answer of the first round is carried over)."""
    refusals = {"final_acceptance": {"ndrc": FINAL_OK | {"ndrc_approved": False}},
                "final_acceptance_hub": {"hub": FINAL_HUB_OK | {"hub_approved": False}},
                "final_acceptance_miit": {"miit": FINAL_MIIT_OK | {"miit_approved": False}}}
    instance = await signed_off(client, await at_final(client), **refusals[refuser])
    only(instance, "implementation")
    instance = await complete(client, instance, "implementation", {"construction_report": "整改"},
                              UNIT)
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    instance = await complete(client, instance, "initial_acceptance", OK, UNIT)
    instance = await signed_off(client, instance)
    only(instance, "go_live")


async def test_each_half_of_the_security_table_is_signed_by_its_own_body(client):
    """附件2: 网络安全审查 by 网信, 密码保护审查 by 密码管理, both open at declaration."""
    instance = await complete(client, await start(client), "declare", declaration(), UNIT)
    assert keys(instance) == ["crypto_review", "network_security_review"]
    assert ready(instance, "network_security_review")["candidate_groups"] == ["cyberspace"]
    assert ready(instance, "crypto_review")["candidate_groups"] == ["crypto"]
    response = await client.post(
        f"{API}/tasks/{ready(instance, 'network_security_review')['id']}/complete",
        json={"variables": NETWORK_OK}, headers=CRYPTO)
    assert response.status_code == 403
    instance = await finish(client, instance, "network_security_review", NETWORK_OK, CYBER)
    instance = await finish(client, instance, "crypto_review",
                            CRYPTO_OK | {"crypto_result": "non_compliant"}, CRYPTO)
    only(instance, "security_crypto_rectification")


# -- kind 3: separation of duties ---------------------------------------------------------------

async def test_a_user_of_two_bodies_cannot_decide_for_both(client):
    """市数据局's review and 市审批局's 立项 are two bodies' decisions (第十五、十七条)."""
    both = token("sz_both", TENANT, ("hub", "approval"))
    instance = await declared(client, total_investment=100)  # under 500万: no regional review
    instance = await complete(client, instance, "intake_review", BARS_OK, both)
    instance = await complete(client, instance, "technical_review", TECHNICAL_OK, both)
    task = only(instance, "approval")
    before = await snapshot(client, instance["id"])
    for action, body in (("claim", None), ("complete", {"variables": OK})):
        response = await client.post(f"{API}/tasks/{task['id']}/{action}", json=body,
                                     headers=both)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "task.separation_of_duties"
        # It names the earlier decision (both were made at the same frozen instant).
        assert "受理审查" in response.text or "技术审查" in response.text
    assert await snapshot(client, instance["id"]) == before
    instance = await complete(client, instance, "approval", OK, APPROVAL)
    only(instance, "procurement")


async def test_the_unit_cannot_review_its_own_declaration(client):
    """第六、十五条: the unit declares, 市数据局 reviews."""
    both = token("sz_unit_hub", TENANT, ("unit", "hub"))
    instance = await complete(client, await start(client), "declare", declaration(), both)
    instance = await finish(client, instance, "network_security_review", NETWORK_OK, CYBER)
    instance = await finish(client, instance, "crypto_review", CRYPTO_OK, CRYPTO)
    response = await client.post(f"{API}/tasks/{only(instance, 'intake_review')['id']}/complete",
                                 json={"variables": BARS_OK}, headers=both)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "task.separation_of_duties"
    only(await complete(client, instance, "intake_review", BARS_OK, HUB), "technical_review")


# -- kind 5: 立项 only for city-level 新建、改建、扩建 (第十七条) ----------------------------------

@pytest.mark.parametrize(("variables", "approval"), [
    ({"category": "engineering"}, True),
    ({"category": "goods", "free_om_years": 0}, False),
    ({"category": "services", "free_om_years": 0, "service_years": 3}, False),
    ({"category": "engineering", "level": "county"}, False),
])
async def test_only_city_engineering_projects_go_to_the_approval_bureau(client, variables,
                                                                        approval):
    declared_as = declaration(includes_construction=variables["category"] != "services")
    instance = await reviewed(client, declared_as, **variables)
    only(instance, "approval" if approval else "procurement")


async def test_a_small_project_is_never_reviewed_nor_accepted_but_always_filed(client):
    """第四条: under 60万, filing and guidance: no 受理/技术审查/立项/竣工验收 task ever opens."""
    instance = await start(client, total_investment=10)
    instance = await complete(client, instance, "filing_review", BARS_OK, HUB)
    instance = await complete(client, instance, "procurement", PROCUREMENT, UNIT)
    only(instance, "tender_filing")
    instance = await complete(client, instance, "tender_filing", TENDER_FILING, UNIT)
    instance = await complete(client, instance, "implementation", {"construction_report": "完成"},
                              UNIT)
    only(instance, "go_live")
    instance = await complete(client, instance, "go_live", LIVE, UNIT)
    assert (instance["state"], keys(instance)) == ("running", [])  # the O&M filings follow
    walked = {e["element_id"] for e in await history(client, instance["id"])}
    assert not walked & {"declare", "intake_review", "technical_review", "approval",
                         "inspection", "final_acceptance"}


async def test_refused_approval_still_ends_rejected(client):
    instance = await reviewed(client)
    ended(await complete(client, instance, "approval", {"approved": False, "opinion": "不予立项"},
                         APPROVAL), "rejected")
