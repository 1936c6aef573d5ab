"""A joint sign-off (会签) in a rework loop: the bodies sign in parallel, any refusal sends
the project back for 整改, and the next round must wait for every body again and decide on
this round's answers, not the last round's. SpiffWorkflow's own parallel join fires early in
round two and lets a stale refusal win (engine/joins.py); these walks hold GovFlow's."""

import pytest

from tests.conftest import deploy
from tests.support.api import API, start, token
from tools.bpmn_builder import Field, ProcessBuilder

BODIES = ("hub", "finance", "miit")
USERS = {b: token(f"u_{b}", "jr", (b,)) for b in BODIES}
UNIT = token("u_unit", "jr", ("unit",))


def joint_review() -> bytes:
    b = ProcessBuilder("jr", name="会签", main=True, lanes=[("unit", "单位")])
    b.start("start", "开始")
    b.parallel_gateway("fork")
    b.parallel_gateway("join")
    for body in BODIES:
        b.user_task(f"sign_{body}", f"{body} 会签", candidate_groups=[body],
                    form=[Field(f"{body}_ok", "boolean", label="同意")])
        b.flow("fork", f"sign_{body}")
        b.flow(f"sign_{body}", "join")
    b.exclusive_gateway("all_ok", "都同意?")
    b.user_task("rework", "整改", candidate_groups=["unit"])
    b.end("end", "通过", outcome="accepted")
    b.flow("start", "fork")
    b.flow("join", "all_ok")
    b.flow("all_ok", "end", condition="hub_ok and finance_ok and miit_ok")
    b.flow("all_ok", "rework", condition="not (hub_ok and finance_ok and miit_ok)")
    b.flow("rework", "fork")
    return b.to_xml()


async def _sign(client, instance: dict, body: str, ok: bool) -> dict:
    (task,) = [t for t in instance["ready_tasks"] if t["key"] == f"sign_{body}"]
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=USERS[body],
                                 json={"variables": {f"{body}_ok": ok}})
    assert response.status_code == 200, response.text
    return response.json()


async def _rework(client, instance: dict) -> dict:
    (task,) = instance["ready_tasks"]
    assert task["key"] == "rework"
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {}})
    assert response.status_code == 200, response.text
    return response.json()


def _keys(instance: dict) -> list[str]:
    return sorted(t["key"] for t in instance["ready_tasks"])


@pytest.mark.parametrize("cold", [False, True])
async def test_each_round_waits_for_every_body_and_reads_its_own_answers(client, ctx, cold):
    assert (await deploy(client, "jr", {"p.bpmn": joint_review()})).status_code == 201
    instance = await start(client, "jr", UNIT)
    # Round one: hub and miit agree, finance refuses -> 整改.
    instance = await _sign(client, instance, "hub", True)
    instance = await _sign(client, instance, "miit", True)
    instance = await _sign(client, instance, "finance", False)
    assert _keys(instance) == ["rework"]
    instance = await _rework(client, instance)
    # Round two, in another order: the join waits for all three again.
    for body, ok in (("finance", True), ("miit", True)):
        if cold:
            ctx.instances._entries.clear()  # restored from its rows between steps
        instance = await _sign(client, instance, body, ok)
        assert instance["state"] == "running"
        assert "rework" not in _keys(instance)
    assert _keys(instance) == ["sign_hub"]
    # The last to arrive carried round one's finance refusal in its copy: it must not win.
    instance = await _sign(client, instance, "hub", True)
    assert instance["state"] == "completed"
    assert instance["outcome"] == "accepted"


async def test_a_new_refusal_in_round_two_is_not_hidden_by_round_one_approvals(client):
    assert (await deploy(client, "jr", {"p.bpmn": joint_review()})).status_code == 201
    instance = await start(client, "jr", UNIT)
    for body in ("hub", "finance"):
        instance = await _sign(client, instance, body, True)
    instance = await _rework(client, await _sign(client, instance, "miit", False))
    instance = await _sign(client, instance, "hub", False)  # hub changes its mind
    instance = await _sign(client, instance, "finance", True)
    instance = await _sign(client, instance, "miit", True)
    assert _keys(instance) == ["rework"]
    instance = await _rework(client, instance)
    for body in BODIES:
        instance = await _sign(client, instance, body, True)
    assert instance["outcome"] == "accepted"
