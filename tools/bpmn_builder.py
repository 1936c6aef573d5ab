"""Build BPMN 2.0 files (Camunda 7 flavour) with a full, readable diagram.

The output opens cleanly in Camunda Modeler / bpmn.io: one pool per process, one
horizontal lane per role, a shape for every flow node and lane, an edge with
waypoints for every sequence flow, laid out left to right by
:mod:`tools.bpmn_layout`. Output is pretty-printed UTF-8 with stable ids and
order, so the same builder calls always give byte-identical files that process
owners can then refine by hand::

    b = ProcessBuilder("demo", name="示例", lanes=[("unit", "建设单位"), ("hub", "大数据中心")])
    b.start("start", "申报", lane="unit")
    b.user_task("declare", "填报", lane="unit", candidate_groups=["unit"],
                form=[Field("amount", "number", label="金额", required=True, min=0)])
    b.exclusive_gateway("gw", "金额?", lane="hub", default="Flow_gw_small")
    b.end("small", "小额", lane="hub", outcome="small")
    b.end("big", "大额", lane="hub", outcome="big")
    b.flow("start", "declare"); b.flow("declare", "gw")
    b.flow("gw", "small")
    b.flow("gw", "big", condition="amount >= 100", name="≥100万")
    xml = b.to_xml()
    assert validate_layout(xml) == []

Expressions (conditions, timer durations, scripts) are written verbatim; note
that SpiffWorkflow evaluates conditions and timer expressions as Python.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from tools.bpmn_layout import (
    EVENT_SIZE,
    GATEWAY_SIZE,
    TASK_SIZE,
    Box,
    Layout,
    LFlow,
    LNode,
    layout_process,
)

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
    "modeler": "http://camunda.org/schema/modeler/1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
          "boundaryEvent"}
ACTIVITIES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask",
              "receiveTask", "businessRuleTask", "callActivity", "subProcess"}
FLOW_NODES = GATEWAYS | EVENTS | ACTIVITIES | {"complexGateway", "transaction"}


def _q(name: str) -> str:
    """'bpmn:task' -> '{namespace}task'; unprefixed names are returned as they are."""
    prefix, _, local = name.rpartition(":")
    return f"{{{NS[prefix]}}}{local}" if prefix else name


def _sub(parent, tag: str, attrs: Mapping[str, str] | None = None, text: str | None = None):
    el = etree.SubElement(parent, _q(tag), {_q(k): v for k, v in (attrs or {}).items()})
    el.text = text
    return el


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _ncname(text: str) -> str:
    return re.sub(r"[^\w.-]", "_", text)


@dataclass(frozen=True)
class Field:
    """A Camunda generated-form field (``camunda:formField``).

    ``type`` is written verbatim: string, long, boolean, date, enum, or custom
    types such as "number" and "array". ``values`` (id -> label) is for enums.
    """

    id: str
    type: str = "string"
    label: str | None = None
    required: bool = False
    default: object = None
    values: Mapping[str, str] | None = None
    min: float | None = None
    max: float | None = None
    minlength: int | None = None
    maxlength: int | None = None
    description: str | None = None
    widget: str | None = None  # camunda:property "widget": the front end's widget

    def __post_init__(self):
        if (self.type == "enum") != bool(self.values):
            raise ValueError(f"field {self.id!r}: enum fields, and only they, need values")


@dataclass
class _Node:
    kind: str  # BPMN element name, e.g. "userTask"
    id: str
    name: str | None
    lane: str
    clause: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)  # extra attributes, e.g. camunda:*
    properties: dict[str, str] = field(default_factory=dict)
    form: tuple[Field, ...] = ()
    event: tuple[str, ...] | None = None  # ("message", name) / ("timer", dur) / ("error", code)
    script: str | None = None
    host: str | None = None  # boundary events only


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str | None
    condition: str | None
    clause: str | None


class ProcessBuilder:
    """Collects one process; every node method returns the node id.

    Common keyword arguments: ``lane`` (a role key from ``lanes``; may be omitted
    when there is only one lane, and for boundary events, which default to their
    host's lane), ``clause`` (text of the governing rule, written as
    ``bpmn:documentation``) and ``properties`` (``camunda:properties``).
    """

    def __init__(self, process_id: str, name: str | None = None,
                 lanes: Iterable[tuple[str, str]] = (), main: bool = False,
                 properties: Mapping[str, str] | None = None):
        # camunda:properties of the process; main=True adds main=true: the set's main process
        self.properties = dict(properties or {}) | ({"main": "true"} if main else {})
        self.id = process_id
        self.name = name or process_id
        self.lanes = dict(lanes)  # role -> lane label
        if not self.lanes:
            raise ValueError("a process needs at least one lane")
        self.nodes: dict[str, _Node] = {}
        self.flows: dict[str, _Flow] = {}

    # -- nodes ---------------------------------------------------------------
    def _add(self, kind: str, id: str, name: str | None, lane: str | None,
             clause: str | None = None, properties: Mapping[str, str] | None = None,
             **extra) -> str:
        if id in self.nodes:
            raise ValueError(f"duplicate node id {id!r}")
        if not re.fullmatch(r"[^\W\d][\w.-]*", id):
            raise ValueError(f"{id!r} is not a valid XML id")
        if lane is None and len(self.lanes) == 1:
            lane = next(iter(self.lanes))
        if lane not in self.lanes:
            raise ValueError(f"{id}: unknown lane {lane!r}; lanes are {list(self.lanes)}")
        self.nodes[id] = _Node(kind, id, name, lane, clause,
                               properties=dict(properties or {}), **extra)
        return id

    def start(self, id: str, name: str | None = None, *, lane: str | None = None,
              clause: str | None = None, message: str | None = None,
              form: Iterable[Field] = (), properties=None, timer: str | None = None,
              timer_kind: str = "timeDate") -> str:
        """``form``: the start variables an instance must be started with; ``timer``: the
        started instance waits until then (``timer_kind``: timeDate, timeDuration)."""
        event = ("message", message) if message else ("timer", timer, timer_kind) if timer \
            else None
        return self._add("startEvent", id, name, lane, clause, properties, event=event,
                         form=tuple(form))

    def end(self, id: str, name: str | None = None, *, lane: str | None = None,
            clause: str | None = None, outcome: str | None = None, terminate: bool = False,
            error: str | None = None, properties=None) -> str:
        props = dict(properties or {}) | ({"outcome": outcome} if outcome else {})
        event = ("terminate",) if terminate else ("error", error) if error else None
        return self._add("endEvent", id, name, lane, clause, props, event=event)

    def user_task(self, id: str, name: str, *, lane: str | None = None,
                  clause: str | None = None, candidate_groups: Iterable[str] = (),
                  assignee: str | None = None, due: str | None = None,
                  form: Iterable[Field] = (), properties=None) -> str:
        groups = [candidate_groups] if isinstance(candidate_groups, str) else candidate_groups
        attrs = {"camunda:assignee": assignee, "camunda:candidateGroups": ",".join(groups),
                 "camunda:dueDate": due}
        return self._add("userTask", id, name, lane, clause, properties, form=tuple(form),
                         attrs={k: v for k, v in attrs.items() if v})

    def manual_task(self, id: str, name: str, *, lane: str | None = None,
                    clause: str | None = None, candidate_groups: Iterable[str] = (),
                    due: str | None = None, properties=None) -> str:
        """Work done outside the system and confirmed in it (no form)."""
        attrs = {"camunda:candidateGroups": ",".join(candidate_groups), "camunda:dueDate": due}
        return self._add("manualTask", id, name, lane, clause, properties,
                         attrs={k: v for k, v in attrs.items() if v})

    def script_task(self, id: str, name: str, *, script: str, lane: str | None = None,
                    clause: str | None = None, script_format: str = "python",
                    properties=None) -> str:
        return self._add("scriptTask", id, name, lane, clause, properties, script=script,
                         attrs={"scriptFormat": script_format})

    def business_rule_task(self, id: str, name: str, *, decision: str, lane: str | None = None,
                           clause: str | None = None, result_variable: str | None = None,
                           map_decision_result: str | None = None, properties=None) -> str:
        attrs = {"camunda:decisionRef": decision}
        if result_variable:
            attrs["camunda:resultVariable"] = result_variable
        if map_decision_result:
            attrs["camunda:mapDecisionResult"] = map_decision_result
        return self._add("businessRuleTask", id, name, lane, clause, properties, attrs=attrs)

    def service_task(self, id: str, name: str, *, topic: str | None, lane: str | None = None,
                     clause: str | None = None, kind: str = "serviceTask",
                     priority: int | None = None, attrs: Mapping[str, str] | None = None,
                     properties=None) -> str:
        """An external service (or send) task that workers fetch by ``topic``; ``topic``
        None with ``attrs`` writes another implementation (camunda:class, ...)."""
        written = {"camunda:type": "external", "camunda:topic": topic} if topic else {}
        if priority is not None:
            written["camunda:taskPriority"] = str(priority)
        return self._add(kind, id, name, lane, clause, properties,
                         attrs=written | dict(attrs or {}))

    def call_activity(self, id: str, name: str, *, called: str, lane: str | None = None,
                      clause: str | None = None, properties=None) -> str:
        return self._add("callActivity", id, name, lane, clause, properties,
                         attrs={"calledElement": called})

    def exclusive_gateway(self, id: str, name: str | None = None, *, lane: str | None = None,
                          clause: str | None = None, default: str | None = None) -> str:
        attrs = {"default": default} if default else {}
        return self._add("exclusiveGateway", id, name, lane, clause, attrs=attrs)

    def inclusive_gateway(self, id: str, name: str | None = None, *, lane: str | None = None,
                          clause: str | None = None, default: str | None = None) -> str:
        attrs = {"default": default} if default else {}
        return self._add("inclusiveGateway", id, name, lane, clause, attrs=attrs)

    def event_gateway(self, id: str, name: str | None = None, *, lane: str | None = None,
                      clause: str | None = None) -> str:
        """An event-based gateway: the first of the catch events after it to fire wins."""
        return self._add("eventBasedGateway", id, name, lane, clause)

    def parallel_gateway(self, id: str, name: str | None = None, *, lane: str | None = None,
                         clause: str | None = None) -> str:
        return self._add("parallelGateway", id, name, lane, clause)

    def message_catch(self, id: str, name: str, *, message: str, lane: str | None = None,
                      clause: str | None = None, properties=None) -> str:
        return self._add("intermediateCatchEvent", id, name, lane, clause, properties,
                         event=("message", message))

    def message_throw(self, id: str, name: str, *, message: str, lane: str | None = None,
                      clause: str | None = None, expression: str | None = None,
                      properties=None) -> str:
        """``expression`` (camunda:expression) computes the payload sent with the message."""
        event = ("message", message, expression) if expression else ("message", message)
        return self._add("intermediateThrowEvent", id, name, lane, clause, properties,
                         event=event)

    def timer_catch(self, id: str, name: str, *, duration: str, lane: str | None = None,
                    clause: str | None = None, properties=None,
                    kind: str = "timeDuration") -> str:
        """``kind``: the timer's element, timeDuration, timeDate or timeCycle."""
        return self._add("intermediateCatchEvent", id, name, lane, clause, properties,
                         event=("timer", duration, kind))

    def _boundary(self, id, name, attached_to, cancel, event, clause, properties) -> str:
        host = self.nodes.get(attached_to)
        if host is None or host.kind not in ACTIVITIES:
            raise ValueError(f"{id}: attached_to must name an activity added before, "
                             f"got {attached_to!r}")
        attrs = {} if cancel else {"cancelActivity": "false"}
        attrs["attachedToRef"] = attached_to
        return self._add("boundaryEvent", id, name, host.lane, clause, properties,
                         attrs=attrs, event=event, host=attached_to)

    def boundary_timer(self, id: str, name: str | None = None, *, attached_to: str,
                       duration: str, cancel: bool = True, clause: str | None = None,
                       properties=None, kind: str = "timeDuration") -> str:
        """``kind``: the timer's element, timeDuration, timeDate or timeCycle."""
        return self._boundary(id, name, attached_to, cancel, ("timer", duration, kind),
                              clause, properties)

    def boundary_message(self, id: str, name: str | None = None, *, attached_to: str,
                         message: str, cancel: bool = True, clause: str | None = None,
                         properties=None) -> str:
        return self._boundary(id, name, attached_to, cancel, ("message", message), clause,
                              properties)

    def boundary_error(self, id: str, name: str | None = None, *, attached_to: str,
                       error: str | None = None, clause: str | None = None,
                       properties=None) -> str:
        """Catch ``error`` (an error code), or any error when it is None."""
        return self._boundary(id, name, attached_to, True, ("error", error), clause, properties)

    # -- flows ---------------------------------------------------------------
    def flow(self, source: str, target: str, *, id: str | None = None, name: str | None = None,
             condition: str | None = None, clause: str | None = None) -> str:
        """Add a sequence flow; its id defaults to ``Flow_<source>_<target>``."""
        id = id or _ncname(f"Flow_{source}_{target}")
        if id in self.flows:
            raise ValueError(f"duplicate flow id {id!r}; pass id= for parallel flows")
        self.flows[id] = _Flow(id, source, target, name, condition, clause)
        return id

    def to_xml(self) -> bytes:
        """This process alone, as a whole ``bpmn:definitions`` document."""
        return DefinitionsBuilder([self]).to_xml()

    # -- emission ------------------------------------------------------------
    def lane_id(self, role: str) -> str:
        return _ncname(f"Lane_{role}")

    def _check(self) -> None:
        for f in self.flows.values():
            for end in (f.source, f.target):
                if end not in self.nodes:
                    raise ValueError(f"{f.id}: unknown node {end!r}")
        for n in self.nodes.values():
            default = n.attrs.get("default")
            if default and (default not in self.flows or self.flows[default].source != n.id
                            or self.flows[default].condition):
                raise ValueError(f"{n.id}: default {default!r} must be an unconditional "
                                 f"flow leaving the gateway")

    def layout(self, y0: int = 80) -> Layout:
        size = {"gateway": GATEWAY_SIZE, "event": EVENT_SIZE, "task": TASK_SIZE}
        nodes = [LNode(n.id, size[_category(n.kind)], n.lane, n.host,
                       n.name if _category(n.kind) != "task" else None)
                 for n in self.nodes.values()]
        flows = [LFlow(f.id, f.source, f.target, f.name) for f in self.flows.values()]
        return layout_process(nodes, flows, list(self.lanes), y0=y0)

    def _emit_process(self, root, messages: dict[str, str], errors: dict[str, str]) -> None:
        proc = _sub(root, "bpmn:process", {"id": self.id, "name": self.name,
                                           "isExecutable": "true"})
        if self.properties:
            props = _sub(_sub(proc, "bpmn:extensionElements"), "camunda:properties")
            for key, value in self.properties.items():
                _sub(props, "camunda:property", {"name": key, "value": value})
        lane_set = _sub(proc, "bpmn:laneSet", {"id": _ncname(f"LaneSet_{self.id}")})
        for role, label in self.lanes.items():
            lane = _sub(lane_set, "bpmn:lane", {"id": self.lane_id(role), "name": label})
            for n in self.nodes.values():
                if n.lane == role:
                    _sub(lane, "bpmn:flowNodeRef", text=n.id)
        for n in self.nodes.values():
            self._emit_node(proc, n, messages, errors)
        for f in self.flows.values():
            attrs = {"id": f.id} | ({"name": f.name} if f.name else {})
            el = _sub(proc, "bpmn:sequenceFlow", attrs | {"sourceRef": f.source,
                                                          "targetRef": f.target})
            if f.clause:
                _sub(el, "bpmn:documentation", text=f.clause)
            if f.condition:
                _sub(el, "bpmn:conditionExpression", {"xsi:type": "bpmn:tFormalExpression"},
                     f.condition)

    def _emit_node(self, proc, n: _Node, messages: dict[str, str], errors: dict[str, str]):
        # child order follows the BPMN XSD: documentation, extensionElements,
        # incoming, outgoing, then script / event definitions
        el = _sub(proc, f"bpmn:{n.kind}", {"id": n.id} | ({"name": n.name} if n.name else {})
                  | n.attrs)
        if n.clause:
            _sub(el, "bpmn:documentation", text=n.clause)
        if n.form or n.properties:
            ext = _sub(el, "bpmn:extensionElements")
            if n.form:
                _emit_form(ext, n.form)
            if n.properties:
                props = _sub(ext, "camunda:properties")
                for key, value in n.properties.items():
                    _sub(props, "camunda:property", {"name": key, "value": value})
        for f in self.flows.values():
            if f.target == n.id:
                _sub(el, "bpmn:incoming", text=f.id)
        for f in self.flows.values():
            if f.source == n.id:
                _sub(el, "bpmn:outgoing", text=f.id)
        if n.script is not None:
            _sub(el, "bpmn:script", text=n.script)
        if not n.event:
            return
        kind, *args = n.event
        def_id = f"{kind.capitalize()}EventDefinition_{n.id}"
        attrs = {"id": def_id}
        if kind == "message":
            attrs["messageRef"] = messages.setdefault(args[0], _ncname(f"Message_{args[0]}"))
        elif kind == "error" and args[0]:
            attrs["errorRef"] = errors.setdefault(args[0], _ncname(f"Error_{args[0]}"))
        if kind == "message" and len(args) > 1:
            attrs["camunda:expression"] = args[1]
        definition = _sub(el, f"bpmn:{kind}EventDefinition", attrs)
        if kind == "timer":
            timer_kind = args[1] if len(args) > 1 else "timeDuration"
            _sub(definition, f"bpmn:{timer_kind}", {"xsi:type": "bpmn:tFormalExpression"},
                 args[0])

    def _emit_di(self, plane, lay: Layout) -> None:
        _shape(plane, f"Participant_{self.id}", lay.pool, isHorizontal="true")
        for role in self.lanes:
            _shape(plane, self.lane_id(role), lay.lanes[role], isHorizontal="true")
        hosts_first = [n for n in self.nodes.values() if not n.host]
        for host in hosts_first:
            extra = {"isMarkerVisible": "true"} if host.kind == "exclusiveGateway" else {}
            _shape(plane, host.id, lay.shapes[host.id], lay.labels.get(host.id), **extra)
            for n in self.nodes.values():
                if n.host == host.id:
                    _shape(plane, n.id, lay.shapes[n.id], lay.labels.get(n.id))
        for f in self.flows.values():
            edge = _sub(plane, "bpmndi:BPMNEdge", {"id": f"{f.id}_di", "bpmnElement": f.id})
            for x, y in lay.edges[f.id]:
                _sub(edge, "di:waypoint", {"x": str(x), "y": str(y)})
            if f.id in lay.edge_labels:
                _bounds(_sub(edge, "bpmndi:BPMNLabel"), lay.edge_labels[f.id])


