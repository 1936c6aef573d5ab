"""A human task's own data: ``camunda:inputOutput`` mappings as Camunda Modeler writes them.

``camunda:inputParameter``\\s are the task's local values: evaluated when the task becomes
ready, they prefill its form and are visible to its assignment expressions, and never
become process variables. ``camunda:outputParameter``\\s say what of a submission reaches the
process: only those names, each computed from the task's data and its submission. Without
output parameters a submission merges into the process as it is (except in a
multi-instance slot, whose output goes to the collected output: multiinstance.py).

A parameter's value is its text: a literal, or a ``${...}`` expression. Camunda's nested
``camunda:list``, ``camunda:map`` and ``camunda:script`` values are refused at upload.
"""

from collections.abc import Mapping
from typing import Any

from lxml import etree

from .expressions import evaluate, is_expression

_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
       "camunda": "http://camunda.org/schema/1.0/bpmn"}

Parameters = tuple[tuple[str, str], ...]  # (name, literal or ${expression})


class MappingError(ValueError):
    """A parameter GovFlow cannot read; names it."""


def parameters(node: etree._Element, kind: str) -> Parameters:
    """The task's ``camunda:inputParameter`` (kind "input") or ``outputParameter`` list."""
    found = []
    for param in node.xpath(f"./bpmn:extensionElements/camunda:inputOutput/camunda:{kind}"
                            "Parameter", namespaces=_NS):
        name = param.get("name") or ""
        if not name.isidentifier():
            raise MappingError(f"the {kind} parameter '{name}' is not a variable name")
        if len(param):
            raise MappingError(f"the {kind} parameter '{name}': only a text value (a literal "
                               "or ${expression}) is supported, not a list, map or script")
        found.append((name, (param.text or "").strip()))
    return tuple(found)


def expressions(node: etree._Element) -> list[str]:
    """Every ``${...}`` a task's parameters hold (checked by the sandbox at upload)."""
    return [value for kind in ("input", "output") for _, value in parameters(node, kind)
            if is_expression(value)]


def compute(params: Parameters, data: Mapping[str, Any], element: str, kind: str
            ) -> dict[str, Any]:
    """Each parameter's value against ``data``; a failure names the element."""
    return {name: evaluate(value, data, element, f"{kind} parameter '{name}'")
            if is_expression(value) else value for name, value in params}
