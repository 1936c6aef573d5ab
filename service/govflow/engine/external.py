"""External service tasks: work another system fetches, locks and completes over REST
(Camunda 7's external task pattern).

A service or send task is external when Camunda Modeler's "Implementation: External"
is chosen, which writes::

    <bpmn:serviceTask id="pay" name="拨付资金" camunda:type="external" camunda:topic="payment"
                      camunda:taskPriority="10">
      <bpmn:extensionElements>
        <camunda:properties>
          <camunda:property name="outputs" value="voucher_no,paid_on"/>
        </camunda:properties>
      </bpmn:extensionElements>

``outputs`` lists the variables a worker may set when it completes the task (or throws a
BPMN error): declared like a message catch's ``payload`` (message_catch.py), and without it
a worker sets none. Every other implementation (``camunda:class``, ``camunda:expression``,
``camunda:delegateExpression``, a connector) would run code inside the engine, which
GovFlow never does: such a task is refused at upload.

The task waits like a user task (the engine leaves it ready) until ``complete`` or
``throw_error``; the runtime reports the external tasks that appeared and went away, and
the store keeps them in the ``external_tasks`` table, where workers claim them.
"""

import re
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from .errors import StepError
from .forms import CAMUNDA

OUTPUTS = "outputs"
MAX_TOPIC = 200
# A topic is what workers subscribe to: printable, no blanks, no control characters.
_TOPIC = re.compile(r"[^\s\x00-\x1f\x7f]{1,200}")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_PROPERTIES = "./bpmn:extensionElements/camunda:properties/camunda:property"
_IMPLEMENTATIONS = ("class", "expression", "delegateExpression")
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_NS = {"bpmn": BPMN, "camunda": CAMUNDA}


@dataclass(frozen=True)
class ExternalTaskDef:
    """What the external task API needs to know of one element, read once at parse time."""

    element_id: str
    element_name: str | None
    topic: str
    priority: int
    outputs: tuple[str, ...]  # variables a worker may set; empty: none


@dataclass(frozen=True)
class ExternalTask:
    """A ready external task, as the external_tasks table stores it."""

    id: str
    process_id: str
    definition: ExternalTaskDef


class UncaughtError(StepError):
    """A worker's BPMN error that no error boundary event of the task catches."""


