"""Gates: conditions a regulation makes mandatory (方可, 不得, 应当, 须) on a task's completion.

A process owner writes one on a user or manual task in Camunda Modeler's Extensions tab as a
property whose name is ``gate:`` followed by the clause and what it requires, and whose value
is an expression over the task's data with the submission applied::

    <camunda:property name="gate: 招远 第十八条 通过安全风险评估后方可验收"
                      value="${security_assessment_passed}"/>

A completion is refused unless every gate holds: a gate that is false, or that cannot be
evaluated (a variable it reads is missing), refuses it naming the clause, and the instance
stays as it was. The expression runs in the same sandbox as conditions (scripting.py).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .errors import StepError
from .expressions import evaluate, unwrap
from .forms import CAMUNDA

PREFIX = "gate:"
_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": CAMUNDA}
_PROPERTIES = "./bpmn:extensionElements/camunda:properties/camunda:property"


@dataclass(frozen=True)
class GateDef:
    clause: str  # the text after "gate:": the clause and what it requires
    expression: str  # as written (``${...}`` or Python)


@dataclass(frozen=True)
class FailedGate:
    gate: GateDef
    reason: str | None  # why it could not be evaluated; None when it was simply false


class GateRefused(Exception):
    """A completion that fails one or more gates."""

    def __init__(self, task_key: str, failed: list[FailedGate]) -> None:
        self.task_key = task_key
        self.failed = failed
        first = failed[0]
        super().__init__("; ".join(
            f.gate.clause + (f" ({f.reason})" if f.reason else "") for f in failed)
            if len(failed) > 1 else first.gate.clause
            + (f" ({first.reason})" if first.reason else ""))


class GateError(ValueError):
    """A gate property that cannot be read (no clause, no expression)."""


def gates_of(node: etree._Element) -> tuple[GateDef, ...]:
    """The gates a task declares, in document order."""
    found = []
    for prop in node.xpath(_PROPERTIES, namespaces=_NS):
        name = (prop.get("name") or "").strip()
        if not name.lower().startswith(PREFIX):
            continue
        clause, expression = name[len(PREFIX):].strip(), (prop.get("value") or "").strip()
        if not clause or not expression:
            raise GateError(f"task '{node.get('id')}': a gate property needs the clause after "
                            "'gate:' in its name and an expression as its value")
        found.append(GateDef(clause, expression))
    return tuple(found)


def gate_expressions(root: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """Every gate's expression (Python source) with its property node, for upload checks."""
    for prop in root.iter(f"{{{CAMUNDA}}}property"):
        name = (prop.get("name") or "").strip()
        if name.lower().startswith(PREFIX) and (prop.get("value") or "").strip():
            yield unwrap(prop.get("value") or ""), prop


def failed_gates(gates: tuple[GateDef, ...], data: Mapping[str, Any], element: str
                 ) -> list[FailedGate]:
    failed = []
    for gate in gates:
        try:
            held = evaluate(gate.expression, data, element, "gate")
        except StepError as exc:
            failed.append(FailedGate(gate, _missing(str(exc))))
            continue
        if not held:
            failed.append(FailedGate(gate, None))
    return failed


def _missing(message: str) -> str:
    if "NameError" in message:
        return "a value it needs is missing: " + message.rsplit(":", 1)[-1].strip()
    return message
