"""render_svg: a hand-built pool with two lanes, drawn, parsed back and inspected."""

from __future__ import annotations

import pytest
from govflow.diagrams.svg import render_svg
from govflow.diagrams.svg_draw import wrap
from lxml import etree

SVG = "http://www.w3.org/2000/svg"
XPATH_NS = {"svg": SVG}
FLOW_NAME = '金额 <&> "400"'
FLOW_NODES = ("StartEvent_1", "declare", "Timer_1", "Gateway_1", "route", "EndEvent_1")
FLOWS = ("Flow_1", "Flow_2", "Flow_3", "Flow_4")

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    id="Definitions_1" targetNamespace="http://example.org/govflow">
  <bpmn:collaboration id="Collaboration_1">
    <bpmn:participant id="Participant_1" name="政务信息化项目审批" processRef="Process_1"/>
  </bpmn:collaboration>
  <bpmn:process id="Process_1" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_applicant" name="申报单位">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>declare</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Timer_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Gateway_1</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="Lane_bureau" name="市数据局">
        <bpmn:flowNodeRef>route</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_1</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="项目申报"/>
    <bpmn:userTask id="declare" name="提交项目申报材料并填写申报表"/>
    <bpmn:boundaryEvent id="Timer_1" name="5个工作日" attachedToRef="declare">
      <bpmn:timerEventDefinition id="TimerDef_1">
        <bpmn:timeDuration>P5D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:exclusiveGateway id="Gateway_1" name="是否涉密?"/>
    <bpmn:businessRuleTask id="route" name="判定审批路线"/>
    <bpmn:endEvent id="EndEvent_1" name="结束"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="declare"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="declare" targetRef="Gateway_1"/>
    <bpmn:sequenceFlow id="Flow_3" name="FLOW_NAME" sourceRef="Gateway_1" targetRef="route"/>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="route" targetRef="EndEvent_1"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_1">
    <bpmndi:BPMNPlane id="Plane_1" bpmnElement="Collaboration_1">
      <bpmndi:BPMNShape id="Participant_1_di" bpmnElement="Participant_1" isHorizontal="true">
        <dc:Bounds x="100" y="80" width="760" height="360"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_applicant_di" bpmnElement="Lane_applicant" isHorizontal="true">
        <dc:Bounds x="130" y="80" width="730" height="180"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_bureau_di" bpmnElement="Lane_bureau" isHorizontal="true">
        <dc:Bounds x="130" y="260" width="730" height="180"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="182" y="152" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="declare_di" bpmnElement="declare">
        <dc:Bounds x="270" y="130" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_1_di" bpmnElement="Gateway_1" isMarkerVisible="true">
        <dc:Bounds x="445" y="145" width="50" height="50"/>
        <bpmndi:BPMNLabel><dc:Bounds x="440" y="115" width="60" height="14"/></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="route_di" bpmnElement="route">
        <dc:Bounds x="560" y="310" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_1_di" bpmnElement="EndEvent_1">
        <dc:Bounds x="742" y="332" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Timer_1_di" bpmnElement="Timer_1">
        <dc:Bounds x="332" y="192" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_1_di" bpmnElement="Flow_1">
        <di:waypoint x="218" y="170"/><di:waypoint x="270" y="170"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_2_di" bpmnElement="Flow_2">
        <di:waypoint x="370" y="170"/><di:waypoint x="445" y="170"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_3_di" bpmnElement="Flow_3">
        <di:waypoint x="470" y="195"/><di:waypoint x="470" y="350"/>
        <di:waypoint x="560" y="350"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_4_di" bpmnElement="Flow_4">
        <di:waypoint x="660" y="350"/><di:waypoint x="742" y="350"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def bpmn_with(flow_name: str = FLOW_NAME, end_name: str = "结束") -> bytes:
    attr = flow_name.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    text = BPMN.replace('name="FLOW_NAME"', f'name="{attr}"')
    return text.replace('name="结束"', f'name="{end_name}"').encode()


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def groups(root: etree._Element, element_id: str) -> list[etree._Element]:
    return root.xpath("//svg:g[@data-element-id=$id]", namespaces=XPATH_NS, id=element_id)


def test_root_is_svg_whose_viewbox_covers_every_shape_and_waypoint():
    root = parse(render_svg(bpmn_with()))
    assert root.tag == f"{{{SVG}}}svg"
    x, y, width, height = (float(v) for v in root.get("viewBox").split())
    source = etree.fromstring(bpmn_with())
    for bounds in source.iter("{http://www.omg.org/spec/DD/20100524/DC}Bounds"):
        bx, by = float(bounds.get("x")), float(bounds.get("y"))
        assert x < bx
        assert y < by
        assert bx + float(bounds.get("width")) < x + width
        assert by + float(bounds.get("height")) < y + height
    for point in source.iter("{http://www.omg.org/spec/DD/20100524/DI}waypoint"):
        assert x < float(point.get("x")) < x + width
        assert y < float(point.get("y")) < y + height


