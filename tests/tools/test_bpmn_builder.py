"""Tests for tools.bpmn_builder: XML structure, diagram validity, Spiff parsing, determinism."""

from __future__ import annotations

import random
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.camunda.parser import CamundaParser

from tools.bpmn_builder import NS, DefinitionsBuilder, Field, ProcessBuilder, validate_layout

ROOT = Path(__file__).resolve().parents[2]
UNIT, HUB = "项目建设单位", "市大数据服务中心"


def build() -> ProcessBuilder:
    """Two lanes, a form, exclusive gateway with condition + default, parallel split/join,
    a non-interrupting boundary timer, a loop back edge, a message catch, outcomes."""
    b = ProcessBuilder("zhaoyuan_project", name="招远市政务信息化项目",
                       lanes=[("unit", UNIT), ("hub", HUB)])
    b.start("start", "项目申报", lane="unit")
    b.user_task("declare", "申报", lane="unit", candidate_groups=["unit", "unit_admin"],
                clause="招远 第七条", due="10WD",
                form=[Field("approved", "boolean", label="同意", required=True),
                      Field("opinion", "string", required=True, maxlength=500,
                            description="审核意见"),
                      Field("route", "enum", values={"a": "A", "b": "B"}, default="a"),
                      Field("amount", "number", min=0)])
    b.boundary_timer("esc", "超时提醒", attached_to="declare", duration="P10D", cancel=False)
    b.user_task("review", "审核", lane="hub", candidate_groups="hub", properties={"sla": "5WD"})
    b.exclusive_gateway("gw", "审核通过?", lane="hub", clause="第九条", default="Flow_gw_rectify")
    b.user_task("rectify", "整改", lane="unit", candidate_groups=["unit"])
    b.parallel_gateway("split", lane="hub")
    b.user_task("expert", "专家评审", lane="hub", candidate_groups=["expert"])
    b.message_catch("wait_plan", "等待年度计划", lane="unit", message="annual_plan_approved")
    b.parallel_gateway("join", lane="hub")
    b.end("end_ok", "立项", lane="hub", outcome="approved")
    b.manual_task("remind", "电话催办", lane="hub")
    b.end("end_reminded", lane="hub")
    b.flow("start", "declare")
    b.flow("declare", "review")
    b.flow("review", "gw")
    b.flow("gw", "split", condition="approved == True", name="通过")
    b.flow("gw", "rectify", name="不通过")
    b.flow("rectify", "declare")  # loop back
    b.flow("split", "expert")
    b.flow("split", "wait_plan")
    b.flow("expert", "join")
    b.flow("wait_plan", "join")
    b.flow("join", "end_ok")
    b.flow("esc", "remind")
    b.flow("remind", "end_reminded")
    return b


@pytest.fixture(scope="module")
def xml() -> bytes:
    return build().to_xml()


