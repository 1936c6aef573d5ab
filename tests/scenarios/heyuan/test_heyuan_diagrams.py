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


def processes() -> dict[str, etree._Element]:
    """Each bundled process by its file name: the main process and the stages it calls."""
    return {path.name: etree.parse(str(path)).getroot().find(q("bpmn:process"))
            for path in BPMN_FILES}


def test_process_follows_the_conventions():
    found_processes = processes()
    main = found_processes.pop("heyuan_project.bpmn")
    root = main.getparent()
    assert root.find(f".//{q('bpmn:participant')}").get("name").startswith("河源市")
    assert root.findall(q("bpmn:process")) == [main]
    assert main.get("id") == "heyuan_project"
    every = [main, *(p for n, p in found_processes.items() if n != "plan_filing.bpmn")]
    # the stages are the text's: 立项 (第十一条、第十二条), 采购, 实施, 验收; 第六条's yearly
    # plan and list are filed by each unit in a process of its own, before any project
    called = {c.get("calledElement"): c for c in main.iter(q("bpmn:callActivity"))}
    own = found_processes.pop("plan_filing.bpmn")
    assert own.get("id") == "heyuan_plan_filing"
    assert sorted(called) == sorted(p.get("id") for p in found_processes.values())
    every.append(own)
    for call in called.values():
        assert doc(call).startswith("河源 第"), call.get("id")
    for process in every:
        props = {p.get("name"): p.get("value") for p in process.find(
            q("bpmn:extensionElements")).iter(q("camunda:property"))}
        assert props["separationOfDuties"] == "true", process.get("id")
    lanes = {lane.get("name") for process in every for lane in process.iter(q("bpmn:lane"))}
    assert lanes == {"项目建设单位", "市密码管理局", "市政务服务数据管理局", "市财政局",
                     "第三方咨询机构"}
    tasks = {t.get("id"): t for process in every for t in process.findall(q("bpmn:userTask"))}
    assert set(tasks) == set(TASKS)
    for key, task in tasks.items():
        assert doc(task) == TASKS[key][1], key
        assert task.get(f"{{{NS['camunda']}}}candidateGroups") == ",".join(TASKS[key][2])
    for process in every:
        for kind in ("exclusiveGateway", "inclusiveGateway", "parallelGateway"):
            for gateway in process.findall(q(f"bpmn:{kind}")):
                assert doc(gateway).startswith("河源 第"), gateway.get("id")
                outgoing = gateway.findall(q("bpmn:outgoing"))
                if len(outgoing) > 1 and kind != "parallelGateway":  # a decision: a question
                    assert gateway.get("name", "").endswith("?"), gateway.get("id")
        for kind in ("businessRuleTask", "scriptTask", "endEvent", "boundaryEvent"):
            for task in process.findall(q(f"bpmn:{kind}")):
                assert doc(task).startswith("河源 第"), task.get("id")
        for flow in process.findall(q("bpmn:sequenceFlow")):
            if flow.find(q("bpmn:conditionExpression")) is not None:
                assert doc(flow).startswith("河源 第"), flow.get("id")
    # The main process says how a project ended; a stage's own ends name no outcome, and a
    # stage's refusal throws REJECTED, caught on its call activity by an end that says so.
    found = set()
    for end in main.findall(q("bpmn:endEvent")):
        props = {p.get("name"): p.get("value") for p in end.iter(q("camunda:property"))}
        if end.get("id").endswith("_escalated"):  # closes an escalation branch: no outcome
            assert "outcome" not in props, end.get("id")
            continue
        assert props.get("outcome") in OUTCOMES, end.get("id")
        found.add(props["outcome"])
    assert found == {"out_of_scope", "not_in_plan", "rejected", "accepted"}
    caught = {b.get("attachedToRef") for b in main.iter(q("bpmn:boundaryEvent"))
              if b.find(q("bpmn:errorEventDefinition")) is not None}
    by_process = {c.get("calledElement"): c.get("id") for c in called.values()}
    for stage in found_processes.values():
        for end in stage.findall(q("bpmn:endEvent")):
            assert not [p for p in end.iter(q("camunda:property"))
                        if p.get("name") == "outcome"], end.get("id")
            if end.find(q("bpmn:errorEventDefinition")) is not None:
                assert by_process[stage.get("id")] in caught, end.get("id")
    dues = {k: t.get(f"{{{NS['camunda']}}}dueDate") for k, t in tasks.items()
            if t.get(f"{{{NS['camunda']}}}dueDate")}
    assert dues == {"crypto_review": "5WD", "initial_review": "10WD", "fund_review": "12WD",
                    "approval": "5WD", "conformity_review": "10WD",
                    "plan_submission": "--06-30@plan_year-1"}


