"""河源's bundled files follow the diagram conventions: layout valid, pool named after the
city, clauses on every task, gateway, rule task and conditional flow, outcomes on every end
event, contract task keys, one DMN file per decision with cited rules; and the drafting
script reproduces the files byte for byte."""

from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import deploy
from tests.scenarios.heyuan.heyuan_support import HUB, TASKS, TENANT
from tests.support.api import API
from tests.support.bundled import bundled
from tools.bpmn_builder import NS, validate_layout

ROOT = Path(__file__).resolve().parents[3]
BPMN_FILES = sorted((ROOT / "bpmn" / TENANT).glob("*.bpmn"))
DMN_FILES = sorted((ROOT / "dmn" / TENANT).glob("*.dmn"))
OUTCOMES = {"rejected", "filed_only", "not_in_plan", "accepted", "terminated", "out_of_scope"}


def q(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def doc(el) -> str:
    found = el.find(q("bpmn:documentation"))
    return (found.text or "") if found is not None else ""


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: p.name)
def test_layout_is_valid(path):
    assert validate_layout(path) == []


def test_process_follows_the_conventions():
    root = etree.parse(str(ROOT / "bpmn" / TENANT / "heyuan_project.bpmn")).getroot()
    assert root.find(f".//{q('bpmn:participant')}").get("name").startswith("河源市")
    (process,) = root.findall(q("bpmn:process"))
    assert process.get("id") == "heyuan_project"
    lanes = {lane.get("name") for lane in process.iter(q("bpmn:lane"))}
    assert lanes == {"项目建设单位", "市密码管理局", "市政务服务数据管理局", "市财政局",
                     "第三方咨询机构"}
    tasks = {t.get("id"): t for t in process.findall(q("bpmn:userTask"))}
    assert set(tasks) == set(TASKS)
    for key, task in tasks.items():
        assert doc(task) == TASKS[key][1], key
        assert task.get(f"{{{NS['camunda']}}}candidateGroups") == ",".join(TASKS[key][2])
    for kind in ("exclusiveGateway", "inclusiveGateway", "parallelGateway"):
        for gateway in process.findall(q(f"bpmn:{kind}")):
            assert doc(gateway).startswith("河源 第"), gateway.get("id")
            outgoing = gateway.findall(q("bpmn:outgoing"))
            if len(outgoing) > 1 and kind != "parallelGateway":  # a decision: a question
                assert gateway.get("name", "").endswith("?"), gateway.get("id")
    for kind in ("businessRuleTask", "scriptTask"):
        for task in process.findall(q(f"bpmn:{kind}")):
            assert doc(task).startswith("河源 第"), task.get("id")
    for flow in process.findall(q("bpmn:sequenceFlow")):
        if flow.find(q("bpmn:conditionExpression")) is not None:
            assert doc(flow).startswith("河源 第"), flow.get("id")
    ends = process.findall(q("bpmn:endEvent"))
    found = set()
    for end in ends:
        props = {p.get("name"): p.get("value") for p in end.iter(q("camunda:property"))}
        if end.get("id").endswith("_escalated"):  # closes an escalation branch: no outcome
            assert "outcome" not in props, end.get("id")
            continue
        assert props.get("outcome") in OUTCOMES, end.get("id")
        found.add(props["outcome"])
    assert found == {"out_of_scope", "not_in_plan", "rejected", "accepted"}
    dues = {k: t.get(f"{{{NS['camunda']}}}dueDate") for k, t in tasks.items()
            if t.get(f"{{{NS['camunda']}}}dueDate")}
    assert dues == {"crypto_review": "5WD", "initial_review": "10WD", "fund_review": "12WD",
                    "approval": "5WD", "conformity_review": "10WD"}


def test_every_deadline_escalates_without_ending_anything():
    """原则上 deadlines: each task with a due date has one non-interrupting boundary timer
    with the same notation, leading to an escalation task in the bureau's lane and then to
    an end event without an outcome; no other timers exist."""
    root = etree.parse(str(ROOT / "bpmn" / TENANT / "heyuan_project.bpmn")).getroot()
    (process,) = root.findall(q("bpmn:process"))
    by_id = {el.get("id"): el for el in process.iter() if el.get("id")}
    lane_of = {ref.text: lane.get("name") for lane in process.iter(q("bpmn:lane"))
               for ref in lane.findall(q("bpmn:flowNodeRef"))}
    flows = {f.get("sourceRef"): f.get("targetRef")
             for f in process.findall(q("bpmn:sequenceFlow"))}
    boundaries = process.findall(q("bpmn:boundaryEvent"))
    due = f"{{{NS['camunda']}}}dueDate"
    deadlines = {t.get("id"): t.get(due) for t in process.findall(q("bpmn:userTask"))
                 if t.get(due)}
    assert sorted(b.get("attachedToRef") for b in boundaries) == sorted(deadlines)
    for boundary in boundaries:
        task = boundary.get("attachedToRef")
        assert boundary.get("id") == f"{task}_overdue"
        assert boundary.get("cancelActivity") == "false", task
        duration = boundary.find(f"{q('bpmn:timerEventDefinition')}/{q('bpmn:timeDuration')}")
        assert duration.text == deadlines[task]
        assert doc(boundary) == TASKS[f"{task}_escalation"][1]
        escalation = by_id[flows[boundary.get("id")]]
        assert escalation.get("id") == f"{task}_escalation"
        assert escalation.get("name") == f"超期督办：{by_id[task].get('name')}"
        assert lane_of[escalation.get("id")] == "市政务服务数据管理局"
        fields = {f.get("id"): f for f in escalation.iter(q("camunda:formField"))}
        assert set(fields) == {"measure", "opinion"}
        assert {v.get("id") for v in fields["measure"].iter(q("camunda:value"))} == {
            "urge", "rectify", "note"}
        (description,) = [d.get("value") for d in fields["measure"].iter(q("camunda:property"))
                          if d.get("id") == "description"]
        # another bureau's late review: the bureau escalates it as the 立项 authority
        owner = lane_of[task]
        assert ("第四条(一)" in description) is (owner != "市政务服务数据管理局"), task
        assert description.startswith(owner if owner != "市政务服务数据管理局" else "本局")
        end = by_id[flows[escalation.get("id")]]
        assert end.tag == q("bpmn:endEvent")
        assert end.get("id") == f"{task}_escalated"
    # no waits and no windows in this text: the yearly list is an entry gate (第六条)
    assert process.findall(q("bpmn:intermediateCatchEvent")) == []


def test_one_dmn_file_per_decision_with_cited_rules():
    assert [p.name for p in DMN_FILES] == ["change_admissible.dmn", "route.dmn"]
    for path in DMN_FILES:
        root = etree.parse(str(path)).getroot()
        ns = {"d": root.nsmap[None]}
        (decision,) = root.findall("d:decision", ns)
        assert decision.get("id") == path.stem
        for rule in decision.iter(f"{{{ns['d']}}}rule"):
            assert rule.findtext("d:description", namespaces=ns).startswith("河源 第")


async def test_the_deployed_set_is_named_after_the_city_and_draws(client):
    response = await deploy(client, TENANT, bundled(TENANT), name="河源市")
    assert response.status_code == 201, response.text
    set_id = response.json()["id"]
    response = await client.get(
        f"{API}/diagram-sets/{set_id}/processes/heyuan_project/svg", headers=HUB)
    assert response.status_code == 200
    assert "<svg" in response.text
