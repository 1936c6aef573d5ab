"""Separation of duties (issue 11) under attack through the REST API: a user who decided
for one body has another body's task transferred, delegated or sent back, or is added as a
signer. Each test is an attack that must be refused, and says how."""


import asyncio

from tests.conftest import ADMIN, deploy
from tests.support.api import API, history, snapshot, start, token
from tests.support.loops import multi_instance
from tools.bpmn_builder import Field, ProcessBuilder

UNIT = token("ru", "rt", ("unit",))
PERMIT = token("rp", "rt", ("permit",))
BOTH = token("rb", "rt", ("reviewer", "permit"))  # a member of two bodies


async def _complete(client, task_id: str, headers: dict, variables: dict | None = None):
    return await client.post(f"{API}/tasks/{task_id}/complete", headers=headers,
                             json={"variables": variables or {}})


async def _post(client, path: str, headers: dict, body: dict | None = None):
    return await client.post(f"{API}{path}", headers=headers, json=body)


# -- separation of duties: handing a task over does not make another body's user able ------

def bodies() -> bytes:
    """验收 (reviewer) -> 批复 (permit), one user per body (separationOfDuties)."""
    b = ProcessBuilder("rt", name="验收", main=True, lanes=[("unit", "建设单位")],
                       properties={"separationOfDuties": "true"})
    b.start("start", "开始")
    b.user_task("accept", "验收", candidate_groups=["reviewer"],
                form=[Field("approved", "boolean", label="通过", required=True)])
    b.user_task("permit", "批复", candidate_groups=["permit"],
                form=[Field("approved", "boolean", label="批准", required=True),
                      Field("opinion", "string", label="意见")])
    b.end("end", "结束")
    b.flow("start", "accept")
    b.flow("accept", "permit")
    b.flow("permit", "end")
    return b.to_xml()


async def _decided_by_both(client) -> dict:
    assert (await deploy(client, "rt", {"p.bpmn": bodies()})).status_code == 201
    instance = await start(client, "rt", UNIT)
    done = await _complete(client, instance["ready_tasks"][0]["id"], BOTH, {"approved": True})
    assert done.status_code == 200, done.text
    (permit,) = done.json()["ready_tasks"]
    return permit


