"""A diagram set parsed once: process specs, decision tables and human-task definitions.

``parse_diagram_set`` is also the upload validator: every problem it finds names the file,
the line and the element, and a set with any problem is refused whole.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import CallActivity
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import links
from .call_mappings import MappingError as CallMappingError
from .call_mappings import expression_of
from .constructs import owner_id, refused_constructs
from .dmn_model import Decision, LiteralDecision, parse_decisions
from .errors import DiagramError, DiagramProblem, ScriptRefused
from .expressions import is_expression, split_list, unwrap
from .external import ExternalTaskDef
from .external import problems_in as external_problems
from .forms import CAMUNDA, DOCUMENT, FormError, form_schema, form_ui_schema
from .gates import gate_expressions
from .message_catch import MessageCatchDef
from .parser import GovflowParser, HumanTaskDef
from .scripting import check_source
from .taskdata import MappingError
from .taskdata import expressions as mapping_expressions
from .timers import LegalTimerEventDefinition, RepeatingTimerEventDefinition
from .views import DecisionInput, DecisionOutput, DecisionRule, TimerDef
from .xmlsafe import parse_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA}


@dataclass(frozen=True)
class ProcessInfo:
    """A process of a set as the service sees it; the library's specs stay private."""

    id: str
    name: str | None
    file: str
    # JSON Schema of the start variables (the none start event's camunda:formData); extra
    # variables are allowed, so one front end can send every county the same start form.
    start_form: dict[str, Any]
    called_processes: tuple[str, ...]
    # In document order, the process's own first, then its called processes'.
    human_tasks: tuple[HumanTaskDef, ...]
    message_catches: tuple[MessageCatchDef, ...]
    timers: tuple[TimerDef, ...]
    _spec: BpmnProcessSpec = field(repr=False, compare=False)
    _subprocess_specs: dict[str, BpmnProcessSpec] = field(repr=False, compare=False)
    # Its signal start events (an instance starts when the signal is broadcast).
    signal_starts: tuple[MessageCatchDef, ...] = ()
    # The start form's react-jsonschema-form uiSchema (engine/forms.py).
    start_ui_schema: dict[str, Any] = field(default_factory=dict)
    # Service and send tasks that workers fetch by topic (external.py), like human_tasks.
    external_tasks: tuple[ExternalTaskDef, ...] = ()
    # The variable whose value lists show as the instance's label (camunda property
    # ``label_variable`` on the process), e.g. "project_name".
    label_variable: str | None = None
    # Separation of duties (camunda property ``separationOfDuties`` = true on the process):
    # a user who decided a task of one body may not decide a later task of another.
    separation_of_duties: bool = False
    # Who may start it through the API (camunda:candidateStarterGroups / ...Users on the
    # process, comma separated); both empty: any user of the tenant.
    starter_groups: tuple[str, ...] = ()
    starter_users: tuple[str, ...] = ()
    # camunda:isStartableInTasklist="false": only a call activity starts it.
    startable: bool = True


@dataclass(frozen=True)
class DecisionInfo:
    """A DMN decision with its table's inputs, outputs and rules (a literal expression
    decision: no inputs or rules, its variable as the one output); the model stays private."""

    id: str
    name: str | None
    file: str
    inputs: tuple[DecisionInput, ...]
    outputs: tuple[DecisionOutput, ...]
    rules: tuple[DecisionRule, ...]
    hit_policy: str | None  # "UNIQUE", ..., "COLLECT SUM"; None for a literal expression
    required: tuple[str, ...]  # the decisions it requires (a DRD), evaluated first
    _decision: Decision = field(repr=False, compare=False)
    # Every decision of the set, for the required ones.
    _decisions: dict[str, Decision] = field(repr=False, compare=False)