def _category(kind: str) -> str:
    return "gateway" if kind in GATEWAYS else "event" if kind in EVENTS else "task"


def _emit_form(ext, form: tuple[Field, ...]) -> None:
    data = _sub(ext, "camunda:formData")
    for f in form:
        attrs = {"id": f.id} | ({"label": f.label} if f.label else {}) | {"type": f.type}
        if f.default is not None:
            attrs["defaultValue"] = _fmt(f.default)
        el = _sub(data, "camunda:formField", attrs)
        shown = {"description": f.description, "widget": f.widget}
        if any(shown.values()):
            props = _sub(el, "camunda:properties")
            for prop_id, value in shown.items():
                if value:
                    _sub(props, "camunda:property", {"id": prop_id, "value": value})
        limits = {"min": f.min, "max": f.max, "minlength": f.minlength, "maxlength": f.maxlength}
        constraints = [{"name": "required"}] if f.required else []
        constraints += [{"name": k, "config": _fmt(v)} for k, v in limits.items() if v is not None]
        if constraints:
            validation = _sub(el, "camunda:validation")
            for c in constraints:
                _sub(validation, "camunda:constraint", c)
        for value_id, value_name in (f.values or {}).items():
            _sub(el, "camunda:value", {"id": value_id, "name": value_name})


