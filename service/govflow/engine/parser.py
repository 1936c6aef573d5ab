"""SpiffWorkflow's Camunda parser, taught the extensions GovFlow reads.

A user or manual task carries, as Camunda Modeler writes them: ``camunda:candidateGroups``,
``camunda:assignee``, ``camunda:dueDate`` and ``camunda:formData``; its lane; and its
regulation clause as ``bpmn:documentation``. An end event's ``camunda:property outcome``
names the instance's outcome. Message payloads merge into the catching task's data; a
message catch declares who may send it and which payload keys it takes (message_catch.py).
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag, one
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, ManualTask, ReceiveTask
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEndEventParser,
    CamundaEventDefinitionParser,
    CamundaIntermediateCatchEventParser,
    CamundaIntermediateThrowEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser, UserTaskParser
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.camunda.specs.user_task import Form, UserTask

from .external import ExternalServiceTask, ExternalTaskParser
from .forms import CAMUNDA, form_schema
from .message_catch import DeclarationError, catch_def, declared
from .timers import LegalTimerEventDefinition


@dataclass(frozen=True)
class HumanTaskDef:
    """What the task API needs to know of a user or manual task, read once at parse time."""

    key: str
    name: str | None
    lane: str | None
    candidate_groups: tuple[str, ...]
    assignee: str | None
    due: str | None
    clause: str | None
    form: dict[str, Any] = field(default_factory=dict)


def clause_of(documentation: str | None) -> str | None:
    """The clause a node cites: the first line of its documentation."""
    if not documentation or not documentation.strip():
        return None
    return documentation.strip().splitlines()[0].strip()


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _human(parser: CamundaTaskParser, spec: Any) -> HumanTaskDef:
    node = parser.node
    return HumanTaskDef(
        key=parser.bpmn_id,
        name=node.get("name"),
        lane=spec.lane,
        candidate_groups=_split(node.get(f"{{{CAMUNDA}}}candidateGroups")),
        assignee=node.get(f"{{{CAMUNDA}}}assignee"),
        due=node.get(f"{{{CAMUNDA}}}dueDate"),
        clause=clause_of(spec.documentation),
        form=form_schema(node),
    )


class HumanUserTaskParser(UserTaskParser):
    def create_task(self) -> UserTask:
        # The stock parser ignores formData unless camunda:formKey is set; we read it ourselves.
        spec = self.spec_class(self.spec, self.bpmn_id, form=Form(), **self.bpmn_attributes)
        spec.human = _human(self, spec)
        return spec


class HumanManualTaskParser(CamundaTaskParser):
    def create_task(self) -> ManualTask:
        spec = super().create_task()
        spec.human = _human(self, spec)
        return spec


class PayloadMessageEventDefinition(MessageEventDefinition):
    """A message whose payload (a dict) merges into the catching task's data.

    Thrown by an intermediate throw event, the payload is the value of ``camunda:expression``;
    the service delivers it to other instances of the tenant (see instances/messages.py).
    """

    def throw(self, my_task: Any) -> None:
        from SpiffWorkflow.bpmn import BpmnEvent

        payload = (my_task.workflow.script_engine.evaluate(my_task, self.expression)
                   if self.expression else {})
        my_task.workflow.top_workflow.catch(BpmnEvent(self, payload=payload))

    def update_internal_data(self, my_task: Any, event: Any) -> None:
        my_task.internal_data[self.name] = event.payload

    def update_task_data(self, my_task: Any) -> None:
        payload = my_task.internal_data.get(self.name)
        if self.result_var:
            my_task.data[self.result_var] = payload
        elif isinstance(payload, dict):
            my_task.data.update(payload)


class _MessageMixin(CamundaEventDefinitionParser):
    def parse_timer_event(self, event: Any) -> LegalTimerEventDefinition:
        """timeDate / timeDuration hold a deadline in GovFlow's notation (see calendar/due.py)."""
        name = self.node.get("name", self.node.get("id"))
        for kind in ("timeDate", "timeDuration"):
            found = self.xpath(f".//bpmn:{kind}")
            if found and (found[0].text or "").strip():
                return LegalTimerEventDefinition(name, found[0].text.strip())
        raise ValidationException("a timer needs a timeDate or timeDuration deadline "
                                  "(cycles are not supported)", node=self.node,
                                  file_name=self.filename)

    def parse_message_event(self, message_event: Any) -> PayloadMessageEventDefinition:
        message_ref = message_event.get("messageRef")
        if message_ref:
            message = one(self.doc_xpath(f'.//bpmn:message[@id="{message_ref}"]'))
            name = message.get("name")
            correlations = self.get_message_correlations(message_ref)
        else:
            name = message_event.getparent().get("name")
            correlations = []
        return PayloadMessageEventDefinition(
            name, correlations,
            self.attribute("expression", "camunda", message_event),
            self.attribute("resultVariable", "camunda", message_event),
        )