def q(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def bounds(root, element: str) -> list[float]:
    b = root.find(f".//bpmndi:BPMNShape[@bpmnElement='{element}']/dc:Bounds", NS)
    return [float(b.get(k)) for k in ("x", "y", "width", "height")]


def edge_problems(xml: bytes) -> list[str]:
    """Stricter than validate_layout: every edge is orthogonal and cuts no shape other
    than its own ends (and the host of a boundary event it starts from)."""
    root = etree.fromstring(xml)
    problems = []
    for proc in root.iter(q("bpmn:process")):
        nodes = {el.get("id"): el for el in proc
                 if el.tag not in (q("bpmn:laneSet"), q("bpmn:sequenceFlow"))}
        for flow in proc.iter(q("bpmn:sequenceFlow")):
            edge = root.find(f".//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", NS)
            pts = [(float(w.get("x")), float(w.get("y"))) for w in edge.iter(q("di:waypoint"))]
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            skip = {source, target, nodes[source].get("attachedToRef")}
            for (x1, y1), (x2, y2) in pairwise(pts):
                if x1 != x2 and y1 != y2:
                    problems.append(f"{flow.get('id')}: diagonal segment")
                for nid in set(nodes) - skip:
                    x, y, w, h = bounds(root, nid)
                    if (x < x1 < x + w and min(y1, y2) < y + h and y < max(y1, y2)) if x1 == x2 \
                            else (y < y1 < y + h and min(x1, x2) < x + w and x < max(x1, x2)):
                        problems.append(f"{flow.get('id')}: crosses {nid}")
    return problems


def test_layout_is_valid(xml):
    assert validate_layout(xml) == []
    assert edge_problems(xml) == []


def test_layout_runs_left_to_right_and_loops_below(xml):
    root = etree.fromstring(xml)
    xs = {n: bounds(root, n)[0] for n in ("start", "declare", "review", "gw", "split",
                                          "expert", "join", "end_ok")}
    assert list(xs.values()) == sorted(xs.values())
    assert len(set(xs.values())) == len(xs)
    loop = root.find(".//bpmndi:BPMNEdge[@bpmnElement='Flow_rectify_declare']", NS)
    lowest = max(float(w.get("y")) for w in loop.iter(q("di:waypoint")))
    for node in ("rectify", "declare", "wait_plan"):
        _, y, _, h = bounds(root, node)
        assert lowest > y + h
    # the boundary event sits on the bottom edge of its host
    dx, dy, dw, dh = bounds(root, "declare")
    ex, ey, ew, eh = bounds(root, "esc")
    assert ey + eh / 2 == dy + dh
    assert dx <= ex
    assert ex + ew <= dx + dw


def test_xml_structure(xml):
    root = etree.fromstring(xml)
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions')
    assert "招远市政务信息化项目".encode() in xml  # UTF-8, not character references
    assert b"\n    <bpmn:laneSet" in xml  # two-space indentation
    assert root.get("exporter") == "Camunda Modeler"
    declare = root.find(".//bpmn:userTask[@id='declare']", NS)
    assert [etree.QName(c).localname for c in declare] == [
        "documentation", "extensionElements", "incoming", "incoming", "outgoing"]
    assert declare.get(q("camunda:candidateGroups")) == "unit,unit_admin"
    assert declare.get(q("camunda:dueDate")) == "10WD"
    fields = declare.findall(".//camunda:formField", NS)
    assert [f.get("id") for f in fields] == ["approved", "opinion", "route", "amount"]
    assert fields[0].get("label") == "同意"
    assert fields[0].get("type") == "boolean"
    assert fields[0].find("camunda:validation/camunda:constraint", NS).attrib == {
        "name": "required"}
    assert [c.attrib for c in fields[1].iterfind("camunda:validation/*", NS)] == [
        {"name": "required"}, {"name": "maxlength", "config": "500"}]
    assert fields[1].find("camunda:properties/camunda:property", NS).attrib == {
        "id": "description", "value": "审核意见"}
    assert fields[2].get("defaultValue") == "a"
    assert [(v.get("id"), v.get("name")) for v in fields[2].iterfind("camunda:value", NS)] == [
        ("a", "A"), ("b", "B")]
    assert fields[3].find("camunda:validation/camunda:constraint", NS).attrib == {
        "name": "min", "config": "0"}
    esc = root.find(".//bpmn:boundaryEvent[@id='esc']", NS)
    assert esc.get("cancelActivity") == "false"
    assert esc.get("attachedToRef") == "declare"
    assert esc.find("bpmn:timerEventDefinition/bpmn:timeDuration", NS).text == "P10D"
    gw = root.find(".//bpmn:exclusiveGateway[@id='gw']", NS)
    assert gw.get("default") == "Flow_gw_rectify"
    assert gw.find("bpmn:documentation", NS).text == "第九条"
    cond = root.find(".//bpmn:sequenceFlow[@id='Flow_gw_split']/bpmn:conditionExpression", NS)
    assert cond.get(q("xsi:type")) == "bpmn:tFormalExpression"
    assert cond.text == "approved == True"
    msg = root.find("bpmn:message", NS)
    assert msg.get("name") == "annual_plan_approved"
    ref = root.find(".//bpmn:intermediateCatchEvent/bpmn:messageEventDefinition", NS)
    assert ref.get("messageRef") == msg.get("id")
    prop = root.find(".//bpmn:endEvent[@id='end_ok']//camunda:property", NS)
    assert prop.attrib == {"name": "outcome", "value": "approved"}
    lanes = root.findall(".//bpmn:lane", NS)
    assert [(lane.get("id"), lane.get("name")) for lane in lanes] == [
        ("Lane_unit", UNIT), ("Lane_hub", HUB)]
    assert sorted(r.text for lane in lanes for r in lane) == sorted(build().nodes)
    di = {s.get("bpmnElement") for s in root.iter(q("bpmndi:BPMNShape"))}
    assert di == set(build().nodes) | {"Participant_zhaoyuan_project", "Lane_unit", "Lane_hub"}


def test_spiff_parses_with_lanes(xml):
    parser = CamundaParser(validator=BpmnValidator())  # also checks the BPMN XSD
    parser.add_bpmn_str(xml)
    spec = parser.get_spec("zhaoyuan_project")
    assert set(build().nodes) <= set(spec.task_specs)
    assert spec.task_specs["declare"].lane == UNIT
    assert spec.task_specs["review"].lane == HUB
    assert spec.task_specs["esc"].lane == UNIT
    assert spec.task_specs["declare"].documentation == "招远 第七条"
    assert [f.id for f in spec.task_specs["declare"].form.fields] == [
        "approved", "opinion", "route", "amount"]
    assert spec.task_specs["review"].extensions == {"sla": "5WD"}
    # SpiffWorkflow 3.2's Camunda *event* parsers ignore camunda:properties, so the end
    # event's outcome is only checked in the XML (test_xml_structure).


def test_output_is_deterministic(xml):
    assert build().to_xml() == xml
    code = ("import sys; sys.path[:0] = ['.', 'tests/tools']; import test_bpmn_builder as t; "
            "sys.stdout.buffer.write(t.build().to_xml())")
    for seed in ("1", "2"):  # other hash seeds, fresh interpreters
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                             capture_output=True, env={"PYTHONHASHSEED": seed}).stdout
        assert out == xml