def _bounds(parent, box: Box) -> None:
    _sub(parent, "dc:Bounds", {"x": str(box.x), "y": str(box.y), "width": str(box.w),
                               "height": str(box.h)})


def _shape(plane, element: str, box: Box, label: Box | None = None, **attrs: str) -> None:
    shape = _sub(plane, "bpmndi:BPMNShape", {"id": f"{element}_di", "bpmnElement": element}
                 | attrs)
    _bounds(shape, box)
    if label:
        _bounds(_sub(shape, "bpmndi:BPMNLabel"), label)


class DefinitionsBuilder:
    """Several processes in one file: one collaboration, one pool per process
    (stacked top to bottom). Ids must be unique across all processes."""

    def __init__(self, processes: Iterable[ProcessBuilder], *, id: str | None = None):
        self.processes = list(processes)
        if not self.processes:
            raise ValueError("no processes")
        self.id = id or _ncname(f"Definitions_{self.processes[0].id}")

    def to_xml(self) -> bytes:
        seen: set[str] = set()
        for p in self.processes:
            p._check()
            ids = [p.id, f"Participant_{p.id}", *map(p.lane_id, p.lanes), *p.nodes, *p.flows]
            for dup in [i for i in ids if i in seen]:
                raise ValueError(f"duplicate id {dup!r} across processes")
            seen.update(ids)
        root = etree.Element(_q("bpmn:definitions"), nsmap=NS)
        for key, value in {"id": self.id, "targetNamespace": "http://bpmn.io/schema/bpmn",
                           "exporter": "Camunda Modeler", "exporterVersion": "5.0.0",
                           "modeler:executionPlatform": "Camunda Platform",
                           "modeler:executionPlatformVersion": "7.17.0"}.items():
            root.set(_q(key), value)
        collaboration_id = _ncname(f"Collaboration_{self.processes[0].id}")
        collaboration = _sub(root, "bpmn:collaboration", {"id": collaboration_id})
        for p in self.processes:
            _sub(collaboration, "bpmn:participant", {"id": f"Participant_{p.id}",
                                                     "name": p.name, "processRef": p.id})
        messages: dict[str, str] = {}
        errors: dict[str, str] = {}
        for p in self.processes:
            p._emit_process(root, messages, errors)
        for name, message_id in messages.items():
            _sub(root, "bpmn:message", {"id": message_id, "name": name})
        for code, error_id in errors.items():
            _sub(root, "bpmn:error", {"id": error_id, "name": code, "errorCode": code})
        diagram = _sub(root, "bpmndi:BPMNDiagram", {"id": "BPMNDiagram_1"})
        plane = _sub(diagram, "bpmndi:BPMNPlane", {"id": "BPMNPlane_1",
                                                   "bpmnElement": collaboration_id})
        y = 80
        for p in self.processes:
            lay = p.layout(y0=y)
            p._emit_di(plane, lay)
            y = lay.pool.bottom + 40
        etree.indent(root, space="  ")
        body = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


