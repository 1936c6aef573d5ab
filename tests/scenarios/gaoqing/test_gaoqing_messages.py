"""高青: who may send each message. The annual plan's result (三(二)3) comes from the plan
process; an inspection is opened by the authority with finance and audit (三(三)4)."""

import pytest

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_support import (
    APPROVAL,
    AUDIT,
    FINANCE,
    GOVERNMENT,
    HUB,
    TENANT,
    UNIT,
    in_construction,
    keys,
    reviewed,
)
from tests.support.api import API, history, send_message, snapshot, token
from tests.support.bundled import bundled

NOBODY = token("gq_nobody", TENANT, ())
RIVAL = token("gq_rival_unit", TENANT, ("unit",))


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(("who", "key"), [(NOBODY, "NOGROUP"), (RIVAL, "RIVAL"), (HUB, "HUB"),
                                          (FINANCE, "FIN"), (GOVERNMENT, "GOV")])
async def test_no_user_may_announce_the_annual_plan_by_hand(client, who, key):
    instance = await reviewed(client, f"GQ-MSG-PLAN-{key}")
    before = await snapshot(client, instance["id"])
    for name in ("annual_plan_approved", "not_in_plan"):
        response = await send_message(client, instance["id"], name, who, {"total_investment": 1})
        assert response.status_code == 403, response.text
    assert await snapshot(client, instance["id"]) == before


async def test_a_rival_units_tenant_wide_not_in_plan_is_refused_whole(client):
    ours = await reviewed(client, "GQ-MSG-OURS", plan_year=2027)
    theirs = await reviewed(client, "GQ-MSG-THEIRS", plan_year=2027)
    before = [await snapshot(client, i["id"]) for i in (ours, theirs)]
    response = await client.post(f"{API}/tenants/{TENANT}/messages", headers=RIVAL, json={
        "name": "not_in_plan", "correlation": {"plan_year": 2027}})
    assert response.status_code == 403, response.text
    assert [await snapshot(client, i["id"]) for i in (ours, theirs)] == before


@pytest.mark.parametrize(("who", "key"), [(NOBODY, "NOGROUP"), (UNIT, "UNIT"), (RIVAL, "RIVAL"),
                                          (GOVERNMENT, "GOV"), (APPROVAL, "NDRC")])
async def test_only_the_inspecting_authorities_open_an_inspection(client, who, key):
    instance = await in_construction(client, f"GQ-MSG-INS-{key}")
    before = await snapshot(client, instance["id"])
    response = await send_message(client, instance["id"], "inspection_started", who)
    assert response.status_code == 403, response.text
    assert "hub, finance, audit" in response.json()["detail"]
    assert await snapshot(client, instance["id"]) == before


@pytest.mark.parametrize(("who", "user", "group"), [(HUB, "hub_user", "hub"),
                                                     (FINANCE, "finance_user", "finance"),
                                                     (AUDIT, "audit_user", "audit")])
async def test_the_authority_finance_and_audit_each_open_an_inspection(client, who, user, group):
    instance = await in_construction(client, f"GQ-MSG-INSOK-{group}")
    response = await send_message(client, instance["id"], "inspection_started", who)
    assert response.status_code == 200, response.text
    assert keys(response.json()) == ["inspection"] * 3  # one slot per body (三(三)4 会同)
    event = [e for e in await history(client, instance["id"])
             if e["event"] == "message_received"][-1]
    assert event["data"]["sender"] == {"user": user, "as": "sender", "groups": [group]}
    other = await in_construction(client, f"GQ-MSG-INSKEY-{group}")
    refused = await send_message(client, other["id"], "inspection_started", who,
                                 {"findings": "none"})
    assert refused.status_code == 422
    assert "findings" in refused.json()["detail"]
