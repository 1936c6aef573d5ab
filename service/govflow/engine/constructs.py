"""Refusing at upload what would not run, and naming the real culprit of a broken reference.

A construct GovFlow does not run (compensation, listeners, connectors, scripts in another
language, complex gateways, transactions, ad-hoc sub-processes, conditional events, data
stores, external forms) would otherwise be ignored or fail an instance months later: each is
a problem naming the file, the line, the element and what to use instead. Timer cycles are
checked here too (where a cycle may stand, and its value), and references that point
nowhere (a sequence flow's ends, a call activity's process, a message) name the element
that holds the reference, not the one that is missing.
"""

from collections.abc import Collection, Iterator
from typing import Any

from lxml import etree

from .errors import DiagramProblem
from .forms import CAMUNDA
from .iso_timers import parse_cycle

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_B = f"{{{BPMN_NS}}}"
_C = f"{{{CAMUNDA}}}"

# BPMN element -> (what it is, what to use instead)
REFUSED_ELEMENTS = {
    "complexGateway": ("a complex gateway", ("an inclusive gateway with conditions on its "
                       "outgoing flows, or an exclusive gateway")),
    "transaction": ("a transaction sub-process", ("an ordinary sub-process; end a failed "
                    "branch with an error end event caught by a boundary error event")),
    "adHocSubProcess": ("an ad-hoc sub-process", ("user tasks after a parallel gateway, or a "
                        "multi-instance user task")),
    "compensateEventDefinition": ("a compensation event", ("ordinary tasks that undo the work, "
                                  "on the path of an error or escalation")),
    "conditionalEventDefinition": ("a conditional event", ("an exclusive gateway after the step "
                                   "that changes the data, a message, or a timer")),
    "dataStoreReference": ("a data store", ("process variables (data stores are neither read "
                           "nor written); remove the data store")),
}
REFUSED_EXTENSIONS = {
    "executionListener": ("a camunda:executionListener", "a script task (Python) on the path"),
    "taskListener": ("a camunda:taskListener", ("a script task after the user task, or a "
                     "boundary timer for reminders")),
    "connector": ("a camunda:connector", 'an external task (camunda:type="external")'),
}


def refused_constructs(name: str, tree: Any, processes: Collection[str]) -> list[DiagramProblem]:
    """Every problem of one file: constructs that do not run, bad timer cycles, references
    that point nowhere. ``processes``: the ids of every process in the set."""
    root = tree.getroot()
    return [*_elements(name, root), *_scripts(name, root), *_cycles(name, root),
            *_references(name, root, processes)]


def _problem(file: str, node: Any, message: str) -> DiagramProblem:
    owner = _owner(node)
    label = owner.get("name")
    what = f"{etree.QName(owner).localname} '{owner.get('id')}'" + (
        f" ({label})" if label else "")
    return DiagramProblem(file, f"{what}: {message}", node.sourceline, owner.get("id"))


def owner_id(node: Any) -> str | None:
    """The id of the element a person would click on for ``node`` (an event, not its
    event definition)."""
    found = _owner(node)
    return found.get("id") if found is not None else None


def _owner(node: Any) -> Any:
    """The nearest BPMN element with an id: the element a person would click on."""
    found = node
    while found is not None and (etree.QName(found).namespace != BPMN_NS or not found.get("id")
                                 or etree.QName(found).localname.endswith("EventDefinition")):
        found = found.getparent()
    return found if found is not None else node


def _elements(file: str, root: Any) -> Iterator[DiagramProblem]:
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        local, ns = etree.QName(node).localname, etree.QName(node).namespace
        refused = (REFUSED_ELEMENTS.get(local) if ns == BPMN_NS
                   else REFUSED_EXTENSIONS.get(local) if ns == CAMUNDA else None)
        if refused:
            yield _problem(file, node, f"{refused[0]} is not supported: use {refused[1]}")
        elif ns == BPMN_NS and node.get("isForCompensation") == "true":
            yield _problem(file, node, "a compensation activity is not supported: use "
                           "ordinary tasks that undo the work, on the path of an error or "
                           "escalation")
        elif node.get(f"{_C}formKey") and node.find(f".//{_C}formData") is None:
            # Modeler 3 wrote a formKey beside the Forms tab's fields: those are the form.
            yield _problem(file, node, f"an external form (camunda:formKey "
                           f"'{node.get(f'{_C}formKey')}') alone is not supported: define the "
                           "fields in the Forms tab (camunda:formData); the API serves them "
                           "as the task's JSON Schema")


def _scripts(file: str, root: Any) -> Iterator[DiagramProblem]:
    for node in root.iter(f"{_B}scriptTask"):
        language = (node.get("scriptFormat") or "python").strip()
        if language.lower() != "python":
            yield _problem(file, node, f"scripts in '{language}' are not run: write the "
                           'script in Python (scriptFormat "python"), which the sandbox runs')
        if node.get(f"{_C}resource"):
            yield _problem(file, node, "an external script resource is not supported: write "
                           "the script inline")


def _cycles(file: str, root: Any) -> Iterator[DiagramProblem]:
    for node in root.iter(f"{_B}timeCycle"):
        text = (node.text or "").strip()
        event = _owner(node)
        repeating = (etree.QName(event).localname == "boundaryEvent"
                     and event.get("cancelActivity") == "false")
        if not repeating:
            yield _problem(file, node, f"the timer cycle {text!r} repeats only on a "
                           "non-interrupting boundary event (a reminder while a task waits): "
                           "use timeDuration or timeDate here")
            continue
        try:
            parse_cycle(text)
        except ValueError as exc:
            yield _problem(file, node, str(exc))
    for node in root.iter(f"{_B}timerEventDefinition"):
        kinds = [k for k in node if isinstance(k.tag, str)
                 and etree.QName(k).localname in ("timeDate", "timeDuration", "timeCycle")]
        if len(kinds) != 1 or not (kinds[0].text or "").strip():
            yield _problem(file, node, "a timer needs exactly one of timeDuration, timeDate "
                           "or timeCycle, with a value")


def _references(file: str, root: Any, processes: Collection[str]) -> Iterator[DiagramProblem]:
    ids = {n.get("id") for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
    for flow in root.iter(f"{_B}sequenceFlow"):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        for end, ref in (("source", source), ("target", target)):
            if ref not in ids:
                yield _problem(file, flow, f"the sequence flow from '{source}' to '{target}' "
                               f"names {end} '{ref}', which is no element of this file: "
                               "connect the flow to an element in the modeler")
    for call in root.iter(f"{_B}callActivity"):
        called = call.get("calledElement")
        if called and called not in processes and not called.startswith("${"):
            yield _problem(file, call, f"calls process '{called}', which is in no file of "
                           f"the set (processes: {', '.join(sorted(processes)) or 'none'}): "
                           "upload its file with the set, or correct the called element")
    messages = {m.get("id") for m in root.iter(f"{_B}message")}
    for definition in root.iter(f"{_B}messageEventDefinition", f"{_B}receiveTask",
                                f"{_B}sendTask"):
        ref = definition.get("messageRef")
        if ref and ref not in messages:
            yield _problem(file, definition, f"refers to message '{ref}', which this file does "
                           "not define: pick a message in the modeler (Message > Global "
                           "message reference)")
