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
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.dmn.specs.model import DecisionTable
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .errors import DiagramError, DiagramProblem, ScriptRefused
from .forms import CAMUNDA, FormError, form_schema
from .message_catch import MessageCatchDef
from .parser import GovflowParser, HumanTaskDef
from .scripting import check_source
from .timers import LegalTimerEventDefinition
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
    # The variable whose value lists show as the instance's label (camunda property
    # ``label_variable`` on the process), e.g. "project_name".
    label_variable: str | None = None


@dataclass(frozen=True)
class DecisionInfo:
    """A DMN decision with its table's inputs, outputs and rules; the table stays private."""

    id: str
    name: str | None
    file: str
    inputs: tuple[DecisionInput, ...]
    outputs: tuple[DecisionOutput, ...]
    rules: tuple[DecisionRule, ...]
    _table: DecisionTable = field(repr=False, compare=False)


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

    for name, tree in trees.items():
        problems.extend(_check_expressions(name, tree, check_due))
    if problems:
        raise DiagramError(problems)

    parser = GovflowParser()
    try:
        for name, tree in trees.items():
            if name.endswith(".dmn"):
                parser.add_dmn_xml(tree.getroot(), filename=name)
            else:
                parser.add_bpmn_xml(tree, filename=name)
        processes = _parse_processes(parser, trees)
        decisions = _parse_decisions(parser)
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
                tuple(_timer_defs(task_specs)), spec, subs, _label_variable(name, node))
    return result


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
                  for d in children if isinstance(d, LegalTimerEventDefinition)]
    return found


def _start_form(process: Any) -> dict[str, Any]:
    starts = [s for s in process.iterfind(f"{{{BPMN_NS}}}startEvent") if len(s.xpath(
        "./bpmn:messageEventDefinition|./bpmn:timerEventDefinition", namespaces=NS)) == 0]
    schema = form_schema(starts[0]) if starts else {"type": "object"}
    schema.pop("additionalProperties", None)
    return schema


def _parse_decisions(parser: GovflowParser) -> dict[str, DecisionInfo]:
    result = {}
    for decision_id, dmn_parser in parser.dmn_parsers.items():
        dmn_parser.parse()
        decision = dmn_parser.decision
        table = decision.decisionTables[0]
        result[decision_id] = DecisionInfo(
            decision_id, decision.name, dmn_parser.filename,
            tuple(DecisionInput(i.id, i.label, i.expression, i.typeRef) for i in table.inputs),
            tuple(DecisionOutput(o.id, o.label, o.name, o.typeRef) for o in table.outputs),
            tuple(_rule_view(r) for r in table.rules), table)
    return result


def _rule_view(rule: Any) -> DecisionRule:
    return DecisionRule(rule.id, rule.row_number, (rule.description or "").strip() or None,
                        tuple(e.text or "" for e in rule.inputEntries),
                        tuple(e.text or "" for e in rule.outputEntries))


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
    if len(candidates) != 1:
        raise DiagramError([DiagramProblem(
            "", "cannot tell the main process among "
                f"{', '.join(candidates) or 'none'}: mark one with the camunda property "
                "main=true, or upload with main_process")])
    return candidates[0]


def _check_expressions(name: str, tree: Any, check_due: Callable[[str], None] | None
                       ) -> list[DiagramProblem]:
    """Vet every script and expression before SpiffWorkflow sees it."""
    problems = []
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
                problems.append(DiagramProblem(name, str(exc), node.sourceline, _element_id(node)))
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
    for tag in ("conditionExpression", "loopCardinality", "completionCondition"):
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            if node.text and node.text.strip():
                yield node.text.strip(), "eval", node
    for node in root.iter():
        expr = node.get(f"{{{CAMUNDA}}}expression") if isinstance(node.tag, str) else None
        if expr:
            yield expr, "eval", node
    for node in root.iter():
        if not isinstance(node.tag, str) or not node.text or not node.text.strip():
            continue
        local = etree.QName(node).localname
        if local != "text" or node.getparent() is None:
            continue
        parent = etree.QName(node.getparent()).localname
        text = node.text.strip()
        if parent in ("inputExpression", "outputEntry"):
            yield text, "eval", node
        elif parent == "inputEntry" and text != "-":
            yield _dmn_entry(text), "eval", node


def _dmn_entry(text: str) -> str:
    """An input entry as SpiffWorkflow's DMN engine will evaluate it (see DMNEngine.evaluate)."""
    if "?" in text:
        return text.replace("?", "dmn_input")
    try:
        compile(text, "<entry>", "eval")
        return f"(dmn_input) == ({text})"
    except SyntaxError:
        return f"dmn_input {text}"


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
