"""SpiffWorkflow's own multi-instance test diagrams, deployed unchanged and run over REST.

The diagrams are not copied into this repository: set ``GOVFLOW_SPIFF_TESTS`` to the
``tests/SpiffWorkflow`` folder of a SpiffWorkflow checkout (the pinned 3.2.0's test data)
to run these; without it they skip and say so."""

import os
from pathlib import Path

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, start, token

ROOT = Path(os.environ.get("GOVFLOW_SPIFF_TESTS", "/nonexistent"))
pytestmark = pytest.mark.skipif(
    not (ROOT / "bpmn" / "data").is_dir(),
    reason="set GOVFLOW_SPIFF_TESTS to SpiffWorkflow's tests/SpiffWorkflow folder")
SOURCES = {
    "Multi-Instance.bpmn": "bpmn/data/Test-Workflows/Multi-Instance.bpmn20.xml",
    "parallel_multiinstance_collection.bpmn":
        "camunda/data/parallel_multiinstance_collection.bpmn",
    "sequential_multiinstance_cardinality.bpmn":
        "bpmn/data/sequential_multiinstance_cardinality.bpmn",
}
USER = token("ua", "sp", ())


async def _deploy(client, name: str) -> None:
    response = await deploy(client, "sp", {name: (ROOT / SOURCES[name]).read_bytes()})
    assert response.status_code == 201, response.text


async def test_modeler_user_task_with_loop_cardinality(client):
    await _deploy(client, "Multi-Instance.bpmn")
    instance = await start(client, "sp", USER)
    slots = sorted(instance["ready_tasks"], key=lambda t: t["slot"])
    assert [(t["key"], t["slot"]) for t in slots] == [("Personnel_Info", i) for i in range(3)]
    detail = (await client.get(f"{API}/tasks/{slots[0]['id']}", headers=USER)).json()
    assert detail["form"]["properties"]["person.dog_friendly"]["type"] == "boolean"
    # A dotted field id is not a variable name GovFlow takes (docs/input-limits.md); the
    # field is optional, so each slot is completed without it.
    refused = await client.post(f"{API}/tasks/{slots[0]['id']}/complete", headers=USER,
                                json={"variables": {"person.dog_friendly": True}})
    assert refused.status_code == 422
    for slot in slots:
        response = await client.post(f"{API}/tasks/{slot['id']}/complete", headers=USER,
                                     json={"variables": {}})
        assert response.status_code == 200, response.text
    instance = response.json()
    assert instance["state"] == "completed"
    assert instance["variables"]["Personnel_Info_results"] == [{}, {}, {}]


async def test_camunda_collection_on_plain_tasks(client):
    await _deploy(client, "parallel_multiinstance_collection.bpmn")
    instance = await start(client, "sp", USER, variables={"input_data": [1, 2, 3]})
    assert instance["state"] == "completed"
    # The input collection is left as it was; each slot has a place in the results.
    assert instance["variables"]["input_data"] == [1, 2, 3]
    assert instance["variables"]["any_task_results"] == [None, None, None]
    events = (await client.get(f"{API}/process-instances/{instance['id']}/history",
                               headers=ADMIN)).json()["items"]
    assert [e["element_id"] for e in events if e["event"] == "element_completed"].count(
        "any_task") == 4  # three slots and the multi-instance body


async def test_sequential_cardinality_with_data_items(client):
    await _deploy(client, "sequential_multiinstance_cardinality.bpmn")
    instance = await start(client, "sp", USER)
    assert instance["state"] == "completed"
    # Plain tasks set no output item: one empty place per slot.
    assert instance["variables"]["output_data"] == [None, None, None]
