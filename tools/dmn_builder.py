"""Writes DMN 1.3 decision tables the way Camunda Modeler does, with a DRD shape each.

Entries are SpiffWorkflow (Python) expressions: ``< 100``, ``100 <= ? < 500``, ``"onsite"``,
``True``; ``-`` matches anything. A rule's annotation (``description``) cites its clause.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DC = "http://www.omg.org/spec/DMN/20180521/DC/"


@dataclass(frozen=True)
class Input:
    label: str
    expression: str
    type: str = "string"


@dataclass(frozen=True)
class Output:
    name: str
    label: str
    type: str = "string"


@dataclass(frozen=True)
class Rule:
    inputs: Sequence[str]
    outputs: Sequence[str]
    annotation: str


@dataclass
class DecisionTable:
    id: str
    name: str
    inputs: list[Input]
    outputs: list[Output]
    rules: list[Rule] = field(default_factory=list)
    hit_policy: str = "UNIQUE"

    def rule(self, inputs: Sequence[str], outputs: Sequence[str], annotation: str) -> None:
        if len(inputs) != len(self.inputs) or len(outputs) != len(self.outputs):
            raise ValueError(f"{self.id}: a rule needs {len(self.inputs)} input and "
                             f"{len(self.outputs)} output entries")
        self.rules.append(Rule(tuple(inputs), tuple(outputs), annotation))


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str
         ) -> etree._Element:
    ns, local = (DMN, tag) if ":" not in tag else ({"dmndi": DMNDI, "dc": DC}[tag.split(":")[0]],
                                                   tag.split(":")[1])
    el = etree.SubElement(parent, f"{{{ns}}}{local}", {k: v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def dmn_document(definitions_id: str, name: str, tables: Iterable[DecisionTable]) -> bytes:
    """One DMN file holding the given decisions, laid out in a row on the DRD."""
    root = etree.Element(f"{{{DMN}}}definitions", nsmap={None: DMN, "dmndi": DMNDI, "dc": DC},
                         id=definitions_id, name=name,
                         namespace="http://camunda.org/schema/1.0/dmn",
                         expressionLanguage="python", exporter="Camunda Modeler",
                         exporterVersion="5.0.0")
    tables = list(tables)
    for table in tables:
        decision = _sub(root, "decision", id=table.id, name=table.name)
        dt = _sub(decision, "decisionTable", id=f"DecisionTable_{table.id}",
                  hitPolicy=table.hit_policy)
        for i, inp in enumerate(table.inputs, 1):
            el = _sub(dt, "input", id=f"Input_{table.id}_{i}", label=inp.label)
            expr = _sub(el, "inputExpression", id=f"InputExpression_{table.id}_{i}",
                        typeRef=inp.type)
            _sub(expr, "text", inp.expression)
        for i, out in enumerate(table.outputs, 1):
            _sub(dt, "output", id=f"Output_{table.id}_{i}", label=out.label, name=out.name,
                 typeRef=out.type)
        for r, rule in enumerate(table.rules, 1):
            el = _sub(dt, "rule", id=f"Rule_{table.id}_{r}")
            _sub(el, "description", rule.annotation)
            for i, entry in enumerate(rule.inputs, 1):
                _sub(_sub(el, "inputEntry", id=f"InputEntry_{table.id}_{r}_{i}"), "text", entry)
            for i, entry in enumerate(rule.outputs, 1):
                _sub(_sub(el, "outputEntry", id=f"OutputEntry_{table.id}_{r}_{i}"), "text",
                     entry)
    diagram = _sub(_sub(root, "dmndi:DMNDI"), "dmndi:DMNDiagram", id=f"DMNDiagram_{definitions_id}")
    for n, table in enumerate(tables):
        shape = _sub(diagram, "dmndi:DMNShape", id=f"DMNShape_{table.id}",
                     dmnElementRef=table.id)
        _sub(shape, "dc:Bounds", height="80", width="180", x=str(160 + n * 240), y="100")
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
