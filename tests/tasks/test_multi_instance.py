"""会签 and 多部门并联: multi-instance user tasks as Camunda Modeler 5 (Camunda 7) writes them,
walked over REST: a slot per item with its own assignee or candidates, the element's form
enforced on every slot, each slot's submission collected in slot order for a gateway, the
completion condition cancelling what is left, sequential slots, loopCardinality, and the
standard BPMN loopDataInputRef / inputDataItem / outputDataItem form."""


import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, snapshot, start, token
from tests.support.loops import multi_instance
from tools.bpmn_builder import Field, ProcessBuilder
from tools.dmn_builder import DecisionTable, Input, Output, dmn_document

VOTE = [Field("vote", "enum", label="表决", required=True,
              values={"approve": "同意", "reject": "不同意"}),
        Field("opinion", "string", label="意见", required=True, minlength=1)]
UNIT = token("ua", "mi", ("unit",))
EXPERTS = ["zhang", "li", "wang"]


def expert(name: str) -> dict:
    return token(name, "mi", ("experts",))


def countersign(**loop) -> bytes:
    """申报 -> 专家会签 (one slot per expert) -> 2 approvals or more: 通过, else 不通过."""
    b = ProcessBuilder("countersign", name="专家会签", main=True,
                       lanes=[("unit", "建设单位"), ("experts", "评审专家")])
    b.start("start", "申报", lane="unit")
    b.user_task("sign", "专家会签", lane="experts", form=VOTE, clause="第八条 专家会签",
                **({"assignee": "${expert}"} if loop.get("collection") or loop.get(
                    "input_item") else {"candidate_groups": ["experts"]}))
    b.exclusive_gateway("gw", "过半同意?", lane="experts", default="Flow_gw_rejected")
    b.end("passed", "通过", lane="experts", outcome="passed")
    b.end("rejected", "不通过", lane="experts", outcome="rejected")
    b.flow("start", "sign")
    b.flow("sign", "gw")
    votes = loop.pop("votes", "[r['vote'] for r in sign_results if r]")
    b.flow("gw", "passed", name="≥2 同意", condition=f"{votes}.count('approve') >= 2")
    b.flow("gw", "rejected", id="Flow_gw_rejected", name="否则")
    return multi_instance(b.to_xml(), "sign", **loop)


async def _complete(client, task: dict, variables: dict, headers: dict):
    return await client.post(f"{API}/tasks/{task['id']}/complete",
                             json={"variables": variables}, headers=headers)


async def _walk(client, instance: dict, votes: dict[str, str]) -> dict:
    for slot in sorted(instance["ready_tasks"], key=lambda t: t["slot"]):
        name = slot["assignee"]
        response = await _complete(client, slot, {"vote": votes[name],
                                                   "opinion": f"{name}的意见"}, expert(name))
        assert response.status_code == 200, response.text
        instance = response.json()
    return instance


