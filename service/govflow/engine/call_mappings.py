"""Call activity variable mappings, as Camunda 7 documents them (``camunda:in`` /
``camunda:out`` on a ``bpmn:callActivity``)::

    <camunda:in source="total_investment" target="amount"/>
    <camunda:in sourceExpression="${total_investment * 10000}" target="amount_yuan"/>
    <camunda:in variables="all"/>
    <camunda:in businessKey="#{execution.processBusinessKey}"/>
    <camunda:out source="verdict" target="inspection_verdict"/>
    <camunda:out variables="all"/>

Without any ``camunda:in`` the called process starts with all of the caller's variables,
and without any ``camunda:out`` all of its variables come back (SpiffWorkflow's behaviour,
kept). With mappings only the mapped variables flow: ``in`` builds the called process's
start data from them alone; ``out`` merges them into the caller's variables, which keep
everything else. ``sourceExpression`` (``${...}`` or ``#{...}``) is evaluated in the
sandbox, in the caller's data for ``in`` and the called process's for ``out``. A missing
``source`` variable maps to nothing (Camunda sets null; GovFlow leaves the target unset).
The called process runs inside the caller's instance, so it always has the caller's
business key: ``businessKey`` is accepted and changes nothing.
"""

import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import CallActivity

from .expressions import unwrap
from .forms import CAMUNDA

_EXPRESSION = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.DOTALL)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,199}")
BUSINESS_KEY = "#{execution.processBusinessKey}"


class MappingError(ValueError):
    """A ``camunda:in``/``camunda:out`` that GovFlow cannot read."""


@dataclass(frozen=True)
class Mapping:
    """One mapping: all variables, or one target from a variable or an expression."""

    all: bool = False
    source: str | None = None
    expression: str | None = None
    target: str | None = None


def expression_of(text: str) -> str:
    """The sandbox expression of ``${...}`` / ``#{...}`` (JUEL or Python: juel.py)."""
    found = _EXPRESSION.match(text)
    if not found or not found.group(1).strip():
        raise MappingError(f"sourceExpression {text!r} is not of the form ${{expression}}")
    return unwrap(text)


def read_mappings(node: Any, kind: str) -> tuple[Mapping, ...] | None:
    """The element's ``camunda:in`` (kind ``in``) or ``camunda:out`` mappings; None when it
    has none (everything flows)."""
    found = node.findall(f"./{{*}}extensionElements/{{{CAMUNDA}}}{kind}")
    if not found:
        return None
    return tuple(_mapping(m, kind) for m in found)


def _mapping(node: Any, kind: str) -> Mapping:
    where = f"camunda:{kind}"
    attrs = {k: v for k, v in node.attrib.items() if k != "local"}
    if "businessKey" in attrs:
        if set(attrs) != {"businessKey"} or kind != "in":
            raise MappingError(f"{where} with businessKey takes no other attribute "
                               "(and only camunda:in has one)")
        if attrs["businessKey"].strip() != BUSINESS_KEY:
            raise MappingError(f"{where} businessKey must be {BUSINESS_KEY}: the called "
                               "process runs in the caller's instance and has its key")
        return Mapping()
    if "variables" in attrs:
        if attrs["variables"] != "all" or set(attrs) != {"variables"}:
            raise MappingError(f"{where} variables takes only the value 'all', alone")
        return Mapping(all=True)
    target = attrs.get("target")
    if not target or not _NAME.fullmatch(target):
        raise MappingError(f"{where} needs a target variable name (letters, digits, _)")
    if ("source" in attrs) == ("sourceExpression" in attrs):
        raise MappingError(f"{where} target={target!r} needs exactly one of source and "
                           "sourceExpression")
    if set(attrs) - {"source", "sourceExpression", "target"}:
        raise MappingError(f"{where} has attributes GovFlow does not read: "
                           f"{', '.join(sorted(set(attrs) - {'source', 'sourceExpression', 'target'}))}")
    if "source" in attrs:
        return Mapping(source=attrs["source"], target=target)
    return Mapping(expression=expression_of(attrs["sourceExpression"]), target=target)


def _apply(mappings: tuple[Mapping, ...], task: Any) -> dict[str, Any]:
    """What the mappings take from ``task``'s data (expressions through the sandbox)."""
    data, result = task.data, {}
    for m in mappings:
        if m.all:
            result.update(deepcopy(data))
        elif m.source is not None:
            if m.source in data:
                result[m.target or m.source] = deepcopy(data[m.source])
        elif m.expression is not None and m.target:
            result[m.target] = task.workflow.script_engine.evaluate(task, m.expression)
    return result


class MappedCallActivity(CallActivity):
    """A call activity that passes only the mapped variables, when it maps any."""

    in_mappings: tuple[Mapping, ...] | None = None
    out_mappings: tuple[Mapping, ...] | None = None

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        if self.in_mappings is None:
            super().copy_data(my_task, subworkflow)
            return
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True,
                                          spec_name="Start")
        start.set_data(**_apply(self.in_mappings, my_task))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        if self.out_mappings is None:
            super().update_data(my_task, subworkflow)
            return
        my_task.data.update(_apply(self.out_mappings, subworkflow.last_task))
