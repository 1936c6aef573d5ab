"""Countersign slots (issue 11) under attack through the REST API: two completions of one
slot at once."""

import asyncio

from tests.conftest import ADMIN, deploy
from tests.support.api import API, history, start, token
from tests.support.loops import multi_instance
from tools.bpmn_builder import Field, ProcessBuilder

UNIT = token("ru", "rt", ("unit",))


async def _complete(client, task_id: str, headers: dict, variables: dict | None = None):
    return await client.post(f"{API}/tasks/{task_id}/complete", headers=headers,
                             json={"variables": variables or {}})


# -- countersign slots: one completion per slot ---------------------------------------------

async def test_two_completions_of_one_slot_at_once_count_once(client):
    b = ProcessBuilder("rt", name="会签", main=True, lanes=[("unit", "建设单位")])
    b.start("start", "开始")
    b.user_task("sign", "专家会签", assignee="${expert}",
                form=[Field("vote", "string", label="表决", required=True)])
    b.end("end", "结束")
    b.flow("start", "sign")
    b.flow("sign", "end")
    xml = multi_instance(b.to_xml(), "sign", collection="experts", element="expert")
    assert (await deploy(client, "rt", {"p.bpmn": xml})).status_code == 201
    instance = await start(client, "rt", UNIT, variables={"experts": ["zhang", "li"]})
    zhang = token("zhang", "rt", ("experts",))
    (slot,) = [t for t in instance["ready_tasks"] if t["assignee"] == "zhang"]
    answers = await asyncio.gather(*(_complete(client, slot["id"], zhang, {"vote": v})
                                     for v in ("同意", "不同意")))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    completed = [e for e in await history(client, instance["id"])
                 if e["event"] == "task_completed"]
    assert len(completed) == 1
    got = (await client.get(f"{API}/process-instances/{instance['id']}",
                            headers=ADMIN)).json()
    assert got["state"] == "running"
    assert [t["assignee"] for t in got["ready_tasks"]] == ["li"]