def _message_names(definition: Any) -> tuple[str, ...]:
    children = getattr(definition, "event_definitions", None) or [definition]
    return tuple(d.name for d in children if isinstance(d, MessageEventDefinition))


class _Declarations(_MessageMixin):
    """Reads (catching elements) or refuses (throwing ones) ``senders``/``payload``."""

    CATCHES = True

    def create_task(self) -> Any:
        spec = super().create_task()
        try:
            values = declared(self.node, {"bpmn": self.nsmap["bpmn"], "camunda": CAMUNDA})
            messages = _message_names(spec.event_definition)
            if values and not (self.CATCHES and messages):
                raise DeclarationError(
                    f"the camunda properties {', '.join(map(repr, values))} belong only on "
                    "an element that catches a message (message start, intermediate catch, "
                    "boundary event, receive task)")
            if messages and self.CATCHES:
                spec.message_catch = catch_def(self.bpmn_id, self.node.get("name"), values,
                                               messages)
        except DeclarationError as exc:
            raise ValidationException(str(exc), node=self.node, file_name=self.filename) \
                from exc
        return spec


class _StartParser(_Declarations, CamundaStartEventParser):
    pass


class _CatchParser(_Declarations, CamundaIntermediateCatchEventParser):
    pass


class _ThrowParser(_Declarations, CamundaIntermediateThrowEventParser):
    CATCHES = False


class _BoundaryParser(_Declarations, CamundaBoundaryEventParser):
    pass


class _ReceiveParser(_Declarations, ReceiveTaskParser):
    pass


class _EndParser(_Declarations, CamundaEndEventParser):
    CATCHES = False

    def parse_extensions(self, node: Any = None) -> dict[str, str]:
        props = self.xpath(".//bpmn:extensionElements/camunda:properties/camunda:property")
        return {p.get("name"): p.get("value") for p in props}


class GovflowParser(CamundaParser):
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[type, type]]] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (HumanUserTaskParser, UserTask),
        full_tag("manualTask"): (HumanManualTaskParser, ManualTask),
        full_tag("startEvent"): (_StartParser, CamundaParser.OVERRIDE_PARSER_CLASSES[
            full_tag("startEvent")][1]),
        full_tag("intermediateCatchEvent"): (_CatchParser, CamundaParser.OVERRIDE_PARSER_CLASSES[
            full_tag("intermediateCatchEvent")][1]),
        full_tag("intermediateThrowEvent"): (_ThrowParser, CamundaParser.OVERRIDE_PARSER_CLASSES[
            full_tag("intermediateThrowEvent")][1]),
        full_tag("boundaryEvent"): (_BoundaryParser, CamundaParser.OVERRIDE_PARSER_CLASSES[
            full_tag("boundaryEvent")][1]),
        full_tag("endEvent"): (_EndParser, EndEvent),
        full_tag("receiveTask"): (_ReceiveParser, ReceiveTask),
        # Service and send tasks run only as external tasks (external.py).
        full_tag("serviceTask"): (ExternalTaskParser, ExternalServiceTask),
        full_tag("sendTask"): (ExternalTaskParser, ExternalServiceTask),
    }
