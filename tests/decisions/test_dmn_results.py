"""Where a decision's result goes (camunda:resultVariable with each mapDecisionResult),
decisions that require others (a DRD), literal-expression decisions, and what is refused
at upload."""

import pytest

from tests.conftest import deploy
from tests.decisions.dmn_support import decision_set, rule_process, table
from tests.support.api import API, ready, snapshot, start, token
from tools.dmn_builder import DecisionTable, Input, LiteralDecision, Output, dmn_document


def pair() -> DecisionTable:
    t = DecisionTable("pair", "两项", [Input("金额", "amount", "number")],
                      [Output("level", "级别"), Output("fee", "费用", "integer")])
    t.rule(["> 100"], ['"high"', "amount // 100"], "大额")
    t.rule(["<= 100"], ['"low"', "1"], "小额")
    return t


MANY = table("many", "COLLECT", [("> 10", '"a"'), ("> 100", '"b"'), ("> 1000", '"c"')],
             output="tag")
ONE = table("one", "UNIQUE", [("> 100", '"big"'), ("<= 100", '"small"')], output="size")


async def _walk(client, files, amount, tenant="maps"):
    deployed = await deploy(client, tenant, files)
    assert deployed.status_code in (200, 201), deployed.text
    headers = token("ua", tenant, ("unit",))
    instance = await start(client, tenant, headers)
    response = await client.post(f"{API}/tasks/{ready(instance, 'declare')['id']}/complete",
                                 json={"variables": {"amount": amount}}, headers=headers)
    return instance, response


async def test_map_decision_result_fills_the_result_variable_as_camunda_does(client):
    files = decision_set([pair(), MANY, ONE], [
        ("r_default", "pair", "as_default", None),
        ("r_list", "many", "as_list", "resultList"),
        ("r_single_result", "pair", "as_single_result", "singleResult"),
        ("r_single_entry", "one", "as_single_entry", "singleEntry"),
        ("r_collect", "many", "as_collected", "collectEntries"),
        ("r_nothing", "one", "nothing", "singleEntry"),
    ], condition="as_single_entry == 'big' and as_single_result['fee'] == 5")
    _, response = await _walk(client, files, 500)
    assert response.status_code == 200, response.text
    got = response.json()["variables"]
    assert got["as_default"] == [{"level": "high", "fee": 5}]       # resultList by default
    assert got["as_list"] == [{"tag": "a"}, {"tag": "b"}]
    assert got["as_single_result"] == {"level": "high", "fee": 5}
    assert got["as_single_entry"] == "big"
    assert got["as_collected"] == ["a", "b"]
    # With a result variable, the outputs themselves are not set as variables.
    assert "level" not in got
    assert "tag" not in got
    assert "size" not in got
    assert [t["key"] for t in response.json()["ready_tasks"]] == ["big_route"]


async def test_a_mapping_with_nothing_to_map_gives_null_or_an_empty_list(client):
    files = decision_set([MANY, table("none", "UNIQUE", [("< 0", '"neg"')], output="sign")], [
        ("r_entry", "none", "entry", "singleEntry"), ("r_result", "none", "result",
                                                      "singleResult"),
        ("r_collect", "many", "collected", "collectEntries"),
        ("r_list", "none", "listed", None)])
    _, response = await _walk(client, files, 1)
    got = response.json()["variables"]
    assert (got["entry"], got["result"], got["collected"], got["listed"]) == (None, None, [], [])


@pytest.mark.parametrize(("decision", "mapping", "words"), [
    ("many", "singleEntry", ["2 results", "singleEntry"]),
    ("many", "singleResult", ["2 results", "singleResult"]),
    ("pair", "singleEntry", ["2 outputs", "level, fee"]),
    ("pair", "collectEntries", ["2 outputs", "collectEntries"]),
])
async def test_a_mapping_the_result_does_not_fit_fails_the_step(client, decision, mapping,
                                                                 words):
    files = decision_set([pair(), MANY], [("decide", decision, "out", mapping)])
    instance, response = await _walk(client, files, 500)
    assert response.status_code == 422, response.text
    for word in ["decide", f"decision '{decision}'", *words]:
        assert word in response.json()["detail"]
    state, version, *_ = await snapshot(client, instance["id"])
    assert (state, version) == (instance["state"], instance["version"])


