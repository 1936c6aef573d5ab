"""Small helpers for walking processes through the HTTP API."""

from typing import Any

import httpx

from tests.conftest import ADMIN, token

API = "/api/v1"

# Users of the sample set's tenant "demo", one per lane role.
UNIT = token("ua", "demo", ("unit",))
EXPERT = token("ea", "demo", ("experts",))
FINANCE = token("fa", "demo", ("finance",))
HUB = token("ha", "demo", ("hub",))
OK = {"approved": True, "opinion": "同意"}


async def start(client: httpx.AsyncClient, tenant: str, headers: dict, **body: Any) -> dict:
    response = await client.post(f"{API}/tenants/{tenant}/process-instances", json=body,
                                 headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def ready(instance: dict, key: str) -> dict:
    """The instance's ready task with this key (fails the test if there is none)."""
    found = [t for t in instance["ready_tasks"] if t["key"] == key]
    assert found, f"no ready task {key}; ready: {[t['key'] for t in instance['ready_tasks']]}"
    return found[0]


async def complete(client: httpx.AsyncClient, instance: dict, key: str, variables: dict,
                   headers: dict) -> dict:
    task = ready(instance, key)
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def history(client: httpx.AsyncClient, instance_id: str) -> list[dict]:
    response = await client.get(f"{API}/process-instances/{instance_id}/history", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def snapshot(client: httpx.AsyncClient, instance_id: str) -> tuple:
    """What a refused command must leave as it was: state, version, variables, ready task
    keys and the length of the history."""
    got = (await client.get(f"{API}/process-instances/{instance_id}", headers=ADMIN)).json()
    return (got["state"], got["version"], got["variables"],
            sorted(t["key"] for t in got["ready_tasks"]), len(await history(client, instance_id)))


async def send_message(client: httpx.AsyncClient, instance_id: str, name: str, headers: dict,
                       payload: dict | None = None) -> httpx.Response:
    return await client.post(f"{API}/process-instances/{instance_id}/messages",
                             headers=headers, json={"name": name, "payload": payload or {}})


__all__ = ["ADMIN", "token"]
