"""Evaluating a decision: its required decisions first, then its table's hit policy (or its
literal expression), following DMN 1.3 and Camunda 7 (docs/dmn.md).

Input expressions, Python parts of input entries, output entries and literal expressions run
in the sandbox; unary tests are matched by dmn_feel. A table that breaks its own hit policy
(UNIQUE with two matches, ANY with different outputs) fails with DecisionFailed naming the
decision and the rules, as does any expression that fails.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .dmn_feel import INPUT_NAME
from .dmn_match import equal, matches
from .dmn_model import Decision, LiteralDecision, Table, TableRule, evaluation_order
from .sandbox_limits import ScriptLimitExceeded, describe
from .scripting import RestrictedEnvironment

_ENVIRONMENT = RestrictedEnvironment()


class DecisionFailed(Exception):
    """A decision could not be evaluated; the message names the decision and the rules."""


@dataclass(frozen=True)
class RuleHit:
    id: str
    row: int
    annotation: str | None


@dataclass(frozen=True)
class DecisionResult:
    decision_id: str
    # Camunda's result list: one dict of output name -> value per rule in the result, one
    # entry for an aggregation, {variable: value} for a literal expression.
    entries: tuple[dict[str, Any], ...]
    matched: tuple[RuleHit, ...]  # every rule whose inputs matched, in rule order
    kind: str  # "single" (one rule's outputs), "list", "aggregate" or "literal"


def evaluate(decisions: Mapping[str, Decision], decision_id: str,
             variables: Mapping[str, Any]) -> DecisionResult:
    """Evaluate the decision against ``variables`` (not changed); required decisions first,
    their outputs added to what the next ones see, as Camunda does."""
    context = dict(variables)
    result = None
    for current in evaluation_order(decisions, decision_id):
        result = _evaluate_one(decisions[current], context)
        if current != decision_id:
            context.update(_as_variables_for_next(result))
    assert result is not None
    return result


def _as_variables_for_next(result: DecisionResult) -> dict[str, Any]:
    if not result.entries:
        return {}
    if len(result.entries) == 1 and result.kind != "list":
        return dict(result.entries[0])
    names = dict.fromkeys(k for entry in result.entries for k in entry)
    return {name: [e[name] for e in result.entries if name in e] for name in names}


def _evaluate_one(decision: Decision, context: dict[str, Any]) -> DecisionResult:
    where = f"decision '{decision.id}'"
    if isinstance(decision.logic, LiteralDecision):
        value = _run(decision.logic.text, context, f"{where}, literal expression")
        return DecisionResult(decision.id, ({decision.logic.variable: value},), (), "literal")
    return _evaluate_table(where, decision.id, decision.logic, context)


def _evaluate_table(where: str, decision_id: str, table: Table, context: dict[str, Any]
                    ) -> DecisionResult:
    inputs: dict[int, Any] = {}  # evaluated when a rule first tests the column

    def input_value(column: int) -> Any:
        if column not in inputs:
            spec = table.inputs[column]
            inputs[column] = _run(spec.expression, context,
                                  f"{where}, input {column + 1} ('{spec.label or spec.id}')")
        return inputs[column]

    matched: list[TableRule] = []
    for rule in table.rules:
        if all(_entry_matches(where, rule, column, tests, input_value, context)
               for column, tests in enumerate(rule.tests)):
            matched.append(rule)
    hits = tuple(RuleHit(r.id, r.row, r.annotation) for r in matched)
    policy = table.hit_policy
    if policy == "UNIQUE" and len(matched) > 1:
        raise DecisionFailed(f"{where} has hit policy UNIQUE but {len(matched)} rules matched: "
                             f"{_names(matched)}; at most one may match")
    if policy == "FIRST":
        matched = matched[:1]
    outputs = [_outputs(where, table, rule, context) for rule in matched]
    if policy == "ANY":
        differing = [r for r, o in zip(matched, outputs, strict=True) if o != outputs[0]]
        if differing:
            raise DecisionFailed(f"{where} has hit policy ANY but the matching rules "
                                 f"{_names(matched)} give different outputs; rules that match "
                                 "together must give the same outputs")
        matched, outputs = matched[:1], outputs[:1]
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        order = sorted(range(len(matched)),
                       key=lambda i: _priority(where, table, matched[i], outputs[i]))
        matched, outputs = [matched[i] for i in order], [outputs[i] for i in order]
        if policy == "PRIORITY":
            matched, outputs = matched[:1], outputs[:1]
    if table.aggregation:
        return DecisionResult(decision_id, _aggregate(where, table, matched, outputs), hits,
                              "aggregate")
    return DecisionResult(decision_id, tuple(outputs), hits,
                          "single" if table.single_hit else "list")


def _entry_matches(where: str, rule: TableRule, column: int, tests: Any, input_value: Any,
                   context: dict[str, Any]) -> bool:
    if not tests.tests:
        return True
    here = f"{where}, rule {rule.row} ('{rule.id}'), input column {column + 1}"

    def run(source: str, value: Any) -> Any:
        return _run(source, {INPUT_NAME: value}, here, context)

    return matches(tests, input_value(column), run)


def _outputs(where: str, table: Table, rule: TableRule, context: dict[str, Any]
             ) -> dict[str, Any]:
    return {output.name: _run(text, context, f"{where}, rule {rule.row} ('{rule.id}'), "
                                             f"output '{output.name}'")
            for output, text in zip(table.outputs, rule.output_texts, strict=True) if text}


def _priority(where: str, table: Table, rule: TableRule, outputs: dict[str, Any]
              ) -> tuple[int, ...]:
    key = []
    for output in table.outputs:
        if not output.values:
            continue
        value = outputs.get(output.name)
        rank = next((i for i, v in enumerate(output.values) if equal(value, v)), None)
        if rank is None:
            raise DecisionFailed(f"{where}, rule {rule.row} ('{rule.id}'): output "
                                 f"'{output.name}' is {value!r}, which is not among its output "
                                 f"values, so {table.hit_policy} cannot rank it")
        key.append(rank)
    return tuple(key)


def _aggregate(where: str, table: Table, matched: list[TableRule],
               outputs: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    name = table.outputs[0].name
    values = [o[name] for o in outputs if name in o]
    if table.aggregation == "COUNT":
        return ({name: len(values)},)
    if not values:
        return ()
    bad = [(r, v) for r, v in zip(matched, values, strict=False)
           if not isinstance(v, int | float) or isinstance(v, bool)]
    if bad:
        rule, value = bad[0]
        raise DecisionFailed(f"{where}: COLLECT {table.aggregation} needs numbers; rule "
                             f"{rule.row} ('{rule.id}') gives {value!r}")
    if table.aggregation == "SUM":
        return ({name: sum(values)},)
    return ({name: min(values) if table.aggregation == "MIN" else max(values)},)


def _names(rules: list[TableRule]) -> str:
    return ", ".join(f"rule {r.row} ('{r.id}')" for r in rules)


def _run(source: str, context: dict[str, Any], where: str,
         outer: dict[str, Any] | None = None) -> Any:
    short = source if len(source) <= 80 else source[:80] + "..."
    try:
        return _ENVIRONMENT.evaluate(source, context, outer)
    except ScriptLimitExceeded as exc:
        raise DecisionFailed(f"{where}: cannot evaluate '{short}': {exc}") from None
    except NameError as exc:
        raise DecisionFailed(f"{where}: input variable missing: {describe(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - described, not chained (see scripting)
        error = DecisionFailed(f"{where}: cannot evaluate '{short}': {type(exc).__name__}: "
                               f"{describe(exc)}")
    raise error


# --- what a business rule task writes ---------------------------------------------------

MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


def variables_without_result_variable(decision: Decision, result: DecisionResult
                                      ) -> dict[str, Any]:
    """GovFlow's default (no camunda:resultVariable): the outputs become variables. One
    rule's outputs as they are (nothing when no rule matched); a list policy's outputs each
    as the list of their values (empty lists when nothing matched); an aggregate as its
    value (COUNT 0, the others null, when nothing matched); a literal expression under its
    variable's name."""
    table = decision.logic
    if not isinstance(table, Table):
        return dict(result.entries[0])
    if result.kind == "list":
        return {o.name: [e[o.name] for e in result.entries if o.name in e]
                for o in table.outputs}
    if result.entries:
        return dict(result.entries[0])
    if table.aggregation:
        return {table.outputs[0].name: 0 if table.aggregation == "COUNT" else None}
    return {}


