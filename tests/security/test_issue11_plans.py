"""Annual plans (issue 11) under attack through the REST API, on 高青's bundled set: a plan
started with the server's own variables (``approved``, ``plan_items``) to pass for an issued
plan, and a second plan of the year approved after the first was issued."""

import asyncio

import pytest

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_support import GOVERNMENT, HUB, OK, TENANT, UNIT, keys, step
from tests.scenarios.gaoqing.test_gaoqing_annual_plan import (
    YEAR,
    bundled_set,
    in_review,
    passed,
    plan_for,
    reviewed,
    submit,
)
from tests.support.api import API


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled_set())
    assert response.status_code == 201, response.text


async def _year(client) -> dict:
    response = await client.get(f"{API}/tenants/{TENANT}/annual-plans/{YEAR}", headers=HUB)
    assert response.status_code == 200, response.text
    return response.json()


FORGED = {"plan_year": YEAR, "approved": True, "plan_total": 1,
          "plan_items": [{"business_key": "GQ-FAKE", "instance_id": "x",
                          "project_name": "虚构项目", "amount": 1}]}


# A unit may not start a plan at all (camunda:candidateStarterGroups, docs/contract.md "Who
# may start a process"); the hub that compiles it may not start one as issued.
@pytest.mark.parametrize(("who", "refusal"), [(UNIT, (403, "instance.start_forbidden")),
                                              (HUB, (422, "plan.server_variable"))])
async def test_a_plan_started_as_issued_is_not_issued(client, who, refusal):
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=who,
                                 json={"process_id": "annual_plan", "variables": FORGED})
    assert (response.status_code, response.json()["code"]) == refusal
    if refusal[0] == 422:
        assert sorted(e["field"] for e in response.json()["errors"]) == [
            "approved", "plan_items", "plan_total"]
    assert (await _year(client))["plans"] == []
    # A project passing review now is a candidate of this year, not carried over.
    late = await reviewed(client, "GQ-LATE", 80)
    body = (await client.get(f"{API}/process-instances/{late['id']}", headers=HUB)).json()
    assert body["variables"]["plan_year"] == YEAR
    assert [c["business_key"] for c in (await _year(client))["candidates"]] == ["GQ-LATE"]
    # And the real plan of the year is compiled and issued.
    plan = await plan_for(client)
    compiled = await submit(client, plan, {"projects": ["GQ-LATE"]})
    assert compiled.status_code == 200, compiled.text
    issued = await step(client, compiled.json(), "plan_approval", OK, GOVERNMENT)
    assert keys(issued) == ["budget_inclusion"]
    assert keys((await client.get(f"{API}/process-instances/{late['id']}",
                                  headers=HUB)).json()) == ["procurement_documents"]


async def test_a_second_plan_of_the_year_is_not_approved_after_the_first_was_issued(client):
    first_project = await reviewed(client, "GQ-ONE", 80)
    await passed(client, await in_review(client, "GQ-TWO"), 90)
    first = (await submit(client, await plan_for(client), {"projects": ["GQ-ONE"]})).json()
    rival = await submit(client, await plan_for(client), {"projects": ["GQ-TWO"]})
    assert rival.status_code == 200, rival.text  # compiled before either was issued
    await step(client, first, "plan_approval", OK, GOVERNMENT)
    [approval] = [t for t in rival.json()["ready_tasks"] if t["key"] == "plan_approval"]
    refused = await client.post(f"{API}/tasks/{approval['id']}/complete", headers=GOVERNMENT,
                                json={"variables": OK})
    assert (refused.status_code, refused.json()["code"]) == (409, "plan.already_issued")
    plans = (await _year(client))["plans"]
    assert {p["instance_id"]: p["issued"] for p in plans} == {
        first["id"]: True, rival.json()["id"]: False}
    assert keys((await client.get(f"{API}/process-instances/{first_project['id']}",
                                  headers=HUB)).json()) == ["procurement_documents"]
    # A refusal (approved false) of the rival stays possible: it only sends it back.
    sent_back = await client.post(f"{API}/tasks/{approval['id']}/complete",
                                  headers=GOVERNMENT,
                                  json={"variables": {**OK, "approved": False}})
    assert sent_back.status_code == 200, sent_back.text


async def test_two_plans_of_a_year_approved_at_once_issue_one(client):
    await reviewed(client, "GQ-ONE", 80)
    await reviewed(client, "GQ-TWO", 90)
    compiled = [(await submit(client, await plan_for(client), {"projects": [key]})).json()
                for key in ("GQ-ONE", "GQ-TWO")]
    approvals = [t["id"] for plan in compiled for t in plan["ready_tasks"]
                 if t["key"] == "plan_approval"]
    answers = await asyncio.gather(*(
        client.post(f"{API}/tasks/{task_id}/complete", headers=GOVERNMENT,
                    json={"variables": OK}) for task_id in approvals))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    assert [p["issued"] for p in (await _year(client))["plans"]].count(True) == 1