@dataclass
class DiagramSpecs:
    processes: dict[str, ProcessInfo]
    decisions: dict[str, DecisionInfo]
    main_process_id: str
    files: dict[str, bytes] = field(default_factory=dict)

    def human_task(self, process_id: str, key: str) -> HumanTaskDef | None:
        info = self.processes.get(process_id)
        return next((t for t in info.human_tasks if t.key == key), None) if info else None


def parse_diagram_set(
    files: Mapping[str, bytes],
    main_process: str | None = None,
    check_due: Callable[[str], None] | None = None,
) -> DiagramSpecs:
    """Parse and validate a whole set; raise DiagramError listing every problem."""
    problems: list[DiagramProblem] = []
    trees: dict[str, etree._ElementTree] = {}
    for name, content in sorted(files.items()):
        if not name.endswith((".bpmn", ".dmn")):
            problems.append(DiagramProblem(name, "only .bpmn and .dmn files belong in a set"))
            continue
        try:
            trees[name] = parse_xml(content, name)
        except DiagramError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DiagramError(problems)
    if not any(n.endswith(".bpmn") for n in trees):
        raise DiagramError([DiagramProblem("", "a diagram set needs at least one .bpmn file")])

    processes_in_set = {pid for name, tree in trees.items() if name.endswith(".bpmn")
                        for pid in tree.getroot().xpath("./bpmn:process/@id", namespaces=NS)}
    for name, tree in trees.items():
        problems.extend(_check_expressions(name, tree, check_due))
        problems.extend(links.problems(name, tree))
        problems.extend(_event_subprocess_problems(name, tree))
        if name.endswith(".bpmn"):
            problems.extend(refused_constructs(name, tree, processes_in_set))
    try:
        models = parse_decisions(trees)  # GovFlow's DMN engine, not SpiffWorkflow's
    except DiagramError as exc:
        problems.extend(exc.problems)
    if problems:
        raise DiagramError(problems)

    parser = GovflowParser()
    parser.govflow_decisions = models
    try:
        for name, tree in trees.items():
            if not name.endswith(".dmn"):
                parser.add_bpmn_xml(links.rewritten(tree), filename=name)
        processes = _parse_processes(parser, trees)
        decisions = _decision_infos(models)
    except (ValidationException, SpiffWorkflowException, FormError) as exc:
        raise DiagramError([_problem_from(exc, trees)]) from exc
    main = _choose_main(trees, processes, main_process)
    return DiagramSpecs(processes, decisions, main, dict(files))


def _parse_processes(parser: GovflowParser, trees: Mapping[str, Any]) -> dict[str, ProcessInfo]:
    result = {}
    for name, tree in trees.items():
        for node in tree.getroot().iterfind(f"{{{BPMN_NS}}}process"):
            if node.get("isExecutable", "true") == "false":
                continue
            pid = node.get("id")
            spec = parser.get_spec(pid)
            subs = parser.get_subprocess_specs(pid)
            task_specs = [t for sp in (spec, *subs.values()) for t in sp.task_specs.values()]
            result[pid] = ProcessInfo(
                pid, node.get("name"), name, _start_form(node), tuple(sorted(subs)),
                tuple(t.human for t in task_specs if hasattr(t, "human")),
                tuple(t.message_catch for t in task_specs if hasattr(t, "message_catch")),
                tuple(_timer_defs(task_specs)), spec, subs,
                tuple(s.signal_catch for s in spec.bpmn_start_events
                      if getattr(s, "signal_catch", None) is not None),
                _start_ui_schema(node),
                tuple(t.external for t in task_specs if hasattr(t, "external")),
                _label_variable(name, node), _separation_of_duties(name, node),
                _camunda_list(node, "candidateStarterGroups"),
                _camunda_list(node, "candidateStarterUsers"),
                _startable(name, node))
    called = {t.spec for p in result.values() for sp in (p._spec, *p._subprocess_specs.values())
              for t in sp.task_specs.values() if isinstance(t, CallActivity)}
    for pid in sorted(called & set(result)):
        if result[pid]._spec.start.trigger_specs:
            raise ValidationException(
                f"process '{pid}' is called by a call activity and has an event sub-process: "
                "an event sub-process runs only in a process an instance starts with",
                node=trees[result[pid].file].getroot().find(
                    f".//{{{BPMN_NS}}}process[@id='{pid}']"), file_name=result[pid].file)
    return result