def test_other_elements_and_multiple_pools():
    a = ProcessBuilder("main", lanes=[("x", "甲")])
    a.start("a_start")
    a.script_task("a_calc", "计算", script="x = 1")
    a.business_rule_task("a_rule", "路由", decision="route")
    a.inclusive_gateway("a_gw", "哪些?", default="Flow_a_gw_a_call")
    a.call_activity("a_call", "变更", called="change")
    a.message_throw("a_notify", "通知", message="done")
    a.timer_catch("a_wait", "试运行", duration="P3M")
    a.end("a_end", "完成")
    a.end("a_term", "终止", terminate=True)
    a.end("a_err", "出错", error="ERR_X")
    a.boundary_error("a_catch", attached_to="a_call", error="ERR_X")
    a.boundary_message("a_cancel", "撤回", attached_to="a_call", message="withdraw")
    for s, t in [("a_start", "a_calc"), ("a_calc", "a_rule"), ("a_rule", "a_gw"),
                 ("a_gw", "a_call"), ("a_call", "a_notify"), ("a_notify", "a_wait"),
                 ("a_wait", "a_end"), ("a_catch", "a_err"), ("a_cancel", "a_term")]:
        a.flow(s, t)
    a.flow("a_gw", "a_end", condition="skip", name="跳过")
    b = ProcessBuilder("change", lanes=[("y", "乙"), ("z", "丙")])
    b.start("b_start", lane="y")
    b.end("b_end", lane="z")
    b.flow("b_start", "b_end")
    xml = DefinitionsBuilder([a, b]).to_xml()
    assert validate_layout(xml) == []
    assert edge_problems(xml) == []
    root = etree.fromstring(xml)
    BpmnValidator().validate(root)
    assert [p.get("processRef") for p in root.iterfind(".//bpmn:participant", NS)] == [
        "main", "change"]
    pools = [bounds(root, f"Participant_{p}") for p in ("main", "change")]
    assert pools[0][1] + pools[0][3] < pools[1][1]  # stacked, not overlapping
    assert root.find("bpmn:error", NS).attrib == {
        "id": "Error_ERR_X", "name": "ERR_X", "errorCode": "ERR_X"}
    catch = root.find(".//bpmn:boundaryEvent[@id='a_catch']/bpmn:errorEventDefinition", NS)
    assert catch.get("errorRef") == "Error_ERR_X"
    assert root.find(".//bpmn:endEvent[@id='a_term']/bpmn:terminateEventDefinition", NS) \
        is not None
    assert root.find(".//bpmn:scriptTask/bpmn:script", NS).text == "x = 1"
    assert root.find(".//bpmn:businessRuleTask", NS).get(q("camunda:decisionRef")) == "route"
    assert root.find(".//bpmn:callActivity", NS).get("calledElement") == "change"
    assert [m.get("name") for m in root.iterfind("bpmn:message", NS)] == ["done", "withdraw"]
    with pytest.raises(ValueError, match="duplicate id"):
        DefinitionsBuilder([a, a]).to_xml()


