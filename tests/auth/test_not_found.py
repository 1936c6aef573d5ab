"""Another tenant's objects answer exactly like missing ones, for every kind of id.

Otherwise sequential set ids (or a guessed tenant id) tell a caller which tenants exist
and what they hold. Each request is sent twice by a user of demo: with an id of tenant
far, and with an id nobody has; status and problem body must match, the id aside.
"""

import uuid

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, start, token
from tests.support.sample import sample_set

DEMO_USER = token("du", "demo", ("unit", "experts", "hub", "finance"))
DEMO_ADMIN = token("da", "demo", ("unit",), admin=True)
FAR_UNIT = token("fu", "far", ("unit",))
UNKNOWN_SET = 987654
FILES = [("files", ("p.bpmn", b"<x/>", "application/xml"))]

# (method, path, json body); {instance}, {task}, {set}, {tenant} are filled in.
REQUESTS = [
    ("GET", "/process-instances/{instance}", None),
    ("GET", "/process-instances/{instance}/history", None),
    ("GET", "/process-instances/{instance}/svg", None),
    ("POST", "/process-instances/{instance}/messages", {"name": "annual_plan_approved"}),
    ("POST", "/process-instances/{instance}/suspend", None),
    ("POST", "/process-instances/{instance}/resume", None),
    ("POST", "/process-instances/{instance}/terminate", {"reason": "x"}),
    ("GET", "/tasks/{task}", None),
    ("POST", "/tasks/{task}/claim", None),
    ("POST", "/tasks/{task}/unclaim", None),
    ("POST", "/tasks/{task}/complete", {"variables": {}}),
    ("GET", "/diagram-sets/{set}/processes/project", None),
    ("GET", "/diagram-sets/{set}/processes/project/bpmn", None),
    ("GET", "/diagram-sets/{set}/processes/project/svg", None),
    ("GET", "/tenants/{tenant}", None),
    ("GET", "/tenants/{tenant}/diagram-sets", None),
    ("PUT", "/tenants/{tenant}/active-set", {"diagram_set_id": 1}),
    ("POST", "/tenants/{tenant}/diagram-sets", "files"),
    ("POST", "/tenants/{tenant}/process-instances", {}),
    ("POST", "/tenants/{tenant}/messages", {"name": "annual_plan_approved"}),
    ("POST", "/tenants/{tenant}/decisions/review_mode/evaluate", {"inputs": {}}),
]


@pytest.fixture
async def far_ids(client) -> dict[str, str]:
    await deploy(client, "demo", sample_set())
    far_set = (await deploy(client, "far", sample_set())).json()["id"]
    instance = await start(client, "far", FAR_UNIT)
    return {"instance": instance["id"], "task": instance["ready_tasks"][0]["id"],
            "set": str(far_set), "tenant": "far"}


def unknown_ids() -> dict[str, str]:
    return {"instance": str(uuid.uuid4()), "task": str(uuid.uuid4()),
            "set": str(UNKNOWN_SET), "tenant": "nosuch"}


async def send(client, method: str, path: str, body, headers: dict):
    if body == "files":
        return await client.request(method, API + path, files=FILES, headers=headers)
    return await client.request(method, API + path, json=body, headers=headers)


def without_ids(problem: dict, ids: dict[str, str]) -> dict:
    text = str(problem)
    for value in sorted(ids.values(), key=len, reverse=True):
        text = text.replace(value, "<id>")
    return {"text": text}


@pytest.mark.parametrize("headers", [DEMO_USER, DEMO_ADMIN], ids=["user", "tenant-admin"])
@pytest.mark.parametrize(("method", "path", "body"), REQUESTS,
                         ids=[f"{m} {p}" for m, p, _ in REQUESTS])
async def test_another_tenants_id_answers_like_an_unknown_one(client, far_ids, headers,
                                                              method, path, body):
    unknown = unknown_ids()
    theirs = await send(client, method, path.format(**far_ids), body, headers)
    missing = await send(client, method, path.format(**unknown), body, headers)
    assert (theirs.status_code, missing.status_code) == (404, 404), theirs.text
    assert theirs.headers["content-type"] == "application/problem+json"
    assert without_ids(theirs.json(), far_ids) == without_ids(missing.json(), unknown)
    instance = (await client.get(f"{API}/process-instances/{far_ids['instance']}",
                                 headers=ADMIN)).json()
    assert (instance["state"], instance["version"]) == ("running", 1)  # untouched
