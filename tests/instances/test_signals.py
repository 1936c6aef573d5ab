"""Signals over REST: a broadcast reaches every waiting catch of the tenant (intermediate,
boundary) and starts the processes of the active set with a signal start; a throw inside an
instance does the same. Senders and payload keys are held to the catches' declarations, as
for messages (docs/messages.md); one refusal refuses the whole broadcast."""

from pathlib import Path

import httpx

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, history, snapshot, start
from tests.support.api import token as make_token

DIAGRAMS = Path(__file__).parent / "constructs"
FILES = ("signal_listener.bpmn", "signal_waiter.bpmn", "signal_start.bpmn",
         "signal_raiser.bpmn")
TENANT = "sig"
UNIT = make_token("su", TENANT, ("unit",))
HUB = make_token("sh", TENANT, ("hub",))
STRANGER = make_token("sx", "elsewhere", ("hub",))


async def deployed(client: httpx.AsyncClient) -> None:
    files = {n: (DIAGRAMS / n).read_bytes() for n in FILES}
    response = await deploy(client, TENANT, files)
    assert response.status_code == 201, response.text


async def broadcast(client: httpx.AsyncClient, headers: dict, payload: dict | None = None,
                    name: str = "flood_alarm", tenant: str = TENANT) -> httpx.Response:
    return await client.post(f"{API}/tenants/{tenant}/signals", headers=headers,
                             json={"name": name, "payload": payload or {}})


async def ready_keys(client: httpx.AsyncClient, instance_id: str) -> list[str]:
    got = await client.get(f"{API}/process-instances/{instance_id}", headers=ADMIN)
    return sorted(t["key"] for t in got.json()["ready_tasks"])


async def responses(client: httpx.AsyncClient) -> list[dict]:
    got = await client.get(f"{API}/process-instances", headers=ADMIN,
                           params={"process_id": "alarm_response"})
    return got.json()["items"]


async def test_a_broadcast_reaches_every_catch_and_starts_signal_start_processes(client):
    await deployed(client)
    listener = await start(client, TENANT, UNIT, process_id="alarm_listener")
    waiter = await start(client, TENANT, UNIT, process_id="alarm_waiter")
    assert listener["ready_tasks"][0]["key"] == "on_duty"
    assert waiter["ready_tasks"] == []

    response = await broadcast(client, HUB, {"level": 3})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["triggered"] == 3
    assert sorted(body["delivered_to"]) == sorted([listener["id"], waiter["id"]])
    assert len(body["started"]) == 1
    # The boundary signal interrupted the duty; the intermediate catch went on; a response
    # instance started with the payload as its variables.
    assert await ready_keys(client, listener["id"]) == ["evacuate"]
    assert await ready_keys(client, waiter["id"]) == ["report"]
    assert await ready_keys(client, body["started"][0]) == ["respond"]
    started = await client.get(f"{API}/process-instances/{body['started'][0]}", headers=ADMIN)
    assert started.json()["variables"] == {"level": 3}
    received = [e for e in await history(client, waiter["id"])
                if e["event"] == "signal_received"]
    assert received[0]["element_id"] == "wait_alarm"
    assert received[0]["data"]["signal"] == "flood_alarm"
    assert received[0]["data"]["payload"] == {"level": 3}
    assert received[0]["data"]["sender"] == {"user": "sh", "as": "sender", "groups": ["hub"]}

    # Nobody waits any more: a second broadcast only starts another response.
    again = (await broadcast(client, HUB, {"level": 1})).json()
    assert again["delivered_to"] == []
    assert len(again["started"]) == 1


async def test_a_refused_broadcast_delivers_nothing(client):
    await deployed(client)
    waiter = await start(client, TENANT, UNIT, process_id="alarm_waiter")
    before = await snapshot(client, waiter["id"])
    # Not a declared sender (unit), a stranger of another tenant, an undeclared key.
    assert (await broadcast(client, UNIT, {"level": 3})).status_code == 403
    assert (await broadcast(client, STRANGER, {"level": 3})).status_code == 404
    bad = await broadcast(client, HUB, {"level": 3, "total_investment": 1})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == "body.payload.total_investment"
    assert await snapshot(client, waiter["id"]) == before
    assert await responses(client) == []
    # A signal no one catches is no error: nothing triggered.
    quiet = await broadcast(client, HUB, name="unheard")
    assert quiet.status_code == 200
    assert quiet.json() == {"triggered": 0, "delivered_to": [], "started": []}


async def test_a_signal_thrown_by_an_instance_reaches_the_tenant(client):
    await deployed(client)
    listener = await start(client, TENANT, UNIT, process_id="alarm_listener")
    raiser = await start(client, TENANT, HUB, process_id="alarm_raiser")
    done = await complete(client, raiser, "observe", {}, HUB)
    assert done["state"] == "completed"
    assert await ready_keys(client, listener["id"]) == ["evacuate"]
    # The intermediate throw and the end throw each started a response.
    assert len(await responses(client)) == 2
    heard = [e for e in await history(client, listener["id"]) if e["event"] == "signal_received"]
    assert heard[0]["data"]["sender"]["as"] == "process"
    assert heard[0]["data"]["sender"]["thrown_by"] == raiser["id"]


async def test_the_signal_endpoint_checks_rights_before_anything(client):
    await deployed(client)
    anonymous = await client.post(f"{API}/tenants/{TENANT}/signals",
                                  json={"name": "flood_alarm", "payload": {}})
    assert anonymous.status_code == 401
    unknown = await broadcast(client, ADMIN, tenant="nowhere")
    assert unknown.status_code == 404
    too_long = await broadcast(client, HUB, name="x" * 5000)
    assert too_long.status_code == 422


async def test_a_broadcast_past_the_bound_is_refused_whole(client, monkeypatch):
    from govflow.commands import unit_of_work

    await deployed(client)
    waiter = await start(client, TENANT, UNIT, process_id="alarm_waiter")
    before = await snapshot(client, waiter["id"])
    monkeypatch.setattr(unit_of_work, "MAX_SIGNAL_TARGETS", 1)  # 1 catch + 1 start = 2
    response = await broadcast(client, HUB, {"level": 3})
    assert response.status_code == 422
    assert "more than 1" in response.json()["detail"]
    assert await snapshot(client, waiter["id"]) == before
    assert await responses(client) == []
