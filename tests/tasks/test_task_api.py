"""The task API: inbox filters, claims, form validation, permissions, concurrency."""

import asyncio

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, history, ready, start, token
from tests.support.sample import sample_set

UNIT = token("ua", "demo", ("unit",))
UNIT2 = token("ub", "demo", ("unit",))
EXPERT = token("ea", "demo", ("experts",))
OTHER_TENANT = token("xa", "other", ("unit", "experts"))
DECLARATION = {"project_name": "电子证照", "total_investment": 80, "plan_year": 2026,
               "crypto_relevant": False}


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "demo", sample_set())).status_code == 201
    assert (await deploy(client, "other", sample_set())).status_code == 201


async def new_declare_task(client, key: str = "T") -> tuple[dict, dict]:
    instance = await start(client, "demo", UNIT, business_key=key)
    return instance, ready(instance, "declare")


async def test_inbox_filters_by_group_key_instance_and_state(client):
    instance, task = await new_declare_task(client, "INBOX")
    by_group = (await client.get(f"{API}/tasks", params={"candidate_group": "unit",
                                                          "state": "ready"},
                                 headers=UNIT)).json()["items"]
    assert task["id"] in [t["id"] for t in by_group]
    assert all("unit" in t["candidate_groups"] for t in by_group)
    none = (await client.get(f"{API}/tasks", params={"candidate_group": "finance"},
                             headers=UNIT)).json()["items"]
    assert task["id"] not in [t["id"] for t in none]
    mine = (await client.get(f"{API}/tasks", params={"process_instance_id": instance["id"],
                                                      "key": "declare"},
                             headers=UNIT)).json()["items"]
    assert [t["id"] for t in mine] == [task["id"]]
    await complete(client, instance, "declare", DECLARATION, UNIT)
    done = (await client.get(f"{API}/tasks", params={"process_instance_id": instance["id"],
                                                      "state": "completed"},
                             headers=UNIT)).json()["items"]
    assert [(t["key"], t["completed_by"]) for t in done] == [("declare", "ua")]


async def test_inbox_pages(client):
    for n in range(3):
        await new_declare_task(client, f"PAGE{n}")
    first = (await client.get(f"{API}/tasks", params={"limit": 2, "key": "declare"},
                              headers=UNIT)).json()
    assert len(first["items"]) == 2
    assert first["next"] == 2
    second = (await client.get(f"{API}/tasks", params={"limit": 2, "offset": 2,
                                                       "key": "declare"},
                               headers=UNIT)).json()
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}


async def test_claim_gives_the_task_to_one_user(client):
    _, task = await new_declare_task(client, "CLAIM")
    claimed = await client.post(f"{API}/tasks/{task['id']}/claim", headers=UNIT)
    assert claimed.json()["assignee"] == "ua"
    assert (await client.post(f"{API}/tasks/{task['id']}/claim", headers=UNIT2)).status_code \
        == 409
    mine = (await client.get(f"{API}/tasks", params={"assignee": "me"},
                             headers=UNIT)).json()["items"]
    assert task["id"] in [t["id"] for t in mine]
    refused = await client.post(f"{API}/tasks/{task['id']}/complete",
                                json={"variables": DECLARATION}, headers=UNIT2)
    assert refused.status_code == 403
    assert (await client.post(f"{API}/tasks/{task['id']}/unclaim", headers=UNIT2)).status_code \
        == 403
    released = await client.post(f"{API}/tasks/{task['id']}/unclaim", headers=UNIT)
    assert released.json()["assignee"] is None
    assert (await client.post(f"{API}/tasks/{task['id']}/complete",
                              json={"variables": DECLARATION}, headers=UNIT2)).status_code == 200


@pytest.mark.parametrize(("variables", "field"), [
    ({"total_investment": 80, "plan_year": 2026, "crypto_relevant": False},
     "variables.project_name"),
    ({**DECLARATION, "total_investment": "八十"}, "variables.total_investment"),
    ({**DECLARATION, "total_investment": -1}, "variables.total_investment"),
    ({**DECLARATION, "plan_year": 2026.5}, "variables.plan_year"),
    ({**DECLARATION, "budget": 1}, "variables.budget"),
])
async def test_invalid_variables_are_refused_naming_the_field(client, variables, field):
    instance, task = await new_declare_task(client, "INVALID")
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": variables}, headers=UNIT)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["loc"] for e in response.json()["errors"]]
    after = (await client.get(f"{API}/process-instances/{instance['id']}", headers=UNIT)).json()
    assert after["version"] == instance["version"]
    assert ready(after, "declare")["state"] == "ready"


async def test_wrong_group_gets_403_wrong_tenant_404(client):
    _, task = await new_declare_task(client, "PERM")
    wrong_group = await client.post(f"{API}/tasks/{task['id']}/complete",
                                    json={"variables": DECLARATION}, headers=EXPERT)
    assert wrong_group.status_code == 403
    assert "unit" in wrong_group.json()["detail"]
    wrong_tenant = await client.post(f"{API}/tasks/{task['id']}/complete",
                                     json={"variables": DECLARATION}, headers=OTHER_TENANT)
    assert wrong_tenant.status_code == 404  # another tenant's task looks like a missing one
    assert (await client.get(f"{API}/tasks/{task['id']}", headers=OTHER_TENANT)).status_code \
        == 404
    listed = (await client.get(f"{API}/tasks", headers=OTHER_TENANT)).json()["items"]
    assert all(t["tenant"] == "other" for t in listed)


async def test_concurrent_completion_one_wins_the_other_gets_409(client):
    instance, task = await new_declare_task(client, "RACE")
    url = f"{API}/tasks/{task['id']}/complete"
    first, second = await asyncio.gather(
        client.post(url, json={"variables": DECLARATION}, headers=UNIT),
        client.post(url, json={"variables": {**DECLARATION, "project_name": "另一个"}},
                    headers=UNIT2))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    after = (await client.get(f"{API}/process-instances/{instance['id']}", headers=UNIT)).json()
    assert after["version"] == instance["version"] + 1
    assert [t["key"] for t in after["ready_tasks"]] == ["written_review"]
    completions = [e for e in await history(client, instance["id"])
                   if e["event"] == "task_completed"]
    assert len(completions) == 1
    again = await client.post(url, json={"variables": DECLARATION}, headers=UNIT)
    assert again.status_code == 409


async def test_completed_task_shows_the_submitted_data(client):
    instance, task = await new_declare_task(client, "DATA")
    await complete(client, instance, "declare", DECLARATION, UNIT)
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=ADMIN)).json()
    assert detail["state"] == "completed"
    assert detail["data"] == DECLARATION
