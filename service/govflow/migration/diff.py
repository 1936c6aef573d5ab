"""Comparing two diagram sets of a tenant: processes, elements, flows, deadlines and
decision rules that one adds, removes or changes against the other."""

from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from ..engine.specs import BPMN_NS, DiagramSpecs
from ..engine.xmlsafe import parse_xml

# Not elements a token stops at: the diagram's structure and its annotations.
_NOT_ELEMENTS = {"sequenceFlow", "laneSet", "lane", "flowNodeRef", "extensionElements",
                 "documentation", "incoming", "outgoing", "conditionExpression",
                 "textAnnotation", "association", "dataObject", "dataObjectReference",
                 "dataStoreReference", "dataInputAssociation", "dataOutputAssociation"}


def compare(old: DiagramSpecs, new: DiagramSpecs) -> dict[str, Any]:
    """What ``new`` adds, removes and changes against ``old``."""
    before, after = _outline(old), _outline(new)
    return {
        "processes": _keyed(before, after, _process_changes),
        "decisions": _keyed(_decisions(old), _decisions(new), _decision_changes),
        "main_process": {"from": old.main_process_id, "to": new.main_process_id}
        if old.main_process_id != new.main_process_id else None,
    }


def _keyed(before: Mapping[str, Any], after: Mapping[str, Any],
           changes: Callable[[Any, Any], dict[str, Any] | None]) -> dict[str, Any]:
    changed = {}
    for key in sorted(set(before) & set(after)):
        found = changes(before[key], after[key])
        if found:
            changed[key] = found
    return {"added": sorted(set(after) - set(before)),
            "removed": sorted(set(before) - set(after)), "changed": changed}


def _outline(specs: DiagramSpecs) -> dict[str, dict[str, Any]]:
    """Per process: its elements, flows and deadlines, as plain values."""
    result: dict[str, dict[str, Any]] = {}
    deadlines = _deadlines(specs)
    for name, content in sorted(specs.files.items()):
        if not name.endswith(".bpmn"):
            continue
        root = parse_xml(content, name).getroot()
        for process in root.iterfind(f"{{{BPMN_NS}}}process"):
            pid = process.get("id")
            if pid not in specs.processes:
                continue
            elements, flows = {}, {}
            for node in process.iter():
                if not isinstance(node.tag, str) or not node.get("id"):
                    continue
                qname = etree.QName(node)
                if qname.namespace != BPMN_NS or qname.localname in _NOT_ELEMENTS:
                    if qname.localname == "sequenceFlow":
                        condition = node.find(f"{{{BPMN_NS}}}conditionExpression")
                        flows[node.get("id")] = {
                            "source": node.get("sourceRef"), "target": node.get("targetRef"),
                            "condition": (condition.text or "").strip()
                            if condition is not None else None}
                    continue
                if node is process:
                    continue
                elements[node.get("id")] = {"kind": qname.localname, "name": node.get("name")}
            result[pid] = {"elements": elements, "flows": flows,
                           "deadlines": deadlines.get(pid, {})}
    return result


def _deadlines(specs: DiagramSpecs) -> dict[str, dict[str, str]]:
    """Per process: element id -> its deadline (task due dates and timers), the process's
    own elements only (a called process is compared as a process of its own)."""
    result: dict[str, dict[str, str]] = {}
    for pid, info in specs.processes.items():
        own = result.setdefault(pid, {})
        for task in info.human_tasks:
            if task.due:
                own.setdefault(task.key, task.due)
        for timer in info.timers:
            own.setdefault(timer.element_id, timer.deadline)
    return result


def _process_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    found = {part: _items(old[part], new[part]) for part in ("elements", "flows", "deadlines")}
    return found if any(any(v.values()) for v in found.values()) else None


def _items(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    return {"added": [{"id": k, "to": new[k]} for k in sorted(set(new) - set(old))],
            "removed": [{"id": k, "from": old[k]} for k in sorted(set(old) - set(new))],
            "changed": [{"id": k, "from": old[k], "to": new[k]}
                        for k in sorted(set(old) & set(new)) if old[k] != new[k]]}


def _decisions(specs: DiagramSpecs) -> dict[str, dict[str, Any]]:
    return {did: {"inputs": [i.expression for i in d.inputs],
                  "outputs": [o.name for o in d.outputs],
                  "rules": {r.id: {"inputs": list(r.inputs), "outputs": list(r.outputs),
                                   "annotation": r.annotation} for r in d.rules}}
            for did, d in specs.decisions.items()}


def _decision_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    found: dict[str, Any] = {"rules": _items(old["rules"], new["rules"])}
    for part in ("inputs", "outputs"):
        if old[part] != new[part]:
            found[part] = {"from": old[part], "to": new[part]}
    return found if len(found) > 1 or any(found["rules"].values()) else None
