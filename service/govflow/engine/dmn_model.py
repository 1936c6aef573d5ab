"""The decisions of a set's .dmn files, read and checked at upload (DMN 1.1 to 1.3).

A decision is a decision table or a literal expression, and may require other decisions
(a DRD's ``informationRequirement/requiredDecision``). Everything is checked here, so that a
set that deploys can run: hit policy and aggregation, every input entry read as a unary test
(dmn_feel), every expression compiled by the sandbox, required decisions present and without
a cycle. Each problem names the file, line, decision, rule and column.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .dmn_feel import UnaryTestError, UnaryTests, parse_output_values, parse_unary_tests
from .errors import DiagramError, DiagramProblem, ScriptRefused
from .scripting import check_source

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "COUNT", "MIN", "MAX")
# Policies whose result is one rule's outputs; the others give a list (or an aggregate).
SINGLE_HIT = ("UNIQUE", "FIRST", "PRIORITY", "ANY")


@dataclass(frozen=True)
class TableInput:
    id: str
    label: str | None
    expression: str
    type_ref: str | None


@dataclass(frozen=True)
class TableOutput:
    id: str
    label: str | None
    name: str  # the result key: the output's name, else its label, else its id
    type_ref: str | None
    values: tuple[Any, ...]  # outputValues, in priority order (may be empty)


@dataclass(frozen=True)
class TableRule:
    id: str
    row: int
    annotation: str | None
    input_texts: tuple[str, ...]
    output_texts: tuple[str, ...]  # "" leaves the output out of the rule's result
    tests: tuple[UnaryTests, ...]


@dataclass(frozen=True)
class Table:
    id: str
    hit_policy: str
    aggregation: str | None
    inputs: tuple[TableInput, ...]
    outputs: tuple[TableOutput, ...]
    rules: tuple[TableRule, ...]

    @property
    def single_hit(self) -> bool:
        return self.hit_policy in SINGLE_HIT


@dataclass(frozen=True)
class LiteralDecision:
    variable: str
    type_ref: str | None
    text: str


@dataclass(frozen=True)
class Decision:
    id: str
    name: str | None
    file: str
    logic: Table | LiteralDecision
    required: tuple[str, ...]  # ids of the decisions it requires, in document order


class _Refused(Exception):
    def __init__(self, message: str, node: Any) -> None:
        super().__init__(message)
        self.node = node


def _local(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node: Any, name: str) -> list[Any]:
    return [c for c in node if _local(c) == name]


def _text(node: Any) -> str:
    found = _children(node, "text")
    return (found[0].text or "").strip() if found else ""


def _element_id(node: Any) -> str | None:
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return None


def parse_decisions(trees: Mapping[str, Any]) -> dict[str, Decision]:
    """Every decision of the .dmn files among ``trees``; DiagramError lists each problem."""
    problems: list[DiagramProblem] = []
    decisions: dict[str, Decision] = {}
    refused: set[str] = set()  # their problem is reported; no second one for requiring them
    for file, tree in sorted(trees.items()):
        if not file.endswith(".dmn"):
            continue
        found = [n for n in tree.getroot().iter() if _local(n) == "decision"]
        if not found:
            problems.append(DiagramProblem(file, "the file holds no decision", None, None))
        for node in found:
            try:
                decision = _decision(file, node)
            except _Refused as exc:
                refused.add(node.get("id") or "")
                problems.append(DiagramProblem(file, str(exc), exc.node.sourceline,
                                               _element_id(exc.node)))
                continue
            if decision.id in decisions:
                problems.append(DiagramProblem(
                    file, f"decision '{decision.id}' is also in {decisions[decision.id].file}",
                    node.sourceline, decision.id))
                continue
            decisions[decision.id] = decision
    problems.extend(_requirement_problems(decisions, refused))
    if problems:
        raise DiagramError(problems)
    return decisions


def _decision(file: str, node: Any) -> Decision:
    decision_id = node.get("id")
    if not decision_id:
        raise _Refused("a decision needs an id", node)
    where = f"decision '{decision_id}'"
    required = tuple(
        (req.get("href") or "").lstrip("#")
        for info in _children(node, "informationRequirement")
        for req in _children(info, "requiredDecision"))
    tables, literals = _children(node, "decisionTable"), _children(node, "literalExpression")
    if len(tables) + len(literals) != 1:
        raise _Refused(f"{where} needs exactly one decision table or literal expression "
                       "(other decision logic is not supported)", node)
    logic = _table(where, tables[0]) if tables else _literal(where, node, literals[0])
    return Decision(decision_id, node.get("name"), file, logic, required)


def _literal(where: str, decision: Any, node: Any) -> LiteralDecision:
    variables = _children(decision, "variable")
    name = variables[0].get("name") if variables else None
    if not name:
        raise _Refused(f"{where}: a literal expression decision needs a variable with a "
                       "name (the name its result is given)", decision)
    text = _text(node)
    if not text:
        raise _Refused(f"{where}: the literal expression is empty", node)
    _compile(text, f"{where}, literal expression", node)
    return LiteralDecision(name, variables[0].get("typeRef"), text)


def _table(where: str, node: Any) -> Table:
    policy = " ".join((node.get("hitPolicy") or "UNIQUE").upper().split())
    if policy not in HIT_POLICIES:
        raise _Refused(f"{where}: unknown hit policy '{policy}' "
                       f"(one of {', '.join(HIT_POLICIES)})", node)
    aggregation = (node.get("aggregation") or "").upper() or None
    if aggregation and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
        raise _Refused(f"{where}: aggregation '{aggregation}' needs hit policy COLLECT and is "
                       f"one of {', '.join(AGGREGATIONS)}", node)
    inputs = tuple(_input(where, n, i) for i, n in enumerate(_children(node, "input"), 1))
    outputs = tuple(_output(where, n, i) for i, n in enumerate(_children(node, "output"), 1))
    if not outputs:
        raise _Refused(f"{where}: a decision table needs at least one output", node)
    names = [o.name for o in outputs]
    if len(set(names)) != len(names):
        raise _Refused(f"{where}: two outputs have the same name", node)
    if aggregation and len(outputs) > 1:
        raise _Refused(f"{where}: COLLECT {aggregation} aggregates one output; this table has "
                       f"{len(outputs)}", node)
    if policy in ("PRIORITY", "OUTPUT ORDER") and not any(o.values for o in outputs):
        raise _Refused(f"{where}: hit policy {policy} ranks rules by the order of an output's "
                       "output values: give at least one output its values", node)
    rules = tuple(_rule(where, n, row, inputs, outputs)
                  for row, n in enumerate(_children(node, "rule"), 1))
    return Table(node.get("id") or "", policy, aggregation, inputs, outputs, rules)


def _input(where: str, node: Any, column: int) -> TableInput:
    expressions = _children(node, "inputExpression")
    text = _text(expressions[0]) if expressions else ""
    label = node.get("label")
    if not text:
        raise _Refused(f"{where}, input {column} ('{label or node.get('id')}'): the input "
                       "has no expression", node)
    _compile(text, f"{where}, input {column}", expressions[0])
    return TableInput(node.get("id") or f"input{column}", label, text,
                      expressions[0].get("typeRef"))


def _output(where: str, node: Any, column: int) -> TableOutput:
    name = node.get("name") or node.get("label") or node.get("id") or f"output{column}"
    values: tuple[Any, ...] = ()
    for holder in _children(node, "outputValues"):
        try:
            values = parse_output_values(_text(holder))
        except UnaryTestError as exc:
            raise _Refused(f"{where}, output {column} ('{name}'): {exc}", holder) from None
    return TableOutput(node.get("id") or f"output{column}", node.get("label"), name,
                       node.get("typeRef"), values)


def _rule(where: str, node: Any, row: int, inputs: tuple[TableInput, ...],
          outputs: tuple[TableOutput, ...]) -> TableRule:
    rule_id = node.get("id") or f"rule{row}"
    here = f"{where}, rule {row} ('{rule_id}')"
    entries, results = _children(node, "inputEntry"), _children(node, "outputEntry")
    if len(entries) != len(inputs) or len(results) != len(outputs):
        raise _Refused(f"{here}: has {len(entries)} input and {len(results)} output entries; "
                       f"the table has {len(inputs)} inputs and {len(outputs)} outputs", node)
    tests = []
    for column, (entry, table_input) in enumerate(zip(entries, inputs, strict=True), 1):
        try:
            tests.append(parse_unary_tests(_text(entry)))
        except UnaryTestError as exc:
            label = table_input.label or table_input.expression
            raise _Refused(f"{here}, input column {column} ('{label}'): cannot read "
                           f"'{_text(entry)}': {exc}", entry) from None
    for column, entry in enumerate(results, 1):
        if _text(entry):
            _compile(_text(entry), f"{here}, output column {column}", entry)
    descriptions = _children(node, "description")
    annotation = (descriptions[0].text or "").strip() if descriptions else ""
    return TableRule(rule_id, row, annotation or None, tuple(_text(e) for e in entries),
                     tuple(_text(e) for e in results), tuple(tests))


def _compile(source: str, where: str, node: Any) -> None:
    try:
        check_source(source, "eval")
    except ScriptRefused as exc:
        raise _Refused(f"{where}: {exc}", node) from None


def _requirement_problems(decisions: Mapping[str, Decision], refused: set[str]
                          ) -> Iterator[DiagramProblem]:
    for decision in decisions.values():
        for needed in decision.required:
            if needed not in decisions and needed not in refused:
                yield DiagramProblem(decision.file, f"decision '{decision.id}' requires "
                                     f"decision '{needed}', which is not in the set",
                                     None, decision.id)
    for cycle in _cycles(decisions):
        first = decisions[cycle[0]]
        yield DiagramProblem(first.file, "the required decisions form a cycle: "
                             + " -> ".join([*cycle, cycle[0]]), None, first.id)


def _cycles(decisions: Mapping[str, Decision]) -> list[list[str]]:
    """Each cycle of requirements once (iterative: a hostile chain may be long)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in decisions:
        if start in state:
            continue
        path, stack = [start], [iter(decisions[start].required)]
        state[start] = 1
        while stack:
            needed = next(stack[-1], None)
            if needed is None:
                state[path.pop()] = 2
                stack.pop()
            elif needed in decisions and state.get(needed) == 1:
                found.append(path[path.index(needed):])
            elif needed in decisions and needed not in state:
                state[needed] = 1
                path.append(needed)
                stack.append(iter(decisions[needed].required))
    return found


def evaluation_order(decisions: Mapping[str, Decision], decision_id: str) -> list[str]:
    """The decision's required decisions, deepest first, each once, then the decision
    (requirements are acyclic: checked at upload)."""
    order: list[str] = []
    placed: set[str] = set()
    stack = [(decision_id, iter(decisions[decision_id].required))]
    while stack:
        node, pending = stack[-1]
        needed = next(pending, None)
        if needed is None:
            stack.pop()
            if node not in placed:
                placed.add(node)
                order.append(node)
        elif needed not in placed:
            stack.append((needed, iter(decisions[needed].required)))
    return order
