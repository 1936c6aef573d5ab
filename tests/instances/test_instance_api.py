"""Instance operations: messages and correlation, suspend/resume/terminate, atomicity."""

import pytest
from govflow.instances import repository as instance_repo

from tests.conftest import deploy
from tests.support.api import (
    ADMIN,
    API,
    EXPERT,
    FINANCE,
    HUB,
    OK,
    UNIT,
    complete,
    history,
    ready,
    start,
)
from tests.support.sample import sample_set


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "demo", sample_set())).status_code == 201


async def waiting_for_plan(client, key: str, year: int) -> dict:
    instance = await start(client, "demo", UNIT, business_key=key)
    instance = await complete(client, instance, "declare", {
        "project_name": key, "total_investment": 50, "plan_year": year, "crypto_relevant": False}, UNIT)
    instance = await complete(client, instance, "written_review", OK, EXPERT)
    instance = await complete(client, instance, "fund_review", OK, FINANCE)
    return await complete(client, instance, "technical_review", OK, HUB)


async def get(client, instance_id: str) -> dict:
    return (await client.get(f"{API}/process-instances/{instance_id}", headers=ADMIN)).json()


async def test_message_to_an_instance_not_waiting_for_it_is_409(client):
    instance = await start(client, "demo", UNIT, business_key="NOWAIT")
    response = await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 json={"name": "annual_plan_approved"}, headers=HUB)
    assert response.status_code == 409
    assert "annual_plan_approved" in response.json()["detail"]


async def test_tenant_wide_correlation_reaches_only_matching_instances(client):
    a = await waiting_for_plan(client, "A", 2026)
    b = await waiting_for_plan(client, "B", 2026)
    c = await waiting_for_plan(client, "C", 2027)
    response = await client.post(f"{API}/tenants/demo/messages", headers=HUB, json={
        "name": "annual_plan_approved", "correlation": {"plan_year": 2026},
        "payload": {"in_plan": True}})
    assert response.status_code == 200, response.text
    assert sorted(response.json()["delivered_to"]) == sorted([a["id"], b["id"]])
    for moved in (a, b):
        after = await get(client, moved["id"])
        assert after["variables"]["in_plan"] is True
        assert "cloud_resource_request" in [t["key"] for t in after["ready_tasks"]]
    assert (await get(client, c["id"]))["ready_tasks"] == []
    again = await client.post(f"{API}/tenants/demo/messages", headers=HUB, json={
        "name": "annual_plan_approved", "correlation": {"plan_year": 2026}})
    assert again.json()["delivered_to"] == []


async def test_annual_plan_process_notifies_the_projects_it_lists(client):
    listed = await waiting_for_plan(client, "LISTED", 2030)
    left_out = await waiting_for_plan(client, "LEFTOUT", 2030)
    plan = await start(client, "demo", HUB, process_id="annual_plan")
    plan = await complete(client, plan, "plan_approval",
                          {"plan_year": 2030, "projects": ["LISTED"]}, HUB)
    assert (plan["state"], plan["outcome"]) == ("completed", "approved")
    assert (await get(client, listed["id"]))["variables"]["in_plan"] is True
    assert (await get(client, left_out["id"]))["ready_tasks"] == []
    received = [e for e in await history(client, listed["id"]) if e["event"] == "message_received"]
    assert received[0]["actor"] == "engine"


async def test_suspend_blocks_work_until_resumed(client):
    instance = await start(client, "demo", UNIT, business_key="SUSP")
    task = ready(instance, "declare")
    assert (await client.post(f"{API}/process-instances/{instance['id']}/suspend",
                              headers=UNIT)).status_code == 403  # admins only
    suspended = await client.post(f"{API}/process-instances/{instance['id']}/suspend",
                                  headers=ADMIN)
    assert suspended.json()["state"] == "suspended"
    blocked = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT, json={
        "variables": {"project_name": "x", "total_investment": 1, "plan_year": 2026, "crypto_relevant": False}})
    assert blocked.status_code == 409
    assert "suspended" in blocked.json()["detail"]
    resumed = await client.post(f"{API}/process-instances/{instance['id']}/resume",
                                headers=ADMIN)
    assert resumed.json()["state"] == "running"
    await complete(client, resumed.json(), "declare",
                   {"project_name": "x", "total_investment": 1, "plan_year": 2026, "crypto_relevant": False}, UNIT)
    kinds = [e["event"] for e in await history(client, instance["id"])]
    assert kinds.index("instance_suspended") < kinds.index("instance_resumed")


async def test_terminate_cancels_open_tasks_and_records_the_reason(client):
    instance = await waiting_for_plan(client, "TERM", 2026)
    instance = await start(client, "demo", UNIT, business_key="TERM2")
    task = ready(instance, "declare")
    response = await client.post(f"{API}/process-instances/{instance['id']}/terminate",
                                 json={"reason": "项目撤销"}, headers=ADMIN)
    assert response.status_code == 200, response.text
    after = response.json()
    assert (after["state"], after["outcome"]) == ("terminated", "terminated")
    assert after["ended_at"] is not None
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=ADMIN)).json()
    assert detail["state"] == "cancelled"
    terminated = [e for e in await history(client, instance["id"])
                  if e["event"] == "instance_terminated"]
    assert terminated[0]["data"]["reason"] == "项目撤销"
    again = await client.post(f"{API}/process-instances/{instance['id']}/terminate",
                              json={"reason": "again"}, headers=ADMIN)
    assert again.status_code == 409


async def test_a_failure_mid_command_leaves_nothing_written(client, ctx, monkeypatch):
    instance = await start(client, "demo", UNIT, business_key="CRASH")
    task = ready(instance, "declare")
    before = await history(client, instance["id"])

    async def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(instance_repo, "append_history", crash)
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT, json={
        "variables": {"project_name": "x", "total_investment": 1, "plan_year": 2026, "crypto_relevant": False}})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    monkeypatch.undo()
    after = await get(client, instance["id"])
    assert after["version"] == instance["version"]
    assert after["variables"] == instance["variables"]
    assert [t["key"] for t in after["ready_tasks"]] == ["declare"]
    assert await history(client, instance["id"]) == before
    finished = await complete(client, after, "declare",
                              {"project_name": "x", "total_investment": 1, "plan_year": 2026, "crypto_relevant": False},
                              UNIT)
    assert [t["key"] for t in finished["ready_tasks"]] == ["written_review"]


async def test_instances_list_filters(client):
    instance = await start(client, "demo", UNIT, business_key="LIST-1")
    listed = (await client.get(f"{API}/process-instances", headers=UNIT,
                               params={"business_key": "LIST-1"})).json()["items"]
    assert [i["id"] for i in listed] == [instance["id"]]
    running = (await client.get(f"{API}/process-instances", headers=UNIT,
                                params={"state": "completed", "business_key": "LIST-1"})).json()
    assert running["items"] == []
