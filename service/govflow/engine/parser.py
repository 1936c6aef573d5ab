"""SpiffWorkflow's Camunda parser, taught the extensions GovFlow reads.

A user or manual task carries, as Camunda Modeler writes them: ``camunda:candidateGroups``,
``camunda:candidateUsers``, ``camunda:assignee`` (literals or ``${...}``: expressions.py),
``camunda:dueDate``, ``camunda:formData`` and ``camunda:inputOutput`` (taskdata.py); its
lane; its multi-instance marker (multiinstance.py); and its
regulation clause as ``bpmn:documentation``. An end event's ``camunda:property outcome``
names the instance's outcome. Message payloads merge into the catching task's data; a
message catch declares who may send it and which payload keys it takes (message_catch.py).
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
    TIMER_EVENT_XPATH,
    ReceiveTaskParser,
    SendTaskParser,
)
from SpiffWorkflow.bpmn.parser.task_parsers import GatewayParser
from SpiffWorkflow.bpmn.parser.util import full_tag, one
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import (
    CallActivity,
    EndEvent,
    ManualTask,
    NoneTask,
    ReceiveTask,
    SendTask,
)
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

from .construct_parsers import (
    EventAwareSubprocessParser,
    GovflowProcessParser,
    MappedCallActivityParser,
)
from .dmn_task import DecisionTask, DecisionTaskParser
from .escalations import RearmingBoundaryEvent
from .event_subprocess import GovflowStartEvent
from .expressions import split_list
from .external import ExternalServiceTask, ExternalTaskParser, create_external, is_message_send
from .forms import CAMUNDA, form_schema, form_ui_schema
from .gates import GateDef, GateError, gates_of
from .joins import GovflowParallelGateway
from .message_catch import DeclarationError, catch_def, declared
from .multiinstance import MultiInstanceParser
from .signals import BroadcastSignal
from .taskdata import MappingError, Parameters, parameters
from .timers import LegalTimerEventDefinition, RepeatingTimerEventDefinition


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
    ui_schema: dict[str, Any] = field(default_factory=dict)  # react-jsonschema-form uiSchema
    # Raw as written: literals and ${...} items (engine/expressions.py), resolved per task.
    candidate_users: tuple[str, ...] = ()
    inputs: Parameters = ()  # camunda:inputParameter (engine/taskdata.py)
    outputs: Parameters = ()  # camunda:outputParameter
    multi_instance: bool = False
    gates: tuple[GateDef, ...] = ()  # mandatory conditions on its completion (gates.py)


def clause_of(documentation: str | None) -> str | None:
    """The clause a node cites: the first line of its documentation."""
    if not documentation or not documentation.strip():
        return None
    return documentation.strip().splitlines()[0].strip()


def _human(parser: CamundaTaskParser, spec: Any) -> HumanTaskDef:
    node = parser.node
    try:
        inputs, outputs = parameters(node, "input"), parameters(node, "output")
        gates = gates_of(node)
    except (MappingError, GateError) as exc:
        raise ValidationException(str(exc), node=node, file_name=parser.filename) from exc
    return HumanTaskDef(
        key=parser.bpmn_id,
        name=node.get("name"),
        lane=spec.lane,
        candidate_groups=split_list(node.get(f"{{{CAMUNDA}}}candidateGroups")),
        assignee=node.get(f"{{{CAMUNDA}}}assignee"),
        due=node.get(f"{{{CAMUNDA}}}dueDate"),
        clause=clause_of(spec.documentation),
        form=form_schema(node),
        ui_schema=form_ui_schema(node),
        candidate_users=split_list(node.get(f"{{{CAMUNDA}}}candidateUsers")),
        inputs=inputs, outputs=outputs,
        multi_instance=bool(parser.xpath("./bpmn:multiInstanceLoopCharacteristics")),
        gates=gates,
    )


class HumanUserTaskParser(MultiInstanceParser, UserTaskParser):
    def create_task(self) -> UserTask:
        # The stock parser ignores formData unless camunda:formKey is set; we read it ourselves.
        spec = self.spec_class(self.spec, self.bpmn_id, form=Form(), **self.bpmn_attributes)
        spec.human = _human(self, spec)
        return spec


class HumanManualTaskParser(MultiInstanceParser, CamundaTaskParser):
    def create_task(self) -> ManualTask:
        spec = super().create_task()
        spec.human = _human(self, spec)
        return spec


class _NoneTaskParser(MultiInstanceParser, CamundaTaskParser):
    """A plain ``bpmn:task`` passes through, as in Camunda 7 (SpiffWorkflow would wait for
    someone to run it, and nobody has a task row to); multi-instance as for user tasks, its
    slots' outputs being their outputDataItem, or None."""

    def create_task(self) -> NoneTask:
        spec = super().create_task()
        spec.manual = False
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
    def parse_timer_event(self, event: Any) -> Any:
        """timeDate / timeDuration hold a deadline in GovFlow's notation (calendar/due.py) or
        exact ISO time; timeCycle a repeating cycle (engine/iso_timers.py; where a cycle may
        stand is checked before: engine/constructs.py)."""
        name = self.node.get("name", self.node.get("id"))
        for kind in ("timeDate", "timeDuration", "timeCycle"):
            found = self.xpath(f".//bpmn:{kind}")
            if found and (found[0].text or "").strip():
                text = found[0].text.strip()
                if kind == "timeCycle":
                    return RepeatingTimerEventDefinition(name, text)
                return LegalTimerEventDefinition(name, text)
        raise ValidationException("a timer needs a timeDate, timeDuration or timeCycle",
                                  node=self.node, file_name=self.filename)

    def parse_signal_event(self, signal_event: Any) -> BroadcastSignal:
        parsed = super().parse_signal_event(signal_event)
        if not parsed.name:
            raise ValidationException("a signal event needs a signal with a name (signalRef to "
                                      "a bpmn:signal that has a name)", node=self.node,
                                      file_name=self.filename)
        return BroadcastSignal(parsed.name, description=parsed.description)

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