async def test_a_task_is_not_delegated_to_whoever_decided_another_body(client):
    permit = await _decided_by_both(client)
    assert (await _post(client, f"/tasks/{permit['id']}/claim", PERMIT)).status_code == 200
    refused = await _post(client, f"/tasks/{permit['id']}/delegate", PERMIT,
                          {"to": "rb", "reason": "你来拟意见"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "task.separation_of_duties"
    task = (await client.get(f"{API}/tasks/{permit['id']}", headers=PERMIT)).json()
    assert (task["assignee"], task["delegation_state"]) == ("rp", None)


async def test_a_task_is_not_transferred_to_whoever_decided_another_body(client):
    permit = await _decided_by_both(client)
    for who in (PERMIT, ADMIN):  # a candidate of the unclaimed task; the tenant's admin
        refused = await _post(client, f"/tasks/{permit['id']}/transfer", who, {"to": "rb"})
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "task.separation_of_duties"
    task = (await client.get(f"{API}/tasks/{permit['id']}", headers=PERMIT)).json()
    assert task["assignee"] is None
    # Nor can they take it themselves, complete it, or upload to it.
    for attempt in (_post(client, f"/tasks/{permit['id']}/claim", BOTH),
                    _complete(client, permit["id"], BOTH, {"approved": True})):
        assert (await attempt).json()["code"] == "task.separation_of_duties"


async def test_whoever_decided_one_body_cannot_send_the_next_bodys_task_back(client):
    """退回 is the permit body's decision: the reviewer who is also in the permit group
    cannot return 批复 to 验收 (and then decide 验收 again)."""
    permit = await _decided_by_both(client)
    before = await snapshot(client, permit["process_instance_id"])
    refused = await _post(client, f"/tasks/{permit['id']}/return", BOTH,
                          {"to_key": "accept", "reason": "重审"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "task.separation_of_duties"
    assert await snapshot(client, permit["process_instance_id"]) == before
    returned = await _post(client, f"/tasks/{permit['id']}/return", PERMIT,
                           {"to_key": "accept", "reason": "重审"})
    assert returned.status_code == 200, returned.text


def parallel_bodies() -> bytes:
    """验收 (reviewer) and 批复 (permit) side by side, one user per body."""
    b = ProcessBuilder("rt", name="并联", main=True, lanes=[("unit", "建设单位")],
                       properties={"separationOfDuties": "true"})
    b.start("start", "开始")
    b.parallel_gateway("fork")
    b.user_task("accept", "验收", candidate_groups=["reviewer"],
                form=[Field("approved", "boolean", label="通过", required=True)])
    b.user_task("permit", "批复", candidate_groups=["permit"],
                form=[Field("opinion", "string", label="意见")])
    b.parallel_gateway("join")
    b.end("end", "结束")
    for s, t in (("start", "fork"), ("fork", "accept"), ("fork", "permit"),
                 ("accept", "join"), ("permit", "join"), ("join", "end")):
        b.flow(s, t)
    return b.to_xml()


async def test_deciding_both_bodies_at_the_same_moment_decides_one(client):
    assert (await deploy(client, "rt", {"p.bpmn": parallel_bodies()})).status_code == 201
    instance = await start(client, "rt", UNIT)
    by_key = {t["key"]: t["id"] for t in instance["ready_tasks"]}
    answers = await asyncio.gather(
        _complete(client, by_key["accept"], BOTH, {"approved": True}),
        _complete(client, by_key["permit"], BOTH, {"opinion": "同意"}))
    assert sorted(a.status_code for a in answers).count(200) == 1, [a.text for a in answers]
    completed = [e for e in await history(client, instance["id"])
                 if e["event"] == "task_completed"]
    assert len(completed) == 1


async def test_a_delegate_who_decided_another_body_cannot_resolve_with_an_opinion(client):
    """A delegation made before the delegate decided the other body: the resolve, which
    writes the delegate's values into the task, is refused once they have."""
    assert (await deploy(client, "rt", {"p.bpmn": parallel_bodies()})).status_code == 201
    instance = await start(client, "rt", UNIT)
    by_key = {t["key"]: t for t in instance["ready_tasks"]}
    permit = by_key["permit"]["id"]
    assert (await _post(client, f"/tasks/{permit}/claim", PERMIT)).status_code == 200
    assert (await _post(client, f"/tasks/{permit}/delegate", PERMIT,
                        {"to": "rb"})).status_code == 200
    assert (await _complete(client, by_key["accept"]["id"], BOTH,
                            {"approved": True})).status_code == 200
    refused = await _post(client, f"/tasks/{permit}/resolve", BOTH,
                          {"variables": {"opinion": "同意"}})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "task.separation_of_duties"


async def test_an_added_signer_who_declared_the_project_cannot_sign_for_the_experts(client):
    b = ProcessBuilder("rt", name="会签", main=True, lanes=[("unit", "建设单位")],
                       properties={"separationOfDuties": "true"})
    b.start("start", "开始")
    b.user_task("declare", "申报", candidate_groups=["unit"],
                form=[Field("amount", "long", label="金额", required=True)])
    b.user_task("sign", "专家会签", candidate_groups=["experts"], assignee="${expert}",
                form=[Field("vote", "string", label="表决", required=True)])
    b.end("end", "结束")
    b.flow("start", "declare")
    b.flow("declare", "sign")
    b.flow("sign", "end")
    xml = multi_instance(b.to_xml(), "sign", collection="experts", element="expert")
    assert (await deploy(client, "rt", {"p.bpmn": xml})).status_code == 201
    instance = await start(client, "rt", UNIT, variables={"experts": ["zhang"]})
    declared = await _complete(client, instance["ready_tasks"][0]["id"], UNIT, {"amount": 1})
    (slot,) = declared.json()["ready_tasks"]
    zhang = token("zhang", "rt", ("experts",))
    added = await _post(client, f"/tasks/{slot['id']}/add-signers", zhang, {"users": ["ru"]})
    if added.status_code == 200:  # the signer was added; their slot is still another body's
        (theirs,) = [t for t in added.json()["ready_tasks"] if t["assignee"] == "ru"]
        refused = await _complete(client, theirs["id"], UNIT, {"vote": "同意"})
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "task.separation_of_duties"
    else:
        assert added.json()["code"] == "task.separation_of_duties"