# -- validation --------------------------------------------------------------

def validate_layout(source: bytes | str | os.PathLike) -> list[str]:
    """Return diagram problems of a BPMN document (XML bytes/str, or a file path).

    Reported: flow nodes without a BPMNShape, sequence flows without a BPMNEdge
    (or with fewer than two waypoints), lanes without a shape, flow nodes in no
    lane or in several lanes, overlapping flow node shapes (a boundary event and
    its host, or an expanded sub-process and its content, may overlap), and
    shapes that are not inside their lane.
    """
    if isinstance(source, os.PathLike) or (isinstance(source, str)
                                            and not source.lstrip().startswith("<")):
        with open(source, "rb") as fh:
            source = fh.read()
    if isinstance(source, str):
        source = source.encode()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(source, parser)
    bounds: dict[str, tuple[float, float, float, float]] = {}
    for shape in root.iter(_q("bpmndi:BPMNShape")):
        b = shape.find(_q("dc:Bounds"))
        if b is not None:
            x, y = float(b.get("x", 0)), float(b.get("y", 0))
            bounds[shape.get("bpmnElement")] = (x, y, x + float(b.get("width", 0)),
                                                y + float(b.get("height", 0)))
    edges = {e.get("bpmnElement"): e for e in root.iter(_q("bpmndi:BPMNEdge"))}
    problems: list[str] = []
    for proc in root.iter(_q("bpmn:process")):
        nodes = [el for el in proc.iter() if isinstance(el.tag, str)
                 and etree.QName(el).namespace == NS["bpmn"]
                 and etree.QName(el).localname in FLOW_NODES]
        for el in nodes:
            if el.get("id") not in bounds:
                problems.append(f"{el.get('id')}: flow node has no BPMNShape")
        for sf in proc.iter(_q("bpmn:sequenceFlow")):
            edge = edges.get(sf.get("id"))
            if edge is None:
                problems.append(f"{sf.get('id')}: sequence flow has no BPMNEdge")
            elif len(edge.findall(_q("di:waypoint"))) < 2:
                problems.append(f"{sf.get('id')}: edge has fewer than 2 waypoints")
        placed = [el for el in nodes if el.get("id") in bounds]
        for i, a in enumerate(placed):
            for b in placed[i + 1:]:
                if not _may_overlap(a, b) and _overlap(bounds[a.get("id")], bounds[b.get("id")]):
                    problems.append(f"{a.get('id')}, {b.get('id')}: shapes overlap")
        problems += _lane_problems(proc, bounds)
    return problems


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _may_overlap(a, b) -> bool:
    if a.get("attachedToRef") == b.get("id") or b.get("attachedToRef") == a.get("id"):
        return True
    # an expanded sub-process contains its own flow nodes
    return any(x is b for x in a.iterancestors()) or any(x is a for x in b.iterancestors())


def _lane_problems(proc, bounds) -> list[str]:
    problems = []
    leaves = [lane for lane in proc.iter(_q("bpmn:lane"))
              if lane.find(_q("bpmn:childLaneSet")) is None]
    membership: dict[str, int] = {}
    for lane in leaves:
        box = bounds.get(lane.get("id"))
        if box is None:
            problems.append(f"{lane.get('id')}: lane has no BPMNShape")
        for ref in lane.findall(_q("bpmn:flowNodeRef")):
            membership[ref.text] = membership.get(ref.text, 0) + 1
            node = bounds.get(ref.text)
            if box and node and not (box[0] <= node[0] and box[1] <= node[1]
                                     and node[2] <= box[2] and node[3] <= box[3]):
                problems.append(f"{ref.text}: shape is outside lane {lane.get('id')}")
    if leaves:
        for el in proc:
            if isinstance(el.tag, str) and etree.QName(el).localname in FLOW_NODES:
                count = membership.get(el.get("id"), 0)
                if count != 1:
                    where = "no lane" if count == 0 else f"{count} lanes"
                    problems.append(f"{el.get('id')}: flow node is in {where}")
    return problems
