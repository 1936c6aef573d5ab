"""Link events: an intermediate throw link goes on at the intermediate catch link of the
same name in the same process (or sub-process) level, as a sequence flow would.

SpiffWorkflow 3.2.0 knows no link events: it read a throw link as a none event that ends
its branch and never reached the catch link, so the instance stood still. GovFlow rewrites
each pair into a sequence flow in the copy of the diagram it hands the library (the stored
file is untouched), and refuses at upload a throw link without a catch of its name, or two
catch links of one name in a level.
"""

import copy
from collections.abc import Iterator
from typing import Any

from .errors import DiagramProblem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_SCOPES = ("process", "subProcess", "transaction")


def _tag(name: str) -> str:
    return f"{{{BPMN}}}{name}"


def _link(event: Any) -> Any:
    return event.find(_tag("linkEventDefinition"))


def _name(event: Any) -> str:
    definition = _link(event)
    return (definition.get("name") or event.get("name") or "").strip()


def _scopes(root: Any) -> Iterator[Any]:
    for scope in _SCOPES:
        yield from root.iter(_tag(scope))


def has_links(tree: Any) -> bool:
    return any(True for _ in tree.getroot().iter(_tag("linkEventDefinition")))


def problems(file: str, tree: Any) -> list[DiagramProblem]:
    """Throw links without a catch link of their name in their level; names caught twice."""
    found = []
    for scope in _scopes(tree.getroot()):
        catches: dict[str, Any] = {}
        for event in scope.findall(_tag("intermediateCatchEvent")):
            if _link(event) is None:
                continue
            name = _name(event)
            if not name:
                found.append(DiagramProblem(file, "a catch link needs a name", event.sourceline,
                                            event.get("id")))
            elif name in catches:
                found.append(DiagramProblem(
                    file, f"two catch links are named '{name}' in one process level: a throw "
                          "link must lead to one", event.sourceline, event.get("id")))
            catches[name] = event
        for event in scope.findall(_tag("intermediateThrowEvent")):
            if _link(event) is not None and _name(event) not in catches:
                found.append(DiagramProblem(
                    file, f"the throw link '{_name(event)}' has no catch link of that name in "
                          "the same process level: add an intermediate catch link event named "
                          f"'{_name(event)}' where the flow goes on", event.sourceline,
                    event.get("id")))
    return found


def rewritten(tree: Any) -> Any:
    """A copy of the tree in which every throw link flows into its catch link (both plain
    pass-through events); the tree itself when it has no links."""
    if not has_links(tree):
        return tree
    tree = copy.deepcopy(tree)
    for scope in _scopes(tree.getroot()):
        catches = {_name(e): e for e in scope.findall(_tag("intermediateCatchEvent"))
                   if _link(e) is not None}
        for throw in scope.findall(_tag("intermediateThrowEvent")):
            if _link(throw) is None:
                continue
            catch = catches[_name(throw)]
            flow_id = f"{throw.get('id')}__link__{catch.get('id')}"
            scope.append(scope.makeelement(_tag("sequenceFlow"), {
                "id": flow_id, "sourceRef": throw.get("id"), "targetRef": catch.get("id")}))
            throw.remove(_link(throw))
            _insert_ref(throw, "outgoing", flow_id)
            _insert_ref(catch, "incoming", flow_id)
        for catch in catches.values():
            catch.remove(_link(catch))
            catch.tag = _tag("intermediateThrowEvent")  # a none event: passes straight on
    return tree


def _insert_ref(event: Any, kind: str, flow_id: str) -> None:
    ref = event.makeelement(_tag(kind), {})
    ref.text = flow_id
    event.append(ref)
