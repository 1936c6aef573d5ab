"""Walking the sample set through the REST API: branches, gateways, messages, outcomes."""

import pytest

from tests.conftest import deploy
from tests.support.api import API, EXPERT, FINANCE, HUB, OK, UNIT, complete, history, ready, start
from tests.support.sample import sample_set


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, "demo", sample_set())
    assert response.status_code == 201, response.text
    return response.json()


def declaration(amount: float, year: int = 2026, crypto: bool = False) -> dict:
    return {"project_name": "政务云迁移", "total_investment": amount, "plan_year": year,
            "crypto_relevant": crypto}


async def declared(client, amount: float, key: str = "P1", year: int = 2026,
                   crypto: bool = False) -> dict:
    instance = await start(client, "demo", UNIT, business_key=key)
    return await complete(client, instance, "declare", declaration(amount, year, crypto), UNIT)


@pytest.mark.parametrize(("amount", "mode"), [(99.99, "written_review"), (100, "onsite_review"),
                                              (0, "written_review"), (5000, "onsite_review")])
async def test_dmn_decides_the_review_mode_with_100_on_site(client, amount, mode):
    instance = await declared(client, amount)
    assert [t["key"] for t in instance["ready_tasks"]] == [mode]
    assert instance["variables"]["review_mode"] == mode.split("_")[0]
    task = ready(instance, mode)
    assert task["lane"] == "评审专家"
    assert task["candidate_groups"] == ["experts"]
    assert task["clause"].startswith("示例 第二条")


async def test_start_returns_the_first_task_with_its_form(client):
    instance = await start(client, "demo", UNIT, business_key="P0",
                           variables={"applicant_unit": "市大数据局"})
    assert instance["state"] == "running"
    assert instance["process_id"] == "project"
    assert instance["variables"] == {"applicant_unit": "市大数据局"}
    task = ready(instance, "declare")
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()
    assert detail["clause"] == "示例 第一条"
    assert detail["form"]["required"] == ["project_name", "total_investment", "plan_year",
                                        "crypto_relevant"]
    assert detail["form"]["properties"]["total_investment"]["minimum"] == 0
    assert detail["form"]["additionalProperties"] is False


async def test_rejected_review_ends_the_instance_as_rejected(client):
    instance = await declared(client, 10)
    done = await complete(client, instance, "written_review",
                          {"approved": False, "opinion": "方案不完整"}, EXPERT)
    assert done["state"] == "completed"
    assert done["outcome"] == "rejected"
    assert done["ready_tasks"] == []


async def test_whole_lifecycle_through_parallel_message_inclusive_and_call_activity(client):
    instance = await declared(client, 150, key="FULL", crypto=True)
    instance = await complete(client, instance, "onsite_review", OK, EXPERT)
    assert sorted(t["key"] for t in instance["ready_tasks"]) == ["fund_review",
                                                                 "technical_review"]
    instance = await complete(client, instance, "fund_review", OK, FINANCE)
    instance = await complete(client, instance, "technical_review", OK, HUB)
    assert instance["ready_tasks"] == []  # waiting for the annual plan
    response = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 json={"name": "annual_plan_approved",
                                       "payload": {"in_plan": True}}, headers=HUB)
    assert response.status_code == 200, response.text
    instance = response.json()
    assert instance["variables"]["in_plan"] is True
    assert sorted(t["key"] for t in instance["ready_tasks"]) == ["cloud_resource_request",
                                                                 "crypto_review"]
    instance = await complete(client, instance, "crypto_review", OK, HUB)
    instance = await complete(client, instance, "cloud_resource_request", {}, UNIT)
    assert instance["variables"]["scale"] == 300  # the script task ran
    instance = await complete(client, instance, "implementation", {}, UNIT)
    instance = await complete(client, instance, "final_acceptance", OK, HUB)
    assert (instance["state"], instance["outcome"]) == ("completed", "accepted")


async def test_inclusive_gateway_skips_the_branch_whose_condition_is_false(client):
    instance = await declared(client, 20, key="NOCRYPTO")
    instance = await complete(client, instance, "written_review", OK, EXPERT)
    instance = await complete(client, instance, "fund_review", OK, FINANCE)
    instance = await complete(client, instance, "technical_review", OK, HUB)
    response = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 json={"name": "annual_plan_approved"}, headers=HUB)
    assert [t["key"] for t in response.json()["ready_tasks"]] == ["cloud_resource_request"]


async def test_error_end_event_in_the_called_process_is_caught_and_terminates(client):
    instance = await declared(client, 20, key="FAIL")
    for key, who in (("written_review", EXPERT), ("fund_review", FINANCE),
                     ("technical_review", HUB)):
        instance = await complete(client, instance, key, OK, who)
    instance = (await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                  json={"name": "annual_plan_approved"}, headers=HUB)).json()
    instance = await complete(client, instance, "cloud_resource_request", {}, UNIT)
    instance = await complete(client, instance, "implementation", {}, UNIT)
    instance = await complete(client, instance, "final_acceptance",
                              {"approved": False, "opinion": "主要技术参数与批复不符"}, HUB)
    assert (instance["state"], instance["outcome"]) == ("completed", "rejected")
    events = [(e["event"], e["element_id"]) for e in await history(client, instance["id"])]
    assert ("element_completed", "acceptance_failed") in events
    assert ("element_completed", "end_failed") in events


async def test_history_records_who_did_what_and_what_changed(client):
    instance = await declared(client, 120, key="HIST")
    events = await history(client, instance["id"])
    kinds = [e["event"] for e in events]
    assert kinds[0] == "instance_started"
    assert (events[0]["actor"], events[0]["element_id"]) == ("ua", "project")
    completed = next(e for e in events if e["event"] == "task_completed")
    assert completed["actor"] == "ua"
    assert completed["element_id"] == "declare"
    assert completed["data"]["total_investment"] == 120
    assert completed["data"]["changed"]["review_mode"] == "onsite"
    assert ("element_completed", "decide_mode") in [(e["event"], e["element_id"])
                                                    for e in events]
    assert events[-1]["event"] == "task_created"
    assert events[-1]["element_id"] == "onsite_review"
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