class ExternalServiceTask(ServiceTask):
    """Left ready by the engine (``manual``) until a worker completes it."""

    def __init__(self, wf_spec: Any, bpmn_id: str, external: ExternalTaskDef,
                 **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = True
        self.external = external

    def _run_hook(self, my_task: Any) -> bool:
        return True  # the worker did the work; its variables are already in the data


class _Refused(ValueError):
    pass


class ExternalTaskParser(TaskParser):
    """serviceTask and sendTask: external, or refused with what to do instead."""

    def create_task(self) -> ExternalServiceTask:
        return create_external(self)


def create_external(parser: Any) -> ExternalServiceTask:
    """The external task a service or send task parser's element defines (or refused)."""
    try:
        definition = definition_of(parser.node, parser.bpmn_id)
    except _Refused as exc:
        raise ValidationException(str(exc), node=parser.node, file_name=parser.filename) \
            from exc
    return ExternalServiceTask(parser.spec, parser.bpmn_id, definition,
                               **parser.bpmn_attributes)


def is_message_send(node: Any) -> bool:
    """A send task that names a message and no implementation: BPMN's message throw, run
    like an intermediate message throw event (not an external task)."""
    if node.tag != f"{{{BPMN}}}sendTask" or node.get(f"{{{CAMUNDA}}}type") \
            or any(node.get(f"{{{CAMUNDA}}}{a}") for a in _IMPLEMENTATIONS) \
            or node.xpath("./bpmn:extensionElements/camunda:connector", namespaces=_NS):
        return False
    return node.get("messageRef") is not None or \
        bool(node.xpath("./bpmn:messageEventDefinition", namespaces=_NS))


def problems_in(tree: Any) -> list[tuple[str, int | None, str | None]]:
    """(message, line, element id) of every service or send task of a parsed file that is
    not a well-formed external task; checked before any expression on them is vetted."""
    found = []
    for node in tree.getroot().iter(f"{{{BPMN}}}serviceTask", f"{{{BPMN}}}sendTask"):
        if is_message_send(node):
            continue
        try:
            definition_of(node, node.get("id") or "")
        except _Refused as exc:
            found.append((str(exc), node.sourceline, node.get("id")))
    return found


def definition_of(node: Any, element_id: str) -> ExternalTaskDef:
    """The element's external task definition; ``_Refused`` says what is wrong with it."""
    kind = "service task" if node.tag == f"{{{BPMN}}}serviceTask" else "send task"
    used = [f"camunda:{a}" for a in _IMPLEMENTATIONS if node.get(f"{{{CAMUNDA}}}{a}")]
    if node.get(f"{{{CAMUNDA}}}type") != "external":
        if node.xpath("./bpmn:extensionElements/camunda:connector", namespaces=_NS):
            used.append("a camunda:connector")
        how = f" (it uses {', '.join(used)})" if used else ""
        raise _Refused(f"a {kind} runs only as an external task{how}: GovFlow never runs code "
                       "inside the engine. Set camunda:type=\"external\" and "
                       "camunda:topic=\"...\" (Camunda Modeler: Implementation: External), and "
                       "let a worker fetch it over the external task API")
    if used:
        raise _Refused(f"an external {kind} takes a topic, not {', '.join(used)}")
    topic = (node.get(f"{{{CAMUNDA}}}topic") or "").strip()
    if not _TOPIC.fullmatch(topic):
        raise _Refused(f"an external {kind} needs camunda:topic: the name workers fetch it "
                       f"by, 1 to {MAX_TOPIC} characters without blanks")
    return ExternalTaskDef(element_id, node.get("name"), topic, _priority(node),
                           _outputs(node))


def _priority(node: Any) -> int:
    raw = (node.get(f"{{{CAMUNDA}}}taskPriority") or "0").strip()
    if not re.fullmatch(r"-?\d{1,9}", raw):
        raise _Refused("camunda:taskPriority must be a whole number (expressions are not "
                       "supported)")
    return int(raw)


def _outputs(node: Any) -> tuple[str, ...]:
    values = [p.get("value") or "" for p in node.xpath(_PROPERTIES, namespaces=_NS)
              if p.get("name") == OUTPUTS]
    if not values:
        return ()
    if len(values) > 1:
        raise _Refused(f"the camunda property '{OUTPUTS}' is declared twice")
    items = [v.strip() for v in values[0].split(",")]
    for item in items:
        if not _KEY.fullmatch(item):
            raise _Refused(f"the camunda property '{OUTPUTS}' lists {item!r}, which is not a "
                           "variable name (letters, digits, _); separate names with commas")
    if len(set(items)) != len(items):
        raise _Refused(f"the camunda property '{OUTPUTS}' lists a name twice")
    return tuple(items)


def ready_external(tasks: Any) -> dict[str, ExternalTask]:
    """Task id -> the ready external task, among ``tasks``."""
    return {str(t.id): ExternalTask(str(t.id), t.workflow.spec.name, t.task_spec.external)
            for t in tasks
            if t.state == TaskState.READY and isinstance(t.task_spec, ExternalServiceTask)}


def throw_error(task: Any, code: str, variables: dict[str, Any]) -> str:
    """Let the error boundary event on ``task`` that catches ``code`` (else one that
    catches every error) fire, with ``variables`` on its path; the boundary's element id.
    An error that no boundary of the task catches raises ``UncaughtError``."""
    parent = task.parent
    waiting = [s for s in (parent.children if parent is not None else [])
               if isinstance(s.task_spec, BoundaryEvent) and s.state == TaskState.WAITING
               and isinstance(s.task_spec.event_definition, ErrorEventDefinition)]
    exact = [s for s in waiting if s.task_spec.event_definition.code == code]
    catch_all = [s for s in waiting if s.task_spec.event_definition.code in (None, "")]
    found = (exact or catch_all)[:1]
    if not found:
        raise UncaughtError(f"no error boundary event on element '{task.task_spec.bpmn_id}' "
                            f"catches error code '{code}': report a failure instead, or draw "
                            "an error boundary event for this code", task.task_spec.bpmn_id)
    boundary = found[0]
    thrown = ErrorEventDefinition(code, code)
    boundary.task_spec.catch(boundary, BpmnEvent(thrown, payload=dict(variables)))
    boundary.task_spec._update(boundary)
    return str(boundary.task_spec.bpmn_id)