def _camunda_list(node: Any, attribute: str) -> tuple[str, ...]:
    value = node.get(f"{{{CAMUNDA}}}{attribute}") or ""
    return tuple(sorted({v.strip() for v in value.split(",") if v.strip()}))


def _startable(name: str, node: Any) -> bool:
    value = (node.get(f"{{{CAMUNDA}}}isStartableInTasklist") or "true").strip().lower()
    if value not in {"true", "false"}:
        raise DiagramError([DiagramProblem(name, f"process '{node.get('id')}': "
                                                 "camunda:isStartableInTasklist must be true "
                                                 "or false")])
    return value == "true"


_DUTIES = ("./bpmn:extensionElements/camunda:properties/"
           "camunda:property[@name='separationOfDuties']")


def _separation_of_duties(name: str, node: Any) -> bool:
    found = node.xpath(_DUTIES, namespaces=NS)
    values = {(f.get("value") or "").strip().lower() for f in found}
    if len(found) > 1 or not values <= {"true", "false"}:
        raise DiagramError([DiagramProblem(name, f"process '{node.get('id')}': the camunda "
                                                 "property separationOfDuties must be given "
                                                 "once, as true or false")])
    return values == {"true"}


_LABEL = "./bpmn:extensionElements/camunda:properties/camunda:property[@name='label_variable']"


def _label_variable(name: str, node: Any) -> str | None:
    found = node.xpath(_LABEL, namespaces=NS)
    if not found:
        return None
    value = (found[0].get("value") or "").strip()
    if len(found) > 1 or not value.isidentifier() or len(value) > 200:
        raise DiagramError([DiagramProblem(name, f"process '{node.get('id')}': the camunda "
                                                 "property label_variable must be given once, "
                                                 "naming one variable (a Python identifier)")])
    return value


def _timer_defs(task_specs: list[Any]) -> list[TimerDef]:
    found = []
    for t in task_specs:
        definition = getattr(t, "event_definition", None)
        children = getattr(definition, "event_definitions", None) or [definition]
        found += [TimerDef(t.bpmn_id, t.bpmn_name, d.expression, isinstance(t, BoundaryEvent))
                  for d in children
                  if isinstance(d, LegalTimerEventDefinition | RepeatingTimerEventDefinition)]
    return found


def _none_starts(process: Any) -> list[Any]:
    return [s for s in process.iterfind(f"{{{BPMN_NS}}}startEvent") if len(s.xpath(
        "./bpmn:messageEventDefinition|./bpmn:timerEventDefinition", namespaces=NS)) == 0]


def _start_ui_schema(process: Any) -> dict[str, Any]:
    starts = _none_starts(process)
    return form_ui_schema(starts[0]) if starts else {}


def _start_form(process: Any) -> dict[str, Any]:
    starts = _none_starts(process)
    schema: dict[str, Any] = form_schema(starts[0]) if starts else {"type": "object"}
    schema.pop("additionalProperties", None)
    properties: dict[str, Any] = schema.get("properties") or {}
    for name, spec in properties.items():
        if DOCUMENT in spec:  # no instance yet to upload the document to
            raise FormError(f"start form field '{name}' is a file field: a document is "
                            f"uploaded to a task, so ask for it in the first user task")
    return schema


