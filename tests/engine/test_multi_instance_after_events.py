"""A multi-instance task reached through an event: 监督检查 started by a message while the
project is being implemented, one inspection per body (高青 三(三)4: the data bureau with
finance and audit). Reached from a non-interrupting boundary event the task is still
predicted when it starts its slots; each body gets its own task all the same."""

import pytest

from tests.conftest import deploy
from tests.support.api import API, send_message, start, token
from tests.support.loops import multi_instance
from tools.bpmn_builder import ProcessBuilder

U = token("u", "mb", ("unit", "hub"))


def diagram(cancel: bool) -> bytes:
    b = ProcessBuilder("mb", name="mb", main=True, lanes=[("unit", "单位")])
    b.start("start", "开始")
    b.user_task("implementation", "实施", candidate_groups=["unit"])
    b.boundary_message("inspection_started", "检查", attached_to="implementation",
                       message="inspection_started", cancel=cancel,
                       properties={"senders": "hub"})
    b.user_task("inspection", "检查", candidate_groups=["${body}"])
    b.end("end", "结束", outcome="accepted")
    b.end("end2", "检查完")
    b.flow("start", "implementation")
    b.flow("implementation", "end")
    b.flow("inspection_started", "inspection")
    b.flow("inspection", "end2")
    return multi_instance(b.to_xml(), "inspection", collection="bodies",
                          element="body")


@pytest.mark.parametrize("cancel", [False, True])
async def test_mi_after_boundary_message(client, cancel):
    r = await deploy(client, "mb", {"p.bpmn": diagram(cancel)})
    assert r.status_code == 201, r.text
    i = await start(client, "mb", U, variables={"bodies": ["hub", "finance", "audit"]})
    r = await send_message(client, i["id"], "inspection_started", U)
    assert r.status_code == 200, r.text
    keys = sorted(t["key"] for t in r.json()["ready_tasks"])
    assert keys == ([] if cancel else ["implementation"]) + ["inspection"] * 3
    slots = [t for t in r.json()["ready_tasks"] if t["key"] == "inspection"]
    assert sorted(t["candidate_groups"][0] for t in slots) == ["audit", "finance", "hub"]
    for slot in slots:
        body = slot["candidate_groups"][0]
        done = await client.post(f"{API}/tasks/{slot['id']}/complete", json={"variables": {}},
                                 headers=token(f"u_{body}", "mb", (body,)))
        assert done.status_code == 200, done.text
    after = done.json()
    assert [t["key"] for t in after["ready_tasks"]] == ([] if cancel else ["implementation"])
    assert after["state"] == ("completed" if cancel else "running")