def dish_drd() -> list:
    """Camunda's dish example as a DRD: dish requires season (a table) and guestCount (a
    literal expression)."""
    season = DecisionTable("season", "季节", [Input("气温", "temperature", "integer")],
                           [Output("season", "季节")], hit_policy="FIRST")
    season.rule(["> 30"], ['"Summer"'], "热")
    season.rule(["< 10"], ['"Winter"'], "冷")
    season.rule(["[10..30]"], ['"Spring"'], "温")
    guests = LiteralDecision("guests", "人数", "guestCount",
                             '15 if day_type == "Weekend" else 4', "integer")
    dish = DecisionTable("dish", "菜", [Input("季节", "season"), Input("人数", "guestCount",
                                                                       "integer")],
                         [Output("dish", "菜")], requires=("season", "guests"))
    dish.rule(['"Winter"', "<= 8"], ['"Spareribs"'], "冬少")
    dish.rule(['"Winter"', "> 8"], ['"Pasta"'], "冬多")
    dish.rule(['"Summer"', "-"], ['"Light salad"'], "夏")
    dish.rule(['not("Winter", "Summer")', "[5..20]"], ['"Steak"'], "春多")
    dish.rule(['"Spring"', "< 5"], ['"Stew"'], "春少")
    return [dish, season, guests]


@pytest.mark.parametrize(("temperature", "day_type", "dish"), [
    (5, "Weekday", "Spareribs"), (5, "Weekend", "Pasta"), (35, "Weekday", "Light salad"),
    (10, "Weekend", "Steak"), (30, "Weekday", "Stew"),
])
async def test_a_decision_evaluates_the_decisions_it_requires_first(client, temperature,
                                                                      day_type, dish):
    files = {"p.bpmn": rule_process([("decide", "dish", None, None)],
                                    condition="dish == 'Steak'"),
             "dish.dmn": dmn_document("dinner", "晚餐", dish_drd())}
    deployed = await deploy(client, "drd", files)
    assert deployed.status_code in (200, 201), deployed.text
    headers = token("ua", "drd", ("unit",))
    instance = await start(client, "drd", headers)
    response = await client.post(
        f"{API}/tasks/{ready(instance, 'declare')['id']}/complete", headers=headers,
        json={"variables": {"temperature": temperature, "day_type": day_type}})
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["variables"]["dish"] == dish
    # Only the decision the task names writes variables; what it required stays inside.
    assert "season" not in got["variables"]
    assert "guestCount" not in got["variables"]
    route = "big_route" if dish == "Steak" else "small_route"
    assert [t["key"] for t in got["ready_tasks"]] == [route]
    evaluated = await client.post(f"{API}/tenants/drd/decisions/dish/evaluate", headers=headers,
                                  json={"inputs": {"temperature": temperature,
                                                   "day_type": day_type}})
    assert evaluated.json()["outputs"] == [{"dish": dish}]


async def test_a_literal_expression_decision_sets_its_variable(client):
    guests = LiteralDecision("guests", "人数", "guestCount", "amount * 2 + 1", "integer")
    files = decision_set([guests], [("plain", "guests", None, None),
                                    ("mapped", "guests", "count", "singleEntry")],
                         condition="guestCount == 11 and count == 11")
    _, response = await _walk(client, files, 5, tenant="literal")
    assert response.status_code == 200, response.text
    assert response.json()["variables"]["guestCount"] == 11
    assert [t["key"] for t in response.json()["ready_tasks"]] == ["big_route"]
    evaluated = await client.post(f"{API}/tenants/literal/decisions/guests/evaluate",
                                  headers=token("ua", "literal", ("unit",)),
                                  json={"inputs": {"amount": 1}})
    assert evaluated.json()["outputs"] == [{"guestCount": 3}]
    assert evaluated.json()["hit_policy"] is None


