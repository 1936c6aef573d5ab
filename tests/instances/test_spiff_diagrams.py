"""SpiffWorkflow's own test diagrams for call activities, event sub-processes, signals and
collaborations, deployed unchanged and walked over GovFlow's API.

The diagrams are not copied into this repository: set ``GOVFLOW_SPIFF_TESTS`` to the
``tests/SpiffWorkflow`` folder of a SpiffWorkflow checkout (the pinned 3.2.0's test data)
to run these; without it they skip and say so."""

import os
from pathlib import Path

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, start

ROOT = Path(os.environ.get("GOVFLOW_SPIFF_TESTS", "/nonexistent"))
pytestmark = pytest.mark.skipif(
    not (ROOT / "bpmn" / "data").is_dir(),
    reason="set GOVFLOW_SPIFF_TESTS to SpiffWorkflow's tests/SpiffWorkflow folder")
TENANT = "spiff"


def files(*names: str) -> dict[str, bytes]:
    return {Path(n).name: (ROOT / n).read_bytes() for n in names}


async def test_event_subprocess_started_by_a_signal_thrown_in_the_instance(client):
    """bpmn/data/event-subprocess.bpmn (EventSubprocessTest): the main flow throws
    start_sub; the event sub-process it starts runs; the instance completes."""
    assert (await deploy(client, TENANT, files("bpmn/data/event-subprocess.bpmn"))
            ).status_code == 201
    instance = await start(client, TENANT, ADMIN, variables={"v1": True, "v2": False})
    assert instance["state"] == "completed"
    passed = [e["element_id"] for e in await history(client, instance["id"])
              if e["event"] == "element_completed"]
    assert "Event_0rfrdxr" in passed  # the event sub-process's signal start
    assert "task" in passed  # the task inside it
    assert instance["variables"] == {"v1": True, "v2": False}


async def test_nested_call_activities_walked_to_the_end(client):
    """bpmn/data/Test-Workflows/Nested-*.bpmn20.xml (NestedProcessesTest, run through
    happy): a call activity inside a called process; Action1, Action2, Action3 in turn."""
    names = ("Nested-Subprocesses", "Nested-Sub-level1", "Nested-Sub-level2")
    sources = files(*(f"bpmn/data/Test-Workflows/{n}.bpmn20.xml" for n in names))
    # GovFlow takes .bpmn files: the same content under the name it reads.
    response = await deploy(client, TENANT, {k.replace(".bpmn20.xml", ".bpmn"): v
                                             for k, v in sources.items()})
    assert response.status_code == 201, response.text
    instance = await start(client, TENANT, ADMIN)
    for name in ("Action1", "Action2", "Action3"):
        [task] = instance["ready_tasks"]
        assert task["name"] == name
        done = await client.post(f"{API}/tasks/{task['id']}/complete", headers=ADMIN,
                                 json={"variables": {}})
        assert done.status_code == 200, done.text
        instance = done.json()
    assert instance["state"] == "completed"


async def test_call_activity_with_error_is_refused_for_its_print_calls(client):
    """bpmn/data/call_activity_with_error.bpmn prints: not valid under GovFlow's sandbox;
    refused at upload naming file, line and element."""
    response = await deploy(client, TENANT, files(
        "bpmn/data/call_activity_with_error.bpmn",
        "bpmn/data/call_activity_call_activity.bpmn"))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == "call_activity_with_error.bpmn"
    assert "print" in error["msg"]


async def test_call_activity_end_event_is_refused_for_its_print_calls(client):
    """bpmn/data/call_activity_end_event.bpmn prints: not valid under GovFlow's sandbox;
    refused at upload naming file, line and element."""
    response = await deploy(client, TENANT, files(
        "bpmn/data/call_activity_end_event.bpmn", "bpmn/data/call_activity_call_activity.bpmn"))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == "call_activity_end_event.bpmn"
    assert "print" in error["msg"]


async def test_collaboration_deploys_its_executable_pool(client):
    """bpmn/data/collaboration.bpmn: two pools, one executable (process_buddy)."""
    response = await deploy(client, TENANT, files("bpmn/data/collaboration.bpmn"))
    assert response.status_code == 201, response.text
    # Its send task's correlation reads lover_name: without it the step fails, named.
    response = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=ADMIN,
                                 json={"process_id": "process_buddy", "variables": {}})
    assert response.status_code == 422
    assert "ActivitySendLetter" in response.json()["detail"]
    instance = await start(client, TENANT, ADMIN, process_id="process_buddy",
                           variables={"lover_name": "Peggy"})
    assert instance["state"] == "running"


async def test_call_activity_with_message_parent(client):
    """camunda/data/call_activity_with_message_parent.bpmn + call_activity_with_message.bpmn
    (CallActivityMessageTest)."""
    response = await deploy(client, TENANT, files(
        "camunda/data/call_activity_with_message_parent.bpmn",
        "camunda/data/call_activity_with_message.bpmn"))
    assert response.status_code == 201, response.text
    instance = await start(client, TENANT, ADMIN, process_id="Process_0xeaemr")
    assert instance["state"] in ("running", "completed")


async def test_boundary_event_split_is_refused_for_its_nameless_signal(client):
    """bpmn/data/boundary_event_split.bpmn catches a signal that names no bpmn:signal: a
    broadcast could never reach it; refused at upload naming the element."""
    response = await deploy(client, TENANT, files("bpmn/data/boundary_event_split.bpmn"))
    assert response.status_code == 422
    assert "signal" in response.json()["errors"][0]["msg"]
