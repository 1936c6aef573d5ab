"""招远: who may send each message. The budget's result (第十条) comes from the annual-plan
process, not from users; inspections and a refusal to rectify are the hub's (第二十四条)."""

import pytest

from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    FINANCE,
    GOVERNMENT,
    HUB,
    LEADING_GROUP,
    OK,
    ORDER,
    TENANT,
    TENANT_ADMIN,
    UNIT,
    building,
    compiled,
    complete,
    keys,
    message,
    reviewed,
    state,
)
from tests.support.api import API, history, send_message, snapshot, start, token

pytestmark = pytest.mark.usefixtures("deployed", "in_window")


NOBODY = token("zy_nobody", TENANT, ())
RIVAL = token("zy_rival_unit", TENANT, ("unit",))


async def received(client, instance: dict) -> list[dict]:
    return [e for e in await history(client, instance["id"]) if e["event"] == "message_received"]


# -- the annual budget (第十条): the plan process sends it --------------------------------

@pytest.mark.parametrize(("who", "key"), [
    (NOBODY, "NOGROUP"), (RIVAL, "RIVAL"), (HUB, "HUB"), (FINANCE, "FIN"), (GOVERNMENT, "GOV")])
async def test_no_user_may_announce_the_budget_by_hand(client, who, key):
    instance = await reviewed(client, f"ZY-MSG-PLAN-{key}")
    before = await snapshot(client, instance["id"])
    for name in ("annual_plan_approved", "not_in_plan"):
        response = await send_message(client, instance["id"], name, who, {"total_investment": 1})
        assert response.status_code == 403, response.text
        assert "administrators and the process itself" in response.json()["detail"]
    assert await snapshot(client, instance["id"]) == before
    assert before[2]["total_investment"] == 120


async def test_even_an_administrator_may_not_rewrite_the_declared_investment(client):
    instance = await reviewed(client, "ZY-MSG-OVERWRITE")
    before = await snapshot(client, instance["id"])
    response = await send_message(client, instance["id"], "annual_plan_approved", TENANT_ADMIN,
                                  {"total_investment": 1})
    assert response.status_code == 422, response.text
    assert "total_investment" in response.json()["detail"]
    assert await snapshot(client, instance["id"]) == before


async def test_a_rival_units_tenant_wide_not_in_plan_ends_nobodys_project(client):
    ours = await reviewed(client, "ZY-MSG-OURS", plan_year=2027)
    theirs = await reviewed(client, "ZY-MSG-THEIRS", plan_year=2027)
    before = [await snapshot(client, i["id"]) for i in (ours, theirs)]
    response = await client.post(f"{API}/tenants/{TENANT}/messages", headers=RIVAL, json={
        "name": "not_in_plan", "correlation": {"plan_year": 2027}})
    assert response.status_code == 403, response.text
    assert [await snapshot(client, i["id"]) for i in (ours, theirs)] == before


async def test_the_plan_process_announces_the_budget_and_history_names_it(client, in_window):
    listed = await reviewed(client, "ZY-MSG-LISTED", plan_year=2027)
    left_out = await reviewed(client, "ZY-MSG-LEFT", plan_year=2027)
    plan = await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": 2027})
    plan = await compiled(client, plan, ["ZY-MSG-LISTED"])
    plan = await complete(client, plan, "plan_approval", OK, LEADING_GROUP)
    assert keys(await state(client, listed)) == ["government_consent"]
    assert (await state(client, left_out))["outcome"] == "not_in_plan"
    for instance in (listed, left_out):
        [event] = await received(client, instance)
        assert event["data"]["sender"] == {"user": "engine", "as": "process",
                                           "thrown_by": plan["id"]}


# -- supervision (第二十四条): the hub inspects and judges a refusal -----------------------

@pytest.mark.parametrize(("who", "key"), [
    (NOBODY, "NOGROUP"), (UNIT, "UNIT"), (RIVAL, "RIVAL"), (FINANCE, "FIN"), (GOVERNMENT, "GOV")])
async def test_only_the_hub_opens_an_inspection(client, who, key):
    instance = await building(client, f"ZY-MSG-INS-{key}")
    before = await snapshot(client, instance["id"])
    response = await send_message(client, instance["id"], "inspection_started", who)
    assert response.status_code == 403, response.text
    assert "groups hub" in response.json()["detail"]
    assert await snapshot(client, instance["id"]) == before


async def test_the_hubs_inspection_is_recorded_with_its_sender(client):
    instance = await message(client, await building(client, "ZY-MSG-INS-HUB"),
                             "inspection_started", HUB)
    assert keys(instance) == ["inspection"]
    budget, event = await received(client, instance)
    assert budget["data"]["sender"] == {"user": "zy_admin", "as": "admin", "groups": []}
    assert (event["actor"], event["element_id"]) == ("zy_hub", "inspection_started")
    assert {k: v for k, v in event["data"].items() if k != "request_id"} == {
        "message": "inspection_started", "payload": {},
        "sender": {"user": "zy_hub", "as": "sender", "groups": ["hub"]}}
    assert event["data"]["request_id"]  # the request that sent it, as in the access log


async def test_the_unit_cannot_record_its_own_refusal_to_rectify(client):
    instance = await message(client, await building(client, "ZY-MSG-REFUSE"),
                             "inspection_started")
    instance = await complete(client, instance, "inspection",
                              {"finding": "rectify", "opinion": "未按批准内容采购"}, HUB)
    instance = await complete(client, instance, "rectification_order",
                              ORDER | {"rectification_due": "2026-08-31"}, HUB)
    assert keys(instance) == ["rectification"]
    before = await snapshot(client, instance["id"])
    for who in (UNIT, FINANCE):
        response = await send_message(client, instance["id"], "rectification_refused", who)
        assert response.status_code == 403, response.text
    assert await snapshot(client, instance["id"]) == before
    instance = await message(client, instance, "rectification_refused", HUB)
    assert keys(instance) == ["supervision_measure"]


async def test_the_process_metadata_says_who_may_send_each_message(client, deployed):
    meta = (await client.get(f"{API}/diagram-sets/{deployed['id']}/processes/{TENANT}_project",
                             headers=UNIT)).json()
    catches = {c["element_id"]: (c["messages"], c["senders"], c["payload"])
               for c in meta["message_catches"]}
    assert catches == {
        "in_plan": (["annual_plan_approved"], [], []),
        "left_out": (["not_in_plan"], [], []),
        "carried_over": (["annual_plan_closed"], [], []),  # the issued budget, or the server
        "inspection_started": (["inspection_started"], ["hub"], []),
        "rectification_refused": (["rectification_refused"], ["hub"], []),  # inspection.bpmn
    }
