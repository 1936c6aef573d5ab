"""石嘴山: users, task lanes and clauses, form payloads and the walks the scenario tests share."""

import itertools
from datetime import UTC, datetime

from govflow.timers.worker import Worker

from tests.support.api import ADMIN, API, token

TENANT = "shizuishan"


def user(role: str) -> dict[str, str]:
    return token(f"sz_{role}", TENANT, (role,))


UNIT, HUB, COUNTY, INDUSTRY, REGIONAL, APPROVAL, CYBER, CRYPTO, NDRC, MIIT = map(user, (
    "unit", "hub", "county_hub", "industry", "regional", "approval", "cyberspace", "crypto",
    "ndrc", "miit"))

LANES = {
    "filing_review": "市数据局", "declare": "项目建设单位", "county_review": "县区数据局",
    "network_security_review": "网信部门", "crypto_review": "密码管理部门",
    "security_crypto_rectification": "项目建设单位",
    "intake_review": "市数据局", "industry_opinion": "自治区行业主管部门",
    "technical_review": "市数据局", "regional_review": "自治区政府办公厅",
    "approval": "市审批服务管理局", "procurement": "项目建设单位",
    "tender_filing": "项目建设单位", "implementation": "项目建设单位", "inspection": "市数据局",
    "rectification": "项目建设单位", "initial_acceptance": "项目建设单位",
    "final_acceptance": "市发改委", "final_acceptance_hub": "市数据局",
    "final_acceptance_miit": "市工信局", "go_live": "项目建设单位", "om_filing": "项目建设单位",
    "tender_filing_escalation": "市数据局", "om_filing_escalation": "市数据局",
    "rectification_escalation": "市数据局",
}
CLAUSES = {
    "filing_review": "石嘴山 第四条", "declare": "石嘴山 第十四条", "county_review": "石嘴山 第十六条",
    "network_security_review": "石嘴山 第十三条(七)", "crypto_review": "石嘴山 第十三条(七)",
    "security_crypto_rectification": "石嘴山 第二十一条",
    "intake_review": "石嘴山 第十三条", "industry_opinion": "石嘴山 第十五条",
    "technical_review": "石嘴山 第五条、第十五条", "regional_review": "石嘴山 第十六条",
    "approval": "石嘴山 第十七条", "procurement": "石嘴山 第十七条",
    "tender_filing": "石嘴山 第十八条(一)", "implementation": "石嘴山 第六条",
    "inspection": "石嘴山 第二十四条", "rectification": "石嘴山 第二十四条",
    "initial_acceptance": "石嘴山 第二十五条", "final_acceptance": "石嘴山 第二十五条",
    "final_acceptance_hub": "石嘴山 第二十五条", "final_acceptance_miit": "石嘴山 第二十五条",
    "go_live": "石嘴山 第二十五条", "om_filing": "石嘴山 第十八条(一)",
    "tender_filing_escalation": "石嘴山 第二十四条", "om_filing_escalation": "石嘴山 第二十四条",
    "rectification_escalation": "石嘴山 第二十四条",
}

OK = {"approved": True, "opinion": "同意"}
NO = {"approved": False, "opinion": "不符合要求"}
BARS = ("bar_no_infrastructure", "bar_higher_approval", "bar_resource_catalog", "bar_not_duplicate",
        "bar_no_unfinished_similar", "bar_integrated", "bar_security_crypto")
BARS_OK = OK | dict.fromkeys(BARS, True) | {"special_provision": ""}
TECHNICAL_OK = OK | dict.fromkeys(("necessity", "feasibility", "intensiveness", "data_sharing"),
                                  True)
REGIONAL_OK = OK | dict.fromkeys(("demand_analysis_report", "application_form", "necessity",
                                  "technical"), True)
NETWORK_OK = {"network_security_result": "compliant", "network_security_reviewer": "市委网信办",
              "network_security_opinion": "符合"}
CRYPTO_OK = {"crypto_result": "compliant", "crypto_reviewer": "市密码管理局",
             "crypto_opinion": "符合"}
INSPECTION_OK = OK | dict.fromkeys(("sharing_compliant", "procurement_compliant",
                                    "funds_compliant", "crypto_compliant", "security_compliant",
                                    "procedures_followed"), True)
