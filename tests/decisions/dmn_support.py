"""Diagram sets for the DMN scenarios: decision tables and a process with a business rule
task per decision, both as Camunda Modeler writes them (DMNDI and BPMN DI)."""

from collections.abc import Sequence

from tools.bpmn_builder import ProcessBuilder
from tools.dmn_builder import DecisionTable, Input, LiteralDecision, Output, dmn_document

PRIORITIES = '"high","medium","low"'


def table(id: str, policy: str, rules: Sequence[tuple[str, str]], *, aggregation=None,
          output: str | None = None, values: str | None = None, type: str = "string",
          expression: str = "amount") -> DecisionTable:
    """A one-input, one-output table: ``rules`` are (input entry, output entry)."""
    t = DecisionTable(id, id, [Input("金额", expression, "number")],
                      [Output(output or id, id, type, values)], hit_policy=policy,
                      aggregation=aggregation)
    for n, (entry, result) in enumerate(rules, 1):
        t.rule([entry], [result], f"规则 {n}")
    return t


def policy_tables() -> list[DecisionTable]:
    """One decision per hit policy and aggregation; amount 500 matches two or three rules
    of each, amount 5 none (but UNIQUE's first and OUTPUT ORDER's last)."""
    over = [("> 10", "1"), ("> 100", "2"), ("> 1000", "4")]
    return [
        table("unique", "UNIQUE", [("< 100", '"small"'), ("[100..1000]", '"medium"'),
                                   ("> 1000", '"large"')], output="size"),
        table("first", "FIRST", [("> 100", '"over100"'), ("> 10", '"over10"')],
              output="first_hit"),
        table("any", "ANY", [("> 100", '"big"'), (">= 500", '"big"')], output="any_hit"),
        table("priority", "PRIORITY", [("> 10", '"low"'), ("> 100", '"high"'),
                                       ("> 1000", '"medium"')], output="priority",
              values=PRIORITIES),
        table("rule_order", "RULE ORDER", [("> 10", '"a"'), ("< 0", '"x"'), ("> 100", '"b"')],
              output="in_rule_order"),
        table("output_order", "OUTPUT ORDER", [("> 10", '"low"'), ("> 100", '"high"'),
                                               ("[0..1000]", '"medium"')],
              output="in_output_order", values=PRIORITIES),
        table("collect", "COLLECT", [("> 10", '"x1"'), ("> 100", '"x2"'), ("> 1000", '"x3"')],
              output="collected"),
        table("sum", "COLLECT", over, aggregation="SUM", output="total", type="integer"),
        table("count", "COLLECT", over, aggregation="COUNT", output="count", type="integer"),
        table("min", "COLLECT", [("> 10", "5"), ("> 100", "3"), ("> 1000", "1")],
              aggregation="MIN", output="smallest", type="integer"),
        table("max", "COLLECT", [("> 10", "5"), ("> 100", "3"), ("> 1000", "9")],
              aggregation="MAX", output="largest", type="integer"),
    ]


def rule_process(tasks: Sequence[tuple[str, str, str | None, str | None]],
                 condition: str | None = None) -> bytes:
    """declare (unit) -> one business rule task per (id, decision, resultVariable,
    mapDecisionResult) -> a gateway: ``condition`` to big_route, else small_route."""
    b = ProcessBuilder("p", "判定流程", lanes=[("unit", "单位")])
    b.start("s", lane="unit")
    b.user_task("declare", "申报", lane="unit", candidate_groups=["unit"])
    b.flow("s", "declare")
    last = "declare"
    for task_id, decision, variable, mapping in tasks:
        b.business_rule_task(task_id, task_id, decision=decision, lane="unit",
                             result_variable=variable, map_decision_result=mapping)
        b.flow(last, task_id)
        last = task_id
    b.exclusive_gateway("gw", lane="unit", default="Flow_gw_small_route")
    b.user_task("big_route", "大额", lane="unit", candidate_groups=["unit"])
    b.user_task("small_route", "小额", lane="unit", candidate_groups=["unit"])
    b.end("e_big", lane="unit")
    b.end("e_small", lane="unit")
    b.flow(last, "gw")
    b.flow("gw", "big_route", condition=condition or "False")
    b.flow("gw", "small_route")
    b.flow("big_route", "e_big")
    b.flow("small_route", "e_small")
    return b.to_xml()


def decision_set(decisions: Sequence[DecisionTable | LiteralDecision],
                 tasks: Sequence[tuple[str, str, str | None, str | None]],
                 condition: str | None = None) -> dict[str, bytes]:
    return {"p.bpmn": rule_process(tasks, condition),
            "decisions.dmn": dmn_document("decisions", "判定", decisions)}