def _refused_set(decisions, tasks=(("decide", "route", None, None),)):
    return decision_set(decisions, list(tasks))


NO_DECISION = (b'<?xml version="1.0" encoding="UTF-8"?>\n<definitions '
               b'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
               b'namespace="http://camunda.org/schema/1.0/dmn"/>\n')


@pytest.mark.parametrize(("files", "words"), [
    (_refused_set([table("route", "UNIQUE", [("[1..10", '"a"')])]),
     ["decisions.dmn", "decision 'route'", "rule 1 ('Rule_route_1')", "input column 1",
      "'[1..10'", "not a range"]),
    (_refused_set([table("route", "UNIQUE", [('not("a"), "b"', '"a"')])]),
     ["decision 'route'", "rule 1", "whole entry"]),
    (_refused_set([table("route", "UNIQUE", [("> _x", '"a"')])]),
     ["decision 'route'", "rule 1", "input column 1", "neither a FEEL unary test"]),
    (_refused_set([table("route", "UNIQUE", [("> 1", "__import__('os')")])]),
     ["decision 'route'", "rule 1", "output column 1"]),
    (_refused_set([table("route", "COLLECT", [("> 1", "1")], aggregation="AVG")]),
     ["aggregation 'AVG'"]),
    (_refused_set([table("route", "PRIORITY", [("> 1", '"a"')])]),
     ["PRIORITY", "output values"]),
    (_refused_set([table("route", "SOMETIMES", [("> 1", '"a"')])]),
     ["unknown hit policy 'SOMETIMES'"]),
    (_refused_set([DecisionTable("route", "r", [Input("a", "amount")],
                                 [Output("x", "x"), Output("y", "y")], hit_policy="COLLECT",
                                 aggregation="SUM")]),
     ["aggregates one output"]),
    (_refused_set([DecisionTable("route", "r", [Input("a", "amount")], [Output("x", "x")],
                                 requires=("elsewhere",))]),
     ["requires decision 'elsewhere'"]),
    (_refused_set([DecisionTable("route", "r", [Input("a", "amount")], [Output("x", "x")],
                                 requires=("loop",)),
                   DecisionTable("loop", "l", [Input("a", "amount")], [Output("y", "y")],
                                 requires=("route",))]),
     ["cycle", "route -> loop -> route"]),
    (_refused_set([table("route", "UNIQUE", [("> 1", '"a"')])],
                  [("decide", "route", None, "singleEntry")]),
     ["mapDecisionResult needs camunda:resultVariable"]),
    (_refused_set([table("route", "UNIQUE", [("> 1", '"a"')])],
                  [("decide", "route", "out", "firstEntry")]),
     ["'firstEntry' is not one of"]),
    (_refused_set([table("route", "UNIQUE", [("> 1", '"a"')])],
                  [("decide", "elsewhere", None, None)]),
     ["decision 'elsewhere' is not in the set"]),
    ({**_refused_set([table("route", "UNIQUE", [("> 1", '"a"')])]), "empty.dmn": NO_DECISION},
     ["empty.dmn", "holds no decision"]),
])
async def test_what_cannot_run_is_refused_at_upload(client, files, words):
    response = await deploy(client, "refused", files)
    assert response.status_code == 422, response.text
    body = response.json()
    text = " ".join([body["detail"], *(f"{e['loc']} {e['msg']}" for e in body["errors"])])
    for word in words:
        assert word in text, text
    listed = await client.get(f"{API}/tenants/refused/diagram-sets",
                              headers=token("ua", "refused", ("admin",), admin=True))
    assert listed.json()["items"] == []