def test_builder_rejects_mistakes():
    b = ProcessBuilder("p", lanes=[("x", "X"), ("y", "Y")])
    with pytest.raises(ValueError, match="unknown lane"):
        b.start("s")
    with pytest.raises(ValueError, match="valid XML id"):
        b.start("1st", lane="x")
    b.start("s", lane="x")
    with pytest.raises(ValueError, match="duplicate node"):
        b.end("s", lane="x")
    with pytest.raises(ValueError, match="attached_to"):
        b.boundary_timer("t", attached_to="s", duration="P1D")
    b.exclusive_gateway("g", lane="x", default="Flow_g_s")
    b.flow("s", "g")
    with pytest.raises(ValueError, match="duplicate flow"):
        b.flow("s", "g")
    with pytest.raises(ValueError, match="default"):
        b.to_xml()
    b.flow("g", "nowhere")
    with pytest.raises(ValueError, match="unknown node"):
        b.to_xml()
    with pytest.raises(ValueError, match="enum"):
        Field("f", "enum")


def test_validator_catches_overlap_and_missing_edge(xml):
    root = etree.fromstring(xml)
    review = root.find(".//bpmndi:BPMNShape[@bpmnElement='review']/dc:Bounds", NS)
    expert = root.find(".//bpmndi:BPMNShape[@bpmnElement='expert']/dc:Bounds", NS)
    expert.set("x", review.get("x"))
    expert.set("y", str(float(review.get("y")) + 10))
    edge = root.find(".//bpmndi:BPMNEdge[@bpmnElement='Flow_join_end_ok']", NS)
    edge.getparent().remove(edge)
    shape = root.find(".//bpmndi:BPMNShape[@bpmnElement='start']", NS)
    shape.getparent().remove(shape)
    assert validate_layout(etree.tostring(root)) == [
        "start: flow node has no BPMNShape",
        "Flow_join_end_ok: sequence flow has no BPMNEdge",
        "review, expert: shapes overlap",
    ]


def test_validator_catches_shape_outside_lane_and_lane_membership(xml, tmp_path):
    root = etree.fromstring(xml)
    root.find(".//bpmndi:BPMNShape[@bpmnElement='start']/dc:Bounds", NS).set("y", "5000")
    ref = root.find(".//bpmn:flowNodeRef", NS)  # "start"
    ref.getparent().remove(ref)
    root.find(".//bpmn:lane[@id='Lane_hub']", NS).append(ref)
    path = tmp_path / "bad.bpmn"
    path.write_bytes(etree.tostring(root))
    assert validate_layout(path) == ["start: shape is outside lane Lane_hub"]
    ref.getparent().remove(ref)
    assert "start: flow node is in no lane" in validate_layout(etree.tostring(root))


def random_process(seed: int) -> ProcessBuilder:
    """A messy process: random lanes, branches, skips, loops and boundary events."""
    rnd = random.Random(seed)
    lanes = [(f"r{i}", f"角色{i}") for i in range(rnd.randint(1, 4))]
    b = ProcessBuilder(f"random_{seed}", lanes=lanes)
    ids = [b.start("s", lane=rnd.choice(lanes)[0])]
    tasks = []
    for i in range(rnd.randint(3, 16)):
        lane, kind = rnd.choice(lanes)[0], rnd.random()
        if kind < 0.5:
            tasks.append(b.user_task(f"n{i}", f"任务{i}", lane=lane))
        elif kind < 0.75:
            b.exclusive_gateway(f"n{i}", f"判断{i}?", lane=lane)
        elif kind < 0.85:
            b.parallel_gateway(f"n{i}", lane=lane)
        else:
            b.message_catch(f"n{i}", f"等待{i}", lane=lane, message="m")
        b.flow(rnd.choice(ids[-3:]), f"n{i}")
        ids.append(f"n{i}")
    b.flow(ids[-1], b.end("e", lane=rnd.choice(lanes)[0]))
    for _ in range(rnd.randint(0, 5)):  # extra forward edges and loops
        source, target = rnd.sample(ids[1:], 2)
        if f"Flow_{source}_{target}" not in b.flows:
            b.flow(source, target)
    for i, task in enumerate(tasks[:rnd.randint(0, 3)]):
        b.flow(b.boundary_timer(f"b{i}", "超时", attached_to=task, duration="P1D",
                                cancel=rnd.random() < 0.5), rnd.choice(ids[1:] + ["e"]))
    return b


@pytest.mark.parametrize("seed", range(60))
def test_random_processes_lay_out_cleanly(seed):
    xml = random_process(seed).to_xml()
    assert validate_layout(xml) == []
    assert edge_problems(xml) == []