# Failed on funds: 限期整改 (第二十四条), by the date the inspection sets (add rectification_due).
INSPECTION_FAILED = INSPECTION_OK | NO | {"funds_compliant": False}
# 第二十五条: 市发改委 accepts 会同 市数据局 and 市工信局, each signing its own part.
FINAL_OK = {"ndrc_approved": True, "ndrc_opinion": "同意", "trial_run_ok": True,
            "accepted_on": "2026-03-02"}
FINAL_HUB_OK = {"hub_approved": True, "hub_opinion": "同意", "data_platform_connected": True,
                "public_service_system": True, "apps_connected": True}
FINAL_MIIT_OK = {"miit_approved": True, "miit_opinion": "同意"}
LIVE = {"in_use_on": "2026-03-02"}
PROCUREMENT = {"procurement_method": "tender", "tender_completed_on": "2026-03-02",
               "winning_bidder": "宁夏某信息技术有限公司", "contract_amount": 760,
               "secure_products": True}
TENDER_FILING = {"main_functions": "一网通办", "settlement_amount": 760,
                 "approval_authority": "市审批服务管理局", "resource_catalog": True,
                 "sharing_status": "全目录共享", "mlps_filing": "等保三级已备案",
                 "crypto_application": "已通过密评", "filing_type": "new",
                 "service_period": "", "prior_evaluation_report": False}
OM_FILING = {"om_service_content": "系统运维", "om_provider": "宁夏某运维公司",
             "om_settlement_amount": 40, "om_fund_usage": "按合同支付", "om_continues": False}
REPORT = {"rectification_report": "已整改"}
BUILT = {"construction_report": "按批复内容建设完成"}

_keys = itertools.count()


def project(**overrides) -> dict:
    return {"project_name": "石嘴山市一网通办平台", "applicant_unit": "市政务服务中心",
            "total_investment": 800, "plan_year": 2026, "secret": False,
            "category": "engineering", "free_om_years": 3, "service_years": 0, "level": "city",
            "industry_project": False} | overrides


def declaration(**overrides) -> dict:
    return {"application_form": True, "construction_content": "建设一网通办平台",
            "includes_construction": True, "om_fund_source": "市级财政运维经费",
            "fund_source": "市级资金", "proposal_provided": True, "feasibility_provided": True,
            "preliminary_design_provided": True, "resource_catalog_provided": True,
            "catalog_not_shared": False, "not_shared_basis": ""} | overrides


def keys(instance: dict) -> list[str]:
    return sorted(t["key"] for t in instance["ready_tasks"])


def only(instance: dict, key: str) -> dict:
    """The instance's single ready task, which must be ``key`` in its lane, citing its clause."""
    assert keys(instance) == [key], keys(instance)
    task = instance["ready_tasks"][0]
    assert task["lane"] == LANES[key]
    assert task["clause"].startswith(CLAUSES[key]), task["clause"]
    return task


async def start(client, **variables) -> dict:
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=UNIT,
                                 json={"business_key": f"SZ-{next(_keys)}",
                                       "variables": project(**variables)})
    assert response.status_code == 201, response.text
    return response.json()


async def complete(client, instance: dict, key: str, variables: dict, headers: dict) -> dict:
    task = only(instance, key)
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ended(instance: dict, outcome: str) -> None:
    assert (instance["state"], instance["outcome"]) == ("completed", outcome)
    assert instance["ready_tasks"] == []


def ready(instance: dict, key: str) -> dict:
    """The ready task ``key`` among others (parallel signers, an escalation beside it)."""
    found = [t for t in instance["ready_tasks"] if t["key"] == key]
    assert len(found) == 1, keys(instance)
    assert found[0]["lane"] == LANES[key]
    assert found[0]["clause"].startswith(CLAUSES[key]), found[0]["clause"]
    return found[0]


