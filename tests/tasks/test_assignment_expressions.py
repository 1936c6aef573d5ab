"""Assignment expressions as Camunda Modeler writes them: ``camunda:assignee``,
``camunda:candidateGroups`` and ``camunda:candidateUsers`` with ``${var}`` (a string or a
list), comma lists mixing literals and expressions; resolved when the task becomes ready,
stored on the task, enforced at completion; a resolution failure is a 422 naming the
element, with the instance unchanged."""

from tests.conftest import deploy
from tests.support.api import ADMIN, API, snapshot, start, token
from tests.support.loops import multi_instance, set_attributes
from tools.bpmn_builder import Field, ProcessBuilder

OPINION = [Field("opinion", "string", label="意见", required=True)]
UNIT = token("ua", "as", ("unit",))


def parallel_departments() -> bytes:
    """多部门并联: one slot per department, each for that department's members."""
    b = ProcessBuilder("joint", name="多部门并联审批", main=True,
                       lanes=[("unit", "建设单位"), ("depts", "审批部门")])
    b.start("start", "申报", lane="unit")
    b.user_task("dept_review", "部门审查", lane="depts", candidate_groups=["${dept}"],
                form=OPINION)
    b.end("end", "办结", lane="depts", outcome="done")
    b.flow("start", "dept_review")
    b.flow("dept_review", "end")
    return multi_instance(b.to_xml(), "dept_review", collection="depts", element="dept")


def two_steps(**attrs: str) -> bytes:
    """登记 (unit) -> 复核, whose assignment the test sets."""
    b = ProcessBuilder("check", name="复核", main=True, lanes=[("unit", "单位")])
    b.start("start", "开始")
    b.user_task("register", "登记", candidate_groups=["unit"])
    b.user_task("recheck", "复核", form=OPINION)
    b.end("end", "结束", outcome="done")
    b.flow("start", "register")
    b.flow("register", "recheck")
    b.flow("recheck", "end")
    return set_attributes(b.to_xml(), "recheck", **attrs)


async def _complete(client, task_id: str, headers: dict, variables: dict | None = None):
    return await client.post(f"{API}/tasks/{task_id}/complete", headers=headers,
                             json={"variables": variables or {"opinion": "同意"}})


async def test_each_department_completes_only_its_own_slot(client):
    assert (await deploy(client, "as", {"p.bpmn": parallel_departments()})).status_code == 201
    instance = await start(client, "as", UNIT,
                           variables={"depts": ["发改委", "财政局", "网信办"]})
    slots = {t["candidate_groups"][0]: t for t in instance["ready_tasks"]}
    assert sorted(slots) == sorted(["发改委", "财政局", "网信办"])
    assert all(len(t["candidate_groups"]) == 1 for t in instance["ready_tasks"])
    finance = token("cz", "as", ("财政局",))
    # The inbox of a department lists its slot only.
    inbox = (await client.get(f"{API}/tasks", params={"candidate_group": "财政局"},
                              headers=finance)).json()["items"]
    assert [t["id"] for t in inbox] == [slots["财政局"]["id"]]
    refused = await _complete(client, slots["发改委"]["id"], finance)
    assert refused.status_code == 403
    assert "发改委" in refused.json()["detail"]
    stranger = await _complete(client, slots["财政局"]["id"], token("x", "as", ("unit",)))
    assert stranger.status_code == 403
    for group, slot in slots.items():
        response = await _complete(client, slot["id"], token(f"u_{group}", "as", (group,)))
        assert response.status_code == 200, response.text
    assert response.json()["state"] == "completed"


async def test_candidate_groups_mixing_literals_and_a_list(client):
    await deploy(client, "as", {"p.bpmn": two_steps(candidateGroups="hub, ${extra}")})
    instance = await start(client, "as", UNIT, variables={"extra": ["finance", "hub"]})
    instance = (await _complete(client, instance["ready_tasks"][0]["id"], UNIT, {})).json()
    (task,) = instance["ready_tasks"]
    assert task["candidate_groups"] == ["hub", "finance"]
    assert (await _complete(client, task["id"], UNIT)).status_code == 403
    assert (await _complete(client, task["id"], token("f", "as", ("finance",)))
            ).status_code == 200


async def test_candidate_users_only_those_users(client):
    await deploy(client, "as", {"p.bpmn": two_steps(candidateUsers="${reviewer}, wang")})
    instance = await start(client, "as", UNIT, variables={"reviewer": "zhao"})
    instance = (await _complete(client, instance["ready_tasks"][0]["id"], UNIT, {})).json()
    (task,) = instance["ready_tasks"]
    assert task["candidate_users"] == ["zhao", "wang"]
    assert task["candidate_groups"] == []
    zhao = token("zhao", "as", ())
    mine = (await client.get(f"{API}/tasks", params={"candidate_user": "me"},
                             headers=zhao)).json()["items"]
    assert [t["id"] for t in mine] == [task["id"]]
    counted = await client.get(f"{API}/tasks/count", params={"candidate_user": "wang"},
                               headers=ADMIN)
    assert counted.json() == {"count": 1}
    # Anyone else in the tenant, an administrator included, is refused.
    for other in (UNIT, token("li", "as", ("hub",)), ADMIN):
        refused = await _complete(client, task["id"], other)
        assert refused.status_code == 403, refused.text
    claimed = await client.post(f"{API}/tasks/{task['id']}/claim", headers=zhao)
    assert claimed.json()["assignee"] == "zhao"
    assert (await _complete(client, task["id"], token("wang", "as", ()))).status_code == 403
    assert (await _complete(client, task["id"], zhao)).status_code == 200


async def test_an_assignee_expression_names_the_assignee(client):
    await deploy(client, "as", {"p.bpmn": two_steps(assignee="${owner}",
                                                     candidateGroups="hub")})
    instance = await start(client, "as", UNIT, variables={"owner": "qian"})
    instance = (await _complete(client, instance["ready_tasks"][0]["id"], UNIT, {})).json()
    (task,) = instance["ready_tasks"]
    assert task["assignee"] == "qian"
    assert (await _complete(client, task["id"], token("h", "as", ("hub",)))).status_code == 403
    # The assignee may complete it, though not in the candidate group.
    assert (await _complete(client, task["id"], token("qian", "as", ()))).status_code == 200


async def test_a_missing_or_wrong_variable_fails_the_step_naming_the_element(client):
    await deploy(client, "as", {"p.bpmn": two_steps(candidateGroups="${dept}")})
    for variables, problem in (({}, "NameError"), ({"dept": 3}, "a int"),
                               ({"dept": ["hub", None]}, "nothing")):
        instance = await start(client, "as", UNIT, variables=variables)
        before = await snapshot(client, instance["id"])
        response = await _complete(client, instance["ready_tasks"][0]["id"], UNIT, {})
        assert response.status_code == 422, response.text
        body = response.json()
        assert "recheck" in body["detail"], body
        assert "camunda:candidateGroups" in body["detail"], body
        assert problem in body["detail"], body
        assert await snapshot(client, instance["id"]) == before


async def test_assignment_expressions_are_checked_at_upload(client):
    response = await deploy(client, "as", {"p.bpmn": two_steps(
        candidateUsers="wang, ${__import__('os')}")})
    assert response.status_code == 422
    assert response.json()["errors"][0]["element"] == "recheck"