async def test_parallel_countersign_slot_per_expert_form_enforced_votes_collected(client):
    assert (await deploy(client, "mi", {"p.bpmn": countersign(
        collection="experts", element="expert")})).status_code == 201
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    slots = instance["ready_tasks"]
    assert sorted((t["slot"], t["assignee"]) for t in slots) == [
        (0, "zhang"), (1, "li"), (2, "wang")]
    assert {t["key"] for t in slots} == {"sign"}
    by_name = {t["assignee"]: t for t in slots}
    # The element's form on every slot: a required field missing is refused.
    detail = (await client.get(f"{API}/tasks/{by_name['li']['id']}", headers=expert("li"))
              ).json()
    assert detail["form"]["required"] == ["vote", "opinion"]
    refused = await _complete(client, by_name["li"], {"vote": "approve"}, expert("li"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"].endswith("opinion")
    # Another expert may not complete li's slot.
    other = await _complete(client, by_name["li"], {"vote": "approve", "opinion": "x"},
                            expert("zhang"))
    assert other.status_code == 403
    instance = await _walk(client, instance, {"zhang": "approve", "li": "reject",
                                              "wang": "approve"})
    assert instance["state"] == "completed"
    assert instance["outcome"] == "passed"
    assert instance["variables"]["sign_results"] == [
        {"vote": "approve", "opinion": "zhang的意见"},
        {"vote": "reject", "opinion": "li的意见"},
        {"vote": "approve", "opinion": "wang的意见"}]
    # Slots never merge over the process's variables.
    assert "vote" not in instance["variables"]
    assert "expert" not in instance["variables"]
    done = (await client.get(f"{API}/tasks", params={"process_instance_id": instance["id"]},
                             headers=ADMIN)).json()["items"]
    assert sorted((t["slot"], t["completed_by"]) for t in done) == [
        (0, "zhang"), (1, "li"), (2, "wang")]
    detail = (await client.get(f"{API}/tasks/{by_name['li']['id']}", headers=ADMIN)).json()
    assert detail["data"] == {"vote": "reject", "opinion": "li的意见"}


async def test_two_rejections_reject(client):
    await deploy(client, "mi", {"p.bpmn": countersign(collection="${experts}",
                                                       element="expert")})
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    instance = await _walk(client, instance, {"zhang": "reject", "li": "reject",
                                              "wang": "approve"})
    assert instance["outcome"] == "rejected"


async def test_completion_condition_cancels_the_remaining_slot(client):
    await deploy(client, "mi", {"p.bpmn": countersign(
        collection="experts", element="expert",
        condition="${[r['vote'] for r in sign_results if r].count('approve') >= 2 "
                  "or nrOfCompletedInstances == nrOfInstances}")})
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    slots = {t["assignee"]: t for t in instance["ready_tasks"]}
    for name in ("wang", "zhang"):
        response = await _complete(client, slots[name], {"vote": "approve", "opinion": "好"},
                                   expert(name))
        assert response.status_code == 200, response.text
    instance = response.json()
    assert instance["state"] == "completed"
    assert instance["outcome"] == "passed"
    assert instance["variables"]["sign_results"] == [
        {"vote": "approve", "opinion": "好"}, None, {"vote": "approve", "opinion": "好"}]
    li = (await client.get(f"{API}/tasks/{slots['li']['id']}", headers=ADMIN)).json()
    assert li["state"] == "cancelled"
    inbox = (await client.get(f"{API}/tasks", params={"state": "ready"},
                              headers=expert("li"))).json()["items"]
    assert inbox == []
    events = await history(client, instance["id"])
    cancelled = [e for e in events if e["event"] == "task_cancelled"]
    assert [(e["task_id"], e["data"]["reason"]) for e in cancelled] == [
        (slots["li"]["id"], "completionCondition")]
    late = await _complete(client, slots["li"], {"vote": "reject", "opinion": "迟"},
                           expert("li"))
    assert late.status_code == 409


async def test_counters_in_the_completion_condition(client):
    await deploy(client, "mi", {"p.bpmn": countersign(
        collection="experts", element="expert",
        condition="${nrOfCompletedInstances >= 1 and nrOfActiveInstances == 2 "
                  "and nrOfInstances == 3}")})
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    first = instance["ready_tasks"][0]
    response = await _complete(client, first, {"vote": "reject", "opinion": "否"},
                               expert(first["assignee"]))
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "rejected"


async def test_sequential_slots_one_after_another(client):
    await deploy(client, "mi", {"p.bpmn": countersign(collection="experts",
                                                       element="expert", sequential=True)})
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    seen = []
    while instance["state"] == "running":
        (slot,) = instance["ready_tasks"]
        seen.append((slot["slot"], slot["assignee"]))
        response = await _complete(client, slot, {"vote": "approve", "opinion": "可"},
                                   expert(slot["assignee"]))
        assert response.status_code == 200, response.text
        instance = response.json()
    assert seen == [(0, "zhang"), (1, "li"), (2, "wang")]
    assert instance["outcome"] == "passed"
    assert len(instance["variables"]["sign_results"]) == 3


async def test_loop_cardinality_any_expert_each_slot(client):
    await deploy(client, "mi", {"p.bpmn": countersign(cardinality="${reviewers}")})
    instance = await start(client, "mi", UNIT, variables={"reviewers": 2})
    slots = instance["ready_tasks"]
    assert sorted(t["slot"] for t in slots) == [0, 1]
    assert all(t["candidate_groups"] == ["experts"] and t["assignee"] is None for t in slots)
    stranger = await _complete(client, slots[0], {"vote": "approve", "opinion": "x"},
                               token("x", "mi", ("unit",)))
    assert stranger.status_code == 403
    for slot, who in zip(slots, ("zhang", "li"), strict=True):
        response = await _complete(client, slot, {"vote": "approve", "opinion": who},
                                   expert(who))
        assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "passed"


async def test_standard_bpmn_input_and_output_data_items(client):
    # The output item is the vote itself: the gateway counts the list of votes.
    xml = countersign(data_input="experts", input_item="expert", data_output="votes",
                      output_item="vote", votes="votes")
    assert (await deploy(client, "mi2", {"p.bpmn": xml})).status_code == 201
    instance = await start(client, "mi2", token("ua", "mi2", ("unit",)),
                           variables={"experts": EXPERTS})
    assert sorted(t["assignee"] for t in instance["ready_tasks"]) == sorted(EXPERTS)
    for slot in instance["ready_tasks"]:
        who = slot["assignee"]
        response = await client.post(
            f"{API}/tasks/{slot['id']}/complete", headers=token(who, "mi2", ("experts",)),
            json={"variables": {"vote": "reject" if who == "li" else "approve",
                                "opinion": "见附件"}})
        assert response.status_code == 200, response.text
    instance = response.json()
    assert instance["variables"]["votes"] == ["approve", "reject", "approve"]
    assert instance["outcome"] == "passed"


@pytest.mark.parametrize(("variables", "message"), [
    ({}, "experts"), ({"experts": "zhang"}, "not a list"),
    ({"experts": [f"e{i}" for i in range(501)]}, "at most 500"),
    ({"experts": ["zhang", 7]}, "camunda:assignee")])
async def test_a_bad_collection_or_element_fails_the_start_naming_the_element(
        client, variables, message):
    await deploy(client, "mi", {"p.bpmn": countersign(collection="experts",
                                                       element="expert")})
    response = await client.post(f"{API}/tenants/mi/process-instances", headers=UNIT,
                                 json={"variables": variables})
    assert response.status_code == 422, response.text
    assert "sign" in response.text
    assert message in response.text
    listed = (await client.get(f"{API}/process-instances", headers=ADMIN)).json()["items"]
    assert listed == []


async def test_a_failing_completion_condition_is_refused_and_changes_nothing(client):
    await deploy(client, "mi", {"p.bpmn": countersign(
        collection="experts", element="expert", condition="${nrOfCompleted >= 2}")})
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    before = await snapshot(client, instance["id"])
    slot = instance["ready_tasks"][0]
    response = await _complete(client, slot, {"vote": "approve", "opinion": "可"},
                               expert(slot["assignee"]))
    assert response.status_code == 422
    assert "sign" in response.json()["detail"]
    assert "nrOfCompleted" in response.json()["detail"]
    assert await snapshot(client, instance["id"]) == before


def countersign_with_decision() -> tuple[bytes, bytes]:
    """会签, then a DMN table reads the collected votes."""
    b = ProcessBuilder("cs_dmn", name="会签后决策", main=True, lanes=[("experts", "评审专家")])
    b.start("start", "申报")
    b.user_task("sign", "专家会签", assignee="${expert}", form=VOTE)
    b.business_rule_task("decide", "会签结论", decision="countersign_result")
    b.end("end", "办结")
    b.flow("start", "sign")
    b.flow("sign", "decide")
    b.flow("decide", "end")
    table = DecisionTable("countersign_result", "会签结论", [Input(
        "同意票数", "[r['vote'] for r in sign_results if r].count('approve')", "integer")],
        [Output("conclusion", "结论")])
    table.rule([">= 2"], ['"passed"'], "过半同意")
    table.rule(["< 2"], ['"rejected"'], "未过半")
    return (multi_instance(b.to_xml(), "sign", collection="experts", element="expert"),
            dmn_document("countersign_definitions", "会签结论", [table]))


async def test_a_decision_table_reads_the_collected_votes(client):
    bpmn, dmn = countersign_with_decision()
    assert (await deploy(client, "mi", {"p.bpmn": bpmn, "d.dmn": dmn})).status_code == 201
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    instance = await _walk(client, instance, {"zhang": "reject", "li": "approve",
                                              "wang": "reject"})
    assert instance["state"] == "completed"
    assert instance["variables"]["conclusion"] == "rejected"


async def test_a_deadline_on_the_countersign_cancels_every_slot(client, ctx):
    b = ProcessBuilder("cs_due", name="限期会签", main=True, lanes=[("experts", "评审专家")])
    b.start("start", "申报")
    b.user_task("sign", "专家会签", assignee="${expert}", form=VOTE)
    b.boundary_timer("late", "超期", attached_to="sign", duration="5WD")
    b.end("end", "办结", outcome="done")
    b.end("expired", "超期办结", outcome="expired")
    b.flow("start", "sign")
    b.flow("sign", "end")
    b.flow("late", "expired")
    xml = multi_instance(b.to_xml(), "sign", collection="experts", element="expert")
    assert (await deploy(client, "mi", {"p.bpmn": xml})).status_code == 201
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    first = instance["ready_tasks"][0]
    assert (await _complete(client, first, {"vote": "approve", "opinion": "可"},
                            expert(first["assignee"]))).status_code == 200
    ctx.clock.advance(days=30)
    assert await Worker(ctx, "w").fire_due() == 1
    got = (await client.get(f"{API}/process-instances/{instance['id']}", headers=ADMIN)).json()
    assert got["outcome"] == "expired"
    states = sorted(t["state"] for t in (await client.get(
        f"{API}/tasks", params={"process_instance_id": instance["id"]},
        headers=ADMIN)).json()["items"])
    assert states == ["cancelled", "cancelled", "completed"]
    # Not closed by a completion condition: no task_cancelled events.
    assert not [e for e in await history(client, instance["id"])
                if e["event"] == "task_cancelled"]