def test_every_deadline_escalates_without_ending_anything():
    """原则上 deadlines: each task with a due date has one non-interrupting boundary timer
    with the same notation, leading to an escalation task in the bureau's lane and then to
    an end event without an outcome; no other timers exist. Where the project may go on to
    the next stage before the escalation is closed, the stage reports the overdue review
    (an escalation end event) and the main process escalates it, on the call activity's
    non-interrupting boundary: the stage ends with its own path."""
    found_processes = processes()
    main = found_processes["heyuan_project.bpmn"]
    # (the yearly list's deadline closes its submission: test_heyuan_plan_filing.py)
    every = [p for n, p in found_processes.items() if n != "plan_filing.bpmn"]
    by_id = {el.get("id"): el for p in every for el in p.iter() if el.get("id")}
    lane_of = {ref.text: lane.get("name") for p in every for lane in p.iter(q("bpmn:lane"))
               for ref in lane.findall(q("bpmn:flowNodeRef"))}
    flows = {f.get("sourceRef"): f.get("targetRef")
             for p in every for f in p.findall(q("bpmn:sequenceFlow"))}
    due = f"{{{NS['camunda']}}}dueDate"
    deadlines = {t.get("id"): t.get(due) for p in every for t in p.findall(q("bpmn:userTask"))
                 if t.get(due)}
    timers = [b for p in every for b in p.findall(q("bpmn:boundaryEvent"))
              if b.find(q("bpmn:timerEventDefinition")) is not None]
    assert sorted(b.get("attachedToRef") for b in timers) == sorted(deadlines)
    caught = {b.find(q("bpmn:escalationEventDefinition")).get("escalationRef"): b
              for b in main.findall(q("bpmn:boundaryEvent"))
              if b.find(q("bpmn:escalationEventDefinition")) is not None}
    calls = {c.get("id"): c.get("calledElement") for c in main.iter(q("bpmn:callActivity"))}
    for boundary in timers:
        task = boundary.get("attachedToRef")
        assert boundary.get("id") == f"{task}_overdue"
        assert boundary.get("cancelActivity") == "false", task
        duration = boundary.find(f"{q('bpmn:timerEventDefinition')}/{q('bpmn:timeDuration')}")
        assert duration.text == deadlines[task]
        assert doc(boundary) == TASKS[f"{task}_escalation"][1]
        escalation = by_id[flows[boundary.get("id")]]
        if escalation.tag == q("bpmn:endEvent"):  # reported to the main process
            assert escalation.get("id") == f"{task}_overdue_reported"
            ref = escalation.find(q("bpmn:escalationEventDefinition")).get("escalationRef")
            stage = boundary.getparent()
            code = stage.getparent().find(f"{q('bpmn:escalation')}[@id='{ref}']")
            assert code.get("escalationCode") == f"{task}_overdue"
            catch = caught[ref]
            assert catch.get("id") == f"{task}_overdue_caught"
            assert catch.get("cancelActivity") == "false", task
            assert calls[catch.get("attachedToRef")] == stage.get("id")
            assert main.getparent().find(
                f"{q('bpmn:escalation')}[@id='{ref}']").get("escalationCode") == f"{task}_overdue"
            escalation = by_id[flows[catch.get("id")]]
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
    assert [e for p in every for e in p.iter(q("bpmn:intermediateCatchEvent"))] == []


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
