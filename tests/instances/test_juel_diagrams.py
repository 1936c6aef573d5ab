"""Diagrams as a Camunda 7 user writes them, with JUEL expressions: gateway conditions
``${approved == true}``, ``${!approved}``, ``${amount > 1000 && urgent}``, ``${x eq 'yes'}``,
``${empty comments}``, an assignee ``${initiator}`` and a multi-instance completion
condition ``${nrOfCompletedInstances/nrOfInstances >= 0.6}``, walked through the API; a
bad JUEL expression is refused at upload naming file, line, element and expression."""

from typing import Any

import pytest

from tests.conftest import deploy
from tests.support.api import API, ready, start, token
from tests.support.loops import multi_instance, set_attributes
from tools.bpmn_builder import Field, ProcessBuilder

UNIT = token("ua", "ju", ("unit",))
HUB = token("ha", "ju", ("hub",))
FORM = [Field("approved", "boolean", label="同意"), Field("amount", "number", label="金额"),
        Field("urgent", "boolean", label="加急"), Field("x", "string", label="选项"),
        Field("comments", "string", label="意见")]


def routed() -> bytes:
    """登记 -> 审核 (hub), then JUEL gateways pick the way; 复核 goes to ${initiator}."""
    b = ProcessBuilder("juel_routes", name="JUEL 条件", main=True,
                       lanes=[("unit", "建设单位"), ("hub", "大数据中心")])
    b.start("start", "申报", lane="unit")
    b.user_task("check", "审核", lane="hub", candidate_groups=["hub"], form=FORM)
    b.exclusive_gateway("gw_ok", "同意?", lane="hub")
    b.exclusive_gateway("gw_size", "大额加急?", lane="hub", default="Flow_gw_size_gw_x")
    b.exclusive_gateway("gw_x", "选项?", lane="hub")
    b.exclusive_gateway("gw_comments", "有意见?", lane="hub")
    b.user_task("recheck", "复核", lane="unit", assignee="${initiator}")
    b.end("rejected", "不同意", lane="hub", outcome="rejected")
    b.end("fast", "快速通道", lane="hub", outcome="fast")
    b.end("other", "其他", lane="hub", outcome="other")
    b.end("plain", "通过", lane="hub", outcome="plain")
    b.end("reviewed", "复核通过", lane="unit", outcome="reviewed")
    b.flow("start", "check")
    b.flow("check", "gw_ok")
    b.flow("gw_ok", "rejected", condition="${!approved}")
    b.flow("gw_ok", "gw_size", condition="${approved == true}")
    b.flow("gw_size", "fast", condition="${amount > 1000 && urgent}")
    b.flow("gw_size", "gw_x")
    b.flow("gw_x", "gw_comments", condition="${x eq 'yes'}")
    b.flow("gw_x", "other", condition="${x ne 'yes'}")
    b.flow("gw_comments", "plain", condition="${empty comments}")
    b.flow("gw_comments", "recheck", condition="${not empty comments}")
    b.flow("recheck", "reviewed")
    return b.to_xml()


async def _complete(client, task: dict, variables: dict, headers: dict):
    return await client.post(f"{API}/tasks/{task['id']}/complete", headers=headers,
                             json={"variables": variables})


@pytest.mark.parametrize(("variables", "outcome"), [
    ({"approved": False}, "rejected"),
    ({"approved": True, "amount": 5000, "urgent": True}, "fast"),
    ({"approved": True, "amount": 5000, "urgent": False, "x": "no"}, "other"),
    ({"approved": True, "amount": 10, "urgent": True, "x": "yes", "comments": ""}, "plain"),
])
async def test_juel_gateways_route_as_camunda_would(client, variables: dict[str, Any],
                                                    outcome: str) -> None:
    assert (await deploy(client, "ju", {"routes.bpmn": routed()})).status_code == 201
    instance = await start(client, "ju", UNIT, variables={"initiator": "ua"})
    response = await _complete(client, ready(instance, "check"),
                               {"amount": 0, "urgent": False, "x": "", "comments": ""}
                               | variables, HUB)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "completed"
    assert response.json()["outcome"] == outcome


