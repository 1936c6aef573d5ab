"""Writes DMN 1.3 decision tables the way Camunda Modeler does, with a DRD shape each.

Input entries are FEEL simple unary tests (``< 100``, ``[100..500[``, ``"a","b"``,
``not("x")``) or GovFlow's Python forms (``100 <= ? < 500``); ``-`` matches anything. Output
entries and input expressions are Python (docs/dmn.md). A rule's annotation
(``description``) cites its clause. A decision may require others (a DRD edge each) or be a
literal expression (``LiteralDecision``).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DC = "http://www.omg.org/spec/DMN/20180521/DC/"
DI = "http://www.omg.org/spec/DMN/20180521/DI/"


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
    values: str | None = None  # outputValues, e.g. '"high","medium","low"' (PRIORITY)


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
    aggregation: str | None = None
    requires: Sequence[str] = ()

    def rule(self, inputs: Sequence[str], outputs: Sequence[str], annotation: str) -> None:
        if len(inputs) != len(self.inputs) or len(outputs) != len(self.outputs):
            raise ValueError(f"{self.id}: a rule needs {len(self.inputs)} input and "
                             f"{len(self.outputs)} output entries")
        self.rules.append(Rule(tuple(inputs), tuple(outputs), annotation))


@dataclass
class LiteralDecision:
    id: str
    name: str
    variable: str
    text: str
    type: str = "string"
    requires: Sequence[str] = ()


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str
         ) -> etree._Element:
    ns, local = (DMN, tag) if ":" not in tag else ({"dmndi": DMNDI, "dc": DC, "di": DI}[tag.split(":")[0]],
                                                   tag.split(":")[1])
    el = etree.SubElement(parent, f"{{{ns}}}{local}", {k: v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def dmn_document(definitions_id: str, name: str,
                 tables: Iterable[DecisionTable | LiteralDecision]) -> bytes:
    """One DMN file holding the given decisions, laid out in a row on the DRD."""
    tables = list(tables)
    # The DI namespace only where a DRD edge needs it: files without one stay as they were.
    edges = {"di": DI} if any(t.requires for t in tables) else {}
    root = etree.Element(f"{{{DMN}}}definitions", nsmap={None: DMN, "dmndi": DMNDI, "dc": DC,
                                                         **edges},
                         id=definitions_id, name=name,
                         namespace="http://camunda.org/schema/1.0/dmn",
                         expressionLanguage="python", exporter="Camunda Modeler",
                         exporterVersion="5.0.0")
    for table in tables:
        decision = _sub(root, "decision", id=table.id, name=table.name)
        if isinstance(table, LiteralDecision):
            _sub(decision, "variable", id=f"InformationItem_{table.id}", name=table.variable,
                 typeRef=table.type)
        for required in table.requires:
            _sub(_sub(decision, "informationRequirement",
                      id=f"InformationRequirement_{table.id}_{required}"),
                 "requiredDecision", href=f"#{required}")
        if isinstance(table, LiteralDecision):
            literal = _sub(decision, "literalExpression", id=f"LiteralExpression_{table.id}")
            _sub(literal, "text", table.text)
            continue
        extra = {"aggregation": table.aggregation} if table.aggregation else {}
        dt = _sub(decision, "decisionTable", id=f"DecisionTable_{table.id}",
                  hitPolicy=table.hit_policy, **extra)
        for i, inp in enumerate(table.inputs, 1):
            el = _sub(dt, "input", id=f"Input_{table.id}_{i}", label=inp.label)
            expr = _sub(el, "inputExpression", id=f"InputExpression_{table.id}_{i}",
                        typeRef=inp.type)
            _sub(expr, "text", inp.expression)
        for i, out in enumerate(table.outputs, 1):
            el = _sub(dt, "output", id=f"Output_{table.id}_{i}", label=out.label,
                      name=out.name, typeRef=out.type)
            if out.values is not None:
                _sub(_sub(el, "outputValues", id=f"UnaryTests_{table.id}_{i}"), "text",
                     out.values)
        for r, rule in enumerate(table.rules, 1):
            el = _sub(dt, "rule", id=f"Rule_{table.id}_{r}")
            _sub(el, "description", rule.annotation)
            for i, entry in enumerate(rule.inputs, 1):
                _sub(_sub(el, "inputEntry", id=f"InputEntry_{table.id}_{r}_{i}"), "text", entry)
            for i, entry in enumerate(rule.outputs, 1):
                _sub(_sub(el, "outputEntry", id=f"OutputEntry_{table.id}_{r}_{i}"), "text",
                     entry)
    diagram = _sub(_sub(root, "dmndi:DMNDI"), "dmndi:DMNDiagram", id=f"DMNDiagram_{definitions_id}")
    where = {}
    for n, table in enumerate(tables):
        shape = _sub(diagram, "dmndi:DMNShape", id=f"DMNShape_{table.id}",
                     dmnElementRef=table.id)
        where[table.id] = (160 + n * 240, 100)
        _sub(shape, "dc:Bounds", height="80", width="180", x=str(where[table.id][0]), y="100")
    for table in tables:
        for required in (r for r in table.requires if r in where):
            edge = _sub(diagram, "dmndi:DMNEdge", id=f"DMNEdge_{table.id}_{required}",
                        dmnElementRef=f"InformationRequirement_{table.id}_{required}")
            (sx, sy), (tx, ty) = where[required], where[table.id]
            _sub(edge, "di:waypoint", x=str(sx + 90), y=str(sy))
            _sub(edge, "di:waypoint", x=str(tx + 90), y=str(ty))
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