def _event_subprocess_problems(name: str, tree: Any) -> list[DiagramProblem]:
    """Event sub-processes GovFlow runs: at the top level of a process, started by a
    message, signal or error (event_subprocess.py)."""
    found = []
    for node in tree.getroot().iterfind(".//bpmn:subProcess[@triggeredByEvent='true']", NS):
        parent = node.getparent()
        if etree.QName(parent).localname != "process":
            found.append(DiagramProblem(
                name, "an event sub-process inside a sub-process is not supported: put it at "
                      "the top level of the process", node.sourceline, node.get("id")))
        for start in node.iterfind("bpmn:startEvent", NS):
            kinds = [etree.QName(c).localname for c in start
                     if etree.QName(c).localname.endswith("EventDefinition")]
            if kinds == ["timerEventDefinition"]:
                found.append(DiagramProblem(
                    name, "a timer start on an event sub-process is not supported: use a "
                          "timer boundary event on the activity it watches, or an "
                          "intermediate timer", start.sourceline, start.get("id")))
            elif not any(k in ("messageEventDefinition", "signalEventDefinition",
                               "errorEventDefinition") for k in kinds):
                found.append(DiagramProblem(
                    name, "an event sub-process starts with a message, signal or error start "
                          "event", start.sourceline, start.get("id")))
    return found


def _decision_infos(models: dict[str, Decision]) -> dict[str, DecisionInfo]:
    result = {}
    for decision_id, model in models.items():
        logic = model.logic
        if isinstance(logic, LiteralDecision):
            result[decision_id] = DecisionInfo(
                decision_id, model.name, model.file, (),
                (DecisionOutput(logic.variable, None, logic.variable, logic.type_ref),), (),
                None, model.required, model, models)
            continue
        policy = " ".join(p for p in (logic.hit_policy, logic.aggregation) if p)
        result[decision_id] = DecisionInfo(
            decision_id, model.name, model.file,
            tuple(DecisionInput(i.id, i.label, i.expression, i.type_ref) for i in logic.inputs),
            tuple(DecisionOutput(o.id, o.label, o.name, o.type_ref) for o in logic.outputs),
            tuple(DecisionRule(r.id, r.row, r.annotation, r.input_texts, r.output_texts)
                  for r in logic.rules),
            policy, model.required, model, models)
    return result


def _choose_main(trees: Mapping[str, Any], processes: Mapping[str, ProcessInfo],
                 requested: str | None) -> str:
    if requested:
        if requested not in processes:
            raise DiagramError([DiagramProblem("", f"main process '{requested}' is not in the set "
                                                   f"(processes: {', '.join(processes)})")])
        return requested
    called = {t.spec for p in processes.values() for t in p._spec.task_specs.values()
              if isinstance(t, SubWorkflowTask)}
    marked = [pid for name, tree in trees.items() for pid in tree.getroot().xpath(
        "./bpmn:process[bpmn:extensionElements/camunda:properties/"
        "camunda:property[@name='main' and @value='true']]/@id", namespaces=NS)]
    candidates = marked or [pid for pid in processes if pid not in called]
    if len(candidates) > 1 and not marked:
        return ""  # several top-level processes: each starts by its process_id
    if len(candidates) != 1:
        raise DiagramError([DiagramProblem(
            "", "cannot tell the main process among "
                f"{', '.join(candidates) or 'none'}: mark one with the camunda property "
                "main=true, or upload with main_process")])
    return candidates[0]


def _check_expressions(name: str, tree: Any, check_due: Callable[[str], None] | None
                       ) -> list[DiagramProblem]:
    """Vet every script and expression before SpiffWorkflow sees it."""
    problems = [DiagramProblem(name, message, line, element)
                for message, line, element in external_problems(tree)]
    problems.extend(_id_collisions(name, tree))
    for source, mode, node in _expressions(tree):
        try:
            check_source(source, mode)
        except ScriptRefused as exc:
            problems.append(DiagramProblem(name, str(exc), node.sourceline, _element_id(node)))
    if check_due is not None:
        for due, node in _deadlines(tree):
            try:
                check_due(due)
            except ValueError as exc:
                problems.append(DiagramProblem(name, str(exc), node.sourceline, owner_id(node)))
    return problems