def _message_names(definition: Any, kind: type[Any] = MessageEventDefinition) -> tuple[str, ...]:
    children = getattr(definition, "event_definitions", None) or [definition]
    return tuple(d.name for d in children if isinstance(d, kind))


class _Declarations(_MessageMixin):
    """Reads (catching elements) or refuses (throwing ones) ``senders``/``payload``."""

    CATCHES = True

    def create_task(self) -> Any:
        spec = super().create_task()
        try:
            values = declared(self.node, {"bpmn": self.nsmap["bpmn"], "camunda": CAMUNDA})
            messages = _message_names(spec.event_definition)
            signals = _message_names(spec.event_definition, BroadcastSignal)
            if values and not (self.CATCHES and (messages or signals)):
                raise DeclarationError(
                    f"the camunda properties {', '.join(map(repr, values))} belong only on "
                    "an element that catches a message or a signal (start, intermediate "
                    "catch, boundary event, receive task)")
            if messages and self.CATCHES:
                spec.message_catch = catch_def(self.bpmn_id, self.node.get("name"), values,
                                               messages)
            if signals and self.CATCHES:
                spec.signal_catch = catch_def(self.bpmn_id, self.node.get("name"), values,
                                              signals)
        except DeclarationError as exc:
            raise ValidationException(str(exc), node=self.node, file_name=self.filename) \
                from exc
        return spec


class _ErrorStartParser(CamundaStartEventParser):
    """The library's start parser, reading error starts too (an error event sub-process)."""

    def create_task(self) -> Any:
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH,
                                                 TIMER_EVENT_XPATH, CONDITIONAL_EVENT_XPATH,
                                                 ERROR_EVENT_XPATH])
        task = self._create_task(definition)
        self.spec.start.connect(task)
        return task


class _StartParser(_Declarations, _ErrorStartParser):
    def create_task(self) -> Any:
        spec = super().create_task()
        # Read where it matters: a start event of an event sub-process (event_subprocess.py).
        spec.interrupting = self.node.get("isInterrupting", "true") != "false"
        return spec


class _CatchParser(_Declarations, CamundaIntermediateCatchEventParser):
    pass


class _ThrowParser(_Declarations, CamundaIntermediateThrowEventParser):
    CATCHES = False


class _BoundaryParser(_Declarations, CamundaBoundaryEventParser):
    pass


class _ReceiveParser(_Declarations, ReceiveTaskParser):
    pass


class _SignalEndParser(CamundaEndEventParser):
    """The library's end parser, reading signal end events too."""

    def create_task(self) -> Any:
        definition = self.get_event_definition([
            MESSAGE_EVENT_XPATH, CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH,
            TERMINATION_EVENT_XPATH, SIGNAL_EVENT_XPATH])
        task = self._create_task(definition)
        task.connect(self.spec.end)
        return task


class _SendParser(SendTaskParser):
    """A send task naming a message (and no implementation) throws it as SpiffWorkflow does
    (its correlation properties computed from the data); any other send task is an external
    task, or refused (external.py)."""

    def create_task(self) -> Any:
        if is_message_send(self.node):
            return super().create_task()
        return create_external(self)


class _EndParser(_Declarations, _SignalEndParser):
    CATCHES = False

    def parse_extensions(self, node: Any = None) -> dict[str, str]:
        props = self.xpath(".//bpmn:extensionElements/camunda:properties/camunda:property")
        return {p.get("name"): p.get("value") for p in props}


class GovflowParser(CamundaParser):
    PROCESS_PARSER_CLASS = GovflowProcessParser
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[type, type]]] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("callActivity"): (MappedCallActivityParser, CallActivity),
        full_tag("subProcess"): (EventAwareSubprocessParser, CallActivity),
        full_tag("task"): (_NoneTaskParser, NoneTask),
        full_tag("userTask"): (HumanUserTaskParser, UserTask),
        full_tag("manualTask"): (HumanManualTaskParser, ManualTask),
        full_tag("startEvent"): (_StartParser, GovflowStartEvent),
        full_tag("intermediateCatchEvent"): (_CatchParser, CamundaParser.OVERRIDE_PARSER_CLASSES[
            full_tag("intermediateCatchEvent")][1]),
        full_tag("intermediateThrowEvent"): (_ThrowParser, CamundaParser.OVERRIDE_PARSER_CLASSES[
            full_tag("intermediateThrowEvent")][1]),
        full_tag("boundaryEvent"): (_BoundaryParser, RearmingBoundaryEvent),
        full_tag("endEvent"): (_EndParser, EndEvent),
        full_tag("receiveTask"): (_ReceiveParser, ReceiveTask),
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTask),
        # Service and send tasks run only as external tasks (external.py).
        full_tag("serviceTask"): (ExternalTaskParser, ExternalServiceTask),
        full_tag("sendTask"): (_SendParser, SendTask),
        full_tag("parallelGateway"): (GatewayParser, GovflowParallelGateway),
    }