async def finish(client, instance: dict, key: str, variables: dict, headers: dict) -> dict:
    """Complete the ready task ``key`` while other tasks may be ready beside it."""
    response = await client.post(f"{API}/tasks/{ready(instance, key)['id']}/complete",
                                 json={"variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def secured(client, instance: dict, network: dict | None = None,
                  crypto: dict | None = None) -> dict:
    """附件2: 网信 and 密码管理 each sign their half of the table, in parallel."""
    assert keys(instance) == ["crypto_review", "network_security_review"], keys(instance)
    instance = await finish(client, instance, "network_security_review", network or NETWORK_OK,
                            CYBER)
    assert keys(instance) == ["crypto_review"]
    return await finish(client, instance, "crypto_review", crypto or CRYPTO_OK, CRYPTO)


async def declared(client, declared_as: dict | None = None, **variables) -> dict:
    """Started, declared and security-reviewed (附件2); the next task is intake_review (or
    county_review)."""
    instance = await start(client, **variables)
    instance = await complete(client, instance, "declare", declared_as or declaration(), UNIT)
    return await secured(client, instance)


async def reviewed(client, declared_as: dict | None = None, **variables) -> dict:
    """Through intake, technical and (from 500万) regional review: at approval (city
    engineering projects) or procurement."""
    instance = await declared(client, declared_as, **variables)
    if variables.get("level") == "county":
        instance = await complete(client, instance, "county_review", OK, COUNTY)
    instance = await complete(client, instance, "intake_review", BARS_OK, HUB)
    if variables.get("industry_project"):
        instance = await complete(client, instance, "industry_opinion", OK, INDUSTRY)
    instance = await complete(client, instance, "technical_review", TECHNICAL_OK, HUB)
    if instance["variables"]["regional_review_required"]:
        instance = await complete(client, instance, "regional_review", REGIONAL_OK, REGIONAL)
    return instance


def needs_approval(variables: dict) -> bool:
    """第十七条: city-level 新建、改建、扩建 (engineering) projects get 立项 from 市审批局."""
    return (variables.get("level", "city") == "city"
            and variables.get("category", "engineering") == "engineering")


async def cleared(client, declared_as: dict | None = None, **variables) -> dict:
    """Reviewed and, where 第十七条 asks, approved: at procurement."""
    instance = await reviewed(client, declared_as, **variables)
    if needs_approval(variables):
        instance = await complete(client, instance, "approval", OK, APPROVAL)
    return instance


async def built(client, declared_as: dict | None = None, procured_as: dict | None = None,
                filed_as: dict | None = None, **variables) -> dict:
    """Cleared, procured, filed and built: at inspection."""
    instance = await cleared(client, declared_as, **variables)
    instance = await complete(client, instance, "procurement", procured_as or PROCUREMENT, UNIT)
    instance = await complete(client, instance, "tender_filing", filed_as or TENDER_FILING, UNIT)
    return await complete(client, instance, "implementation", BUILT, UNIT)


async def signed_off(client, instance: dict, ndrc: dict | None = None, hub: dict | None = None,
                     miit: dict | None = None) -> dict:
    """第二十五条: the three bodies' acceptance tasks, all open at once, each signed."""
    assert keys(instance) == ["final_acceptance", "final_acceptance_hub",
                              "final_acceptance_miit"], keys(instance)
    instance = await finish(client, instance, "final_acceptance", ndrc or FINAL_OK, NDRC)
    instance = await finish(client, instance, "final_acceptance_hub", hub or FINAL_HUB_OK, HUB)
    return await finish(client, instance, "final_acceptance_miit", miit or FINAL_MIIT_OK, MIIT)


async def accepted(client, ndrc: dict | None = None, **variables) -> dict:
    """Built, inspected and accepted by the three bodies: at go_live."""
    instance = await built(client, **variables)
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    instance = await complete(client, instance, "initial_acceptance", OK, UNIT)
    return await signed_off(client, instance, ndrc=ndrc)


async def fetch(client, instance: dict) -> dict:
    response = await client.get(f"{API}/process-instances/{instance['id']}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def year_ends(client, ctx, instance: dict, year: int) -> dict:
    """Move the clock into January of ``year + 1`` and fire what is due: the budget year
    ``year`` has ended, so its O&M fund filing opens (第十八条(一))."""
    ctx.clock.set(datetime(year + 1, 1, 1, 0, 30, tzinfo=UTC))  # 08:30 in Shanghai
    await Worker(ctx, "test").fire_due()
    return await fetch(client, instance)