def _id_collisions(name: str, tree: Any) -> list[DiagramProblem]:
    """SpiffWorkflow finds elements by any ``id`` attribute, its form fields' included: a
    form field or enum value with a BPMN element's id would stand in for that element."""
    bpmn_ids = {n.get("id") for n in tree.getroot().iter()
                if isinstance(n.tag, str) and etree.QName(n).namespace == BPMN_NS and n.get("id")}
    return [DiagramProblem(name, f"the form's id '{n.get('id')}' is also the id of a BPMN "
                                 "element: rename the field or value", n.sourceline,
                           _bpmn_ancestor(n))
            for n in tree.getroot().iter(f"{{{CAMUNDA}}}formField", f"{{{CAMUNDA}}}value")
            if n.get("id") in bpmn_ids]


def _bpmn_ancestor(node: Any) -> str | None:
    while node is not None and (etree.QName(node).namespace != BPMN_NS or not node.get("id")):
        node = node.getparent()
    return node.get("id") if node is not None else None


def _deadlines(tree: Any) -> Iterator[tuple[str, Any]]:
    """Task due dates and timer deadlines: both in the deadline notation."""
    for node in tree.getroot().iter():
        if not isinstance(node.tag, str):
            continue
        if node.get(f"{{{CAMUNDA}}}dueDate"):
            yield node.get(f"{{{CAMUNDA}}}dueDate"), node
        elif etree.QName(node).localname in ("timeDate", "timeDuration") and \
                etree.QName(node).namespace == BPMN_NS:
            yield (node.text or "").strip(), node


def _expressions(tree: Any) -> Iterator[tuple[str, str, Any]]:
    root = tree.getroot()
    for node in root.iter(f"{{{BPMN_NS}}}script"):
        if node.text and node.text.strip():
            yield node.text, "exec", node
    for node in root.iter(f"{{{BPMN_NS}}}conditionExpression"):
        if node.text and node.text.strip():
            yield node.text.strip(), "eval", node
    for tag in ("loopCardinality", "completionCondition"):  # ${...} as Camunda writes them
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            if node.text and node.text.strip():
                yield unwrap(node.text), "eval", node
    for node in root.iter():
        expr = node.get(f"{{{CAMUNDA}}}expression") if isinstance(node.tag, str) else None
        if expr:
            yield expr, "eval", node
    for node in root.iter(f"{{{CAMUNDA}}}in", f"{{{CAMUNDA}}}out"):
        if node.get("sourceExpression") is not None:
            try:
                yield expression_of(node.get("sourceExpression")), "eval", node
            except CallMappingError:
                pass  # the parser names it
    yield from _attribute_expressions(root)
    for source, prop in gate_expressions(root):
        yield source, "eval", prop


_ASSIGNMENT = ("assignee", "candidateGroups", "candidateUsers", "collection")


def _attribute_expressions(root: Any) -> Iterator[tuple[str, str, Any]]:
    """``${...}`` in assignment and multi-instance attributes, and in a task's
    ``camunda:inputOutput`` parameters."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for name in _ASSIGNMENT:
            for item in split_list(node.get(f"{{{CAMUNDA}}}{name}")):
                if is_expression(item):
                    yield unwrap(item), "eval", node
        if etree.QName(node).namespace == BPMN_NS and etree.QName(node).localname in (
                "userTask", "manualTask"):
            try:
                yield from ((unwrap(e), "eval", node) for e in mapping_expressions(node))
            except MappingError:
                pass  # refused by the parser, naming the parameter


def _element_id(node: Any) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _problem_from(exc: Exception, trees: Mapping[str, Any]) -> DiagramProblem:
    file = getattr(exc, "file_name", "") or ""
    element = getattr(exc, "id", None) or None
    line = None
    if element:
        for name, tree in trees.items():
            found = tree.getroot().xpath("//*[@id=$i]", i=element)
            if found and (not file or file == name):
                file, line = name, found[0].sourceline
                break
    message = str(exc).split("\n")[0]
    return DiagramProblem(file, message, line, element)