async def test_comments_send_it_back_to_the_initiator(client) -> None:
    assert (await deploy(client, "ju", {"routes.bpmn": routed()})).status_code == 201
    instance = await start(client, "ju", UNIT, variables={"initiator": "ua"})
    instance = (await _complete(client, ready(instance, "check"), {
        "approved": True, "amount": 1, "urgent": False, "x": "yes", "comments": "补材料"},
        HUB)).json()
    task = ready(instance, "recheck")
    assert task["assignee"] == "ua"
    other = await _complete(client, task, {}, token("ub", "ju", ("unit",)))
    assert other.status_code == 403
    done = await _complete(client, task, {}, UNIT)
    assert done.status_code == 200, done.text
    assert done.json()["outcome"] == "reviewed"


async def test_a_juel_condition_on_missing_data_fails_the_step(client) -> None:
    assert (await deploy(client, "ju", {"routes.bpmn": routed()})).status_code == 201
    instance = await start(client, "ju", UNIT, variables={"initiator": "ua"})
    response = await _complete(client, ready(instance, "check"), {"approved": True}, HUB)
    assert response.status_code == 422, response.text
    assert "amount" in response.json()["detail"]
    again = (await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)).json()
    assert [t["key"] for t in again["ready_tasks"]] == ["check"]


def voting() -> bytes:
    """五位专家会签: done once 60% of the slots are completed."""
    b = ProcessBuilder("juel_vote", name="会签", main=True, lanes=[("experts", "专家")])
    b.start("start", "开始")
    b.user_task("sign", "会签", form=[Field("opinion", "string", label="意见")])
    b.end("end", "结束", outcome="signed")
    b.flow("start", "sign")
    b.flow("sign", "end")
    xml = multi_instance(b.to_xml(), "sign", collection="${experts}", element="expert",
                         condition="${nrOfCompletedInstances/nrOfInstances >= 0.6}")
    return set_attributes(xml, "sign", assignee="${expert}")


async def test_completion_condition_in_juel_closes_the_countersign_at_60_percent(client):
    assert (await deploy(client, "ju", {"vote.bpmn": voting()})).status_code == 201
    experts = ["e1", "e2", "e3", "e4", "e5"]
    instance = await start(client, "ju", UNIT, variables={"experts": experts})
    slots = {t["assignee"]: t for t in instance["ready_tasks"]}
    assert sorted(slots) == experts
    for done, name in enumerate(experts[:3], start=1):
        response = await _complete(client, slots[name], {"opinion": "同意"},
                                   token(name, "ju", ()))
        assert response.status_code == 200, response.text
        if done < 3:  # 1/5 and 2/5 are below 0.6
            assert response.json()["state"] == "running"
            assert len(response.json()["ready_tasks"]) == 5 - done
    assert response.json()["state"] == "completed"
    assert response.json()["outcome"] == "signed"


@pytest.mark.parametrize(("condition", "message"), [
    ("${amount > 1000 &&}", "expected a value, found the end at column 17"),
    ("${x eq}", "expected a value, found the end at column 5"),
    ("${execution.processBusinessKey == 'x'}", "execution.processBusinessKey"),
    ("${not a == b}", "add parentheses"),
])
async def test_bad_juel_is_refused_at_upload_naming_where(client, condition: str,
                                                          message: str) -> None:
    xml = routed().replace(b"${amount &gt; 1000 &amp;&amp; urgent}",
                           condition.replace("&", "&amp;").replace(">", "&gt;").encode())
    response = await deploy(client, "ju", {"routes.bpmn": xml})
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["loc"] == "routes.bpmn"
    assert error["element"] == "Flow_gw_size_fast"
    assert isinstance(error["line"], int)
    assert xml.decode().splitlines()[error["line"] - 1].strip().startswith(
        "<bpmn:conditionExpression")
    assert message in error["msg"]
    assert condition in error["msg"]
