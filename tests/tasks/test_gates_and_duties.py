"""Gates (a regulation's 方可/不得/须 on a completion) and separation of duties (one user
may not decide for two bodies of the same project), as process owners write them in Camunda
Modeler's Extensions tab: a ``gate: <clause>`` property on a task, a ``separationOfDuties``
property on the process."""

from tests.conftest import deploy
from tests.support.api import API, snapshot, start, token
from tools.bpmn_builder import Field, ProcessBuilder

CLAUSE = "招远 第十八条 通过安全风险评估后方可验收"
UNIT = token("unit1", "gd", ("unit",))
REVIEWER = token("rev1", "gd", ("reviewer",))
BOTH = token("both1", "gd", ("reviewer", "permit"))  # a member of two bodies
PERMIT = token("per1", "gd", ("permit",))


def acceptance(duties: bool = False) -> bytes:
    """申报 (unit) -> 验收 (reviewer; gated on the security assessment and an amount bound)
    -> 批复 (permit)."""
    b = ProcessBuilder("gd", name="验收", main=True, lanes=[("unit", "建设单位")],
                       properties={"separationOfDuties": "true"} if duties else None)
    b.start("start", "开始")
    b.user_task("declare", "申报", candidate_groups=["unit"],
                form=[Field("amount", "long", label="金额", required=True)])
    b.user_task("accept", "验收", candidate_groups=["reviewer"],
                form=[Field("security_assessment_passed", "boolean", label="安全评估通过"),
                      Field("opinion", "string", label="意见")],
                properties={f"gate: {CLAUSE}": "${security_assessment_passed}",
                            "gate: 不得超过批复金额": "amount <= 500"})
    b.user_task("permit", "批复", candidate_groups=["permit"])
    b.end("end", "结束", outcome="accepted")
    b.flow("start", "declare")
    b.flow("declare", "accept")
    b.flow("accept", "permit")
    b.flow("permit", "end")
    return b.to_xml()


async def _complete(client, task_id: str, headers: dict, variables: dict | None = None):
    return await client.post(f"{API}/tasks/{task_id}/complete", headers=headers,
                             json={"variables": variables or {}})


async def _at_accept(client, amount: int = 300, duties: bool = False) -> dict:
    assert (await deploy(client, "gd", {"p.bpmn": acceptance(duties)})).status_code == 201
    instance = await start(client, "gd", UNIT)
    declared = await _complete(client, instance["ready_tasks"][0]["id"], UNIT,
                               {"amount": amount})
    assert declared.status_code == 200, declared.text
    return declared.json()


async def test_a_failed_gate_refuses_the_completion_naming_the_clause(client):
    instance = await _at_accept(client)
    (task,) = instance["ready_tasks"]
    before = await snapshot(client, instance["id"])
    refused = await _complete(client, task["id"], REVIEWER,
                              {"security_assessment_passed": False, "opinion": "同意"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "task.gate_failed"
    assert CLAUSE in body["detail"]
    # Nothing moved: the task is still ready, no history was written.
    assert await snapshot(client, instance["id"]) == before
    zh = await client.post(f"{API}/tasks/{task['id']}/complete", headers={
        **REVIEWER, "Accept-Language": "zh-CN"}, json={"variables": {}})
    assert zh.status_code == 422
    assert CLAUSE in zh.json()["detail"]
    passed = await _complete(client, task["id"], REVIEWER,
                             {"security_assessment_passed": True, "opinion": "同意"})
    assert passed.status_code == 200, passed.text
    assert [t["key"] for t in passed.json()["ready_tasks"]] == ["permit"]


async def test_a_gate_reads_process_data_at_its_boundary(client):
    over = await _at_accept(client, amount=501)
    refused = await _complete(client, over["ready_tasks"][0]["id"], REVIEWER,
                              {"security_assessment_passed": True})
    assert refused.status_code == 422
    assert [e["clause"] for e in refused.json()["errors"]] == ["不得超过批复金额"]
    at = await start(client, "gd", UNIT)
    at = (await _complete(client, at["ready_tasks"][0]["id"], UNIT, {"amount": 500})).json()
    assert (await _complete(client, at["ready_tasks"][0]["id"], REVIEWER,
                            {"security_assessment_passed": True})).status_code == 200


async def test_the_task_lists_its_gates(client):
    instance = await _at_accept(client)
    detail = (await client.get(f"{API}/tasks/{instance['ready_tasks'][0]['id']}",
                               headers=REVIEWER)).json()
    assert detail["gates"] == [
        {"clause": CLAUSE, "expression": "${security_assessment_passed}"},
        {"clause": "不得超过批复金额", "expression": "amount <= 500"}]


async def test_a_gate_without_clause_or_with_a_refused_expression_is_refused_at_upload(client):
    bare = acceptance().replace(f'name="gate: {CLAUSE}"'.encode(), b'name="gate:"')
    response = await deploy(client, "gd", {"p.bpmn": bare})
    assert response.status_code == 422
    assert "gate" in response.text
    escape = acceptance().replace(b'value="amount &lt;= 500"',
                                  b'value="().__class__.__bases__"')
    response = await deploy(client, "gd", {"p.bpmn": escape})
    assert response.status_code == 422, response.text


async def test_one_user_may_not_decide_for_two_bodies(client):
    instance = await _at_accept(client, duties=True)
    accepted = await _complete(client, instance["ready_tasks"][0]["id"], BOTH,
                               {"security_assessment_passed": True})
    assert accepted.status_code == 200
    (permit,) = accepted.json()["ready_tasks"]
    for attempt in (
            client.post(f"{API}/tasks/{permit['id']}/claim", headers=BOTH),
            _complete(client, permit["id"], BOTH)):
        refused = await attempt
        assert refused.status_code == 403
        assert refused.json()["code"] == "task.separation_of_duties"
        assert "验收" in refused.json()["detail"]
    assert (await _complete(client, permit["id"], PERMIT)).status_code == 200


async def test_without_the_property_one_user_may_decide_both(client):
    instance = await _at_accept(client, duties=False)
    accepted = await _complete(client, instance["ready_tasks"][0]["id"], BOTH,
                               {"security_assessment_passed": True})
    (permit,) = accepted.json()["ready_tasks"]
    assert (await _complete(client, permit["id"], BOTH)).status_code == 200


async def test_the_declaring_unit_may_not_review_its_own_project(client):
    both = token("ub", "gd", ("unit", "reviewer"))
    assert (await deploy(client, "gd", {"p.bpmn": acceptance(True)})).status_code == 201
    instance = await start(client, "gd", both)
    declared = (await _complete(client, instance["ready_tasks"][0]["id"], both,
                                {"amount": 1})).json()
    refused = await _complete(client, declared["ready_tasks"][0]["id"], both,
                              {"security_assessment_passed": True})
    assert refused.status_code == 403
    assert "申报" in refused.json()["detail"]