def test_one_group_per_drawn_element():
    root = parse(render_svg(bpmn_with()))
    drawn = [*FLOW_NODES, *FLOWS, "Participant_1", "Lane_applicant", "Lane_bureau"]
    for element_id in drawn:
        assert len(groups(root, element_id)) == 1, element_id
    all_ids = root.xpath("//svg:g/@data-element-id", namespaces=XPATH_NS)
    assert sorted(all_ids) == sorted(drawn)


def test_kinds_are_drawn_with_their_markers():
    root = parse(render_svg(bpmn_with()))
    assert "userTask" in groups(root, "declare")[0].get("class").split()
    assert groups(root, "Gateway_1")[0].find(f"{{{SVG}}}polygon") is not None
    assert len(groups(root, "Timer_1")[0].findall(f"{{{SVG}}}circle")) == 3  # two rings, clock
    assert groups(root, "Flow_1")[0].find(f"{{{SVG}}}polyline").get("marker-end") == "url(#arrow)"


def test_flow_name_is_escaped_and_readable_back():
    svg = render_svg(bpmn_with())
    assert "&lt;&amp;&gt;" in svg
    flow = groups(parse(svg), "Flow_3")[0]
    assert flow.findtext(f"{{{SVG}}}title") == FLOW_NAME
    shown = "".join(flow.find(f"{{{SVG}}}text").itertext())
    assert shown.replace(" ", "") == FLOW_NAME.replace(" ", "")


def test_markup_in_a_name_stays_text():
    svg = render_svg(bpmn_with(end_name="&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
    root = parse(svg)
    assert not root.xpath("//svg:script", namespaces=XPATH_NS)
    assert groups(root, "EndEvent_1")[0].findtext(f"{{{SVG}}}title") == (
        "</text><script>alert(1)</script>")


def test_task_names_wrap_about_eight_cjk_characters_per_line():
    root = parse(render_svg(bpmn_with()))
    lines = [t.text for t in groups(root, "declare")[0].iter(f"{{{SVG}}}tspan")]
    assert lines == ["提交项目申报材料", "并填写申报表"]
    assert wrap("review the project plan", 80) == ["review the", "project", "plan"]


def test_marks_land_on_their_elements_only():
    completed, active, overdue = {"StartEvent_1", "Flow_1"}, {"route"}, {"declare", "Timer_1"}
    root = parse(render_svg(bpmn_with(), completed=completed, active=active,
                            overdue=overdue | {"not_in_diagram"}))
    for mark, expected in (("completed", completed), ("active", active), ("overdue", overdue)):
        found = root.xpath(f"//*[contains(concat(' ', @class, ' '), ' {mark} ')]")
        assert {element.get("data-element-id") for element in found} == expected, mark
    plain_task = groups(parse(render_svg(bpmn_with())), "route")[0].find(f"{{{SVG}}}rect")
    active_task = groups(root, "route")[0].find(f"{{{SVG}}}rect")
    assert active_task.get("stroke") != plain_task.get("stroke")
    assert float(active_task.get("stroke-width")) > float(plain_task.get("stroke-width"))
    assert groups(root, "Flow_1")[0].find(f"{{{SVG}}}polyline").get("marker-end") == (
        "url(#arrow-completed)")


def test_output_is_deterministic():
    first = render_svg(bpmn_with(), completed={"Flow_1", "StartEvent_1", "declare"})
    second = render_svg(bpmn_with(), completed=["declare", "StartEvent_1", "Flow_1"])
    assert first == second


def test_process_id_chooses_the_collaboration_that_contains_it():
    assert render_svg(bpmn_with(), "Process_1") == render_svg(bpmn_with())
    with pytest.raises(ValueError, match="no diagram for process"):
        render_svg(bpmn_with(), "Process_unknown")


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="&lol3;"/>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&secret;
</bpmn:definitions>"""


@pytest.mark.parametrize(
    "document",
    [LAUGHS, EXTERNAL, bpmn_with().replace(b"?>", b'?><!DOCTYPE d SYSTEM "http://x.test/d">', 1)],
    ids=["entity-expansion", "external-entity", "external-dtd"],
)
def test_documents_with_a_doctype_are_refused(document: bytes):
    with pytest.raises(ValueError, match="DTDs are not allowed"):
        render_svg(document)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<bpmn:definitions", "not well-formed"),
        (b"<svg/>", "not a BPMN 2.0 document"),
        (BPMN.split("<bpmndi:BPMNDiagram")[0].encode() + b"</bpmn:definitions>", "no diagram"),
        (bpmn_with().replace(b'x="182"', b'x="1e999"'), "not a finite coordinate"),
        (bpmn_with().replace(b'x="218"', b'x="twelve"'), "not a finite coordinate"),
    ],
    ids=["malformed", "not-bpmn", "no-diagram-interchange", "infinite-bounds", "text-waypoint"],
)
def test_other_bad_documents_are_refused(document: bytes, message: str):
    with pytest.raises(ValueError, match=message):
        render_svg(document)