def map_result(result: DecisionResult, mapping: str) -> Any:
    """camunda:mapDecisionResult, as Camunda 7 maps a decision result to its variable."""
    entries = result.entries
    where = f"decision '{result.decision_id}'"
    if mapping == "resultList":
        return [dict(e) for e in entries]
    if mapping in ("singleEntry", "singleResult") and len(entries) > 1:
        raise DecisionFailed(f"{where} gave {len(entries)} results; mapDecisionResult "
                             f"{mapping} takes at most one")
    if mapping in ("singleEntry", "collectEntries"):
        wide = next((e for e in entries if len(e) > 1), None)
        if wide is not None:
            raise DecisionFailed(f"{where} gave a result with {len(wide)} outputs "
                                 f"({', '.join(wide)}); mapDecisionResult {mapping} takes "
                                 "one output")
    if mapping == "singleResult":
        return dict(entries[0]) if entries else None
    if mapping == "singleEntry":
        return next(iter(entries[0].values()), None) if entries else None
    return [v for e in entries for v in e.values()]


def nest_dotted(values: Mapping[str, Any], into: dict[str, Any]) -> None:
    """Write ``values`` into ``into``; ``a.b`` sets key ``b`` of dict variable ``a``."""
    for key, value in values.items():
        parts = key.split(".")
        target = into
        for part in parts[:-1]:
            existing = target.get(part)
            target[part] = existing if isinstance(existing, dict) else {}
            target = target[part]
        target[parts[-1]] = value
