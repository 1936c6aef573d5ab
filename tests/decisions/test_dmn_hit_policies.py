"""Every hit policy and aggregation, deployed as Camunda Modeler writes it and walked over
REST: the variables a business rule task leaves and the route the process takes; a table
that breaks its own policy fails the step with 422 and leaves the instance as it was."""

import pytest

from tests.conftest import deploy
from tests.decisions.dmn_support import decision_set, policy_tables, table
from tests.support.api import ADMIN, API, ready, snapshot, start, token

UNIT = token("ua", "dmn", ("unit",))
ALL_TASKS = [(f"t_{t.id}", t.id, None, None) for t in policy_tables()]


async def _declare(client, files, amount, tenant="dmn"):
    deployed = await deploy(client, tenant, files)
    assert deployed.status_code in (200, 201), deployed.text
    headers = token("ua", tenant, ("unit",))
    instance = await start(client, tenant, headers)
    task = ready(instance, "declare")
    response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                 json={"variables": {"amount": amount}}, headers=headers)
    return instance, response


async def test_each_policy_gives_its_result_and_the_route_follows_the_sum(client):
    files = decision_set(policy_tables(), ALL_TASKS, condition="total >= 3")
    _, response = await _declare(client, files, 500)
    assert response.status_code == 200, response.text
    after = response.json()
    variables = after["variables"]
    assert variables["size"] == "medium"                       # UNIQUE: the one match
    assert variables["first_hit"] == "over100"                 # FIRST: first in rule order
    assert variables["any_hit"] == "big"                       # ANY: matches agree
    assert variables["priority"] == "high"                     # PRIORITY: by outputValues
    assert variables["in_rule_order"] == ["a", "b"]            # RULE ORDER
    assert variables["in_output_order"] == ["high", "medium", "low"]  # OUTPUT ORDER
    assert variables["collected"] == ["x1", "x2"]              # COLLECT
    assert variables["total"] == 3                             # C+
    assert variables["count"] == 2                             # C#
    assert variables["smallest"] == 3                          # C<
    assert variables["largest"] == 5                           # C>
    assert [t["key"] for t in after["ready_tasks"]] == ["big_route"]


async def test_when_nothing_matches_lists_are_empty_and_aggregates_null(client):
    files = decision_set(policy_tables(), ALL_TASKS, condition="total is not None")
    _, response = await _declare(client, files, 5)
    assert response.status_code == 200, response.text
    variables = response.json()["variables"]
    assert variables["size"] == "small"
    for single in ("first_hit", "any_hit", "priority"):
        assert single not in variables   # a single-hit table that matched nothing sets nothing
    assert variables["in_rule_order"] == []
    assert variables["in_output_order"] == ["medium"]
    assert variables["collected"] == []
    assert variables["count"] == 0
    assert variables["total"] is variables["smallest"] is variables["largest"] is None
    assert [t["key"] for t in response.json()["ready_tasks"]] == ["small_route"]


@pytest.mark.parametrize(("decision", "words"), [
    (table("route", "UNIQUE", [("> 10", '"a"'), ("< 100", '"b"'), ("> 1000", '"c"')]),
     ["decision 'route'", "UNIQUE", "2 rules matched", "Rule_route_1", "Rule_route_2"]),
    (table("route", "ANY", [("> 10", '"a"'), ("< 100", '"b"')]),
     ["decision 'route'", "ANY", "Rule_route_1", "Rule_route_2", "different outputs"]),
    (table("route", "COLLECT", [("> 10", '"a"'), ("< 100", "1")], aggregation="SUM"),
     ["decision 'route'", "SUM needs numbers", "Rule_route_1"]),
    (table("route", "PRIORITY", [("> 10", '"urgent"')], values='"high","low"'),
     ["decision 'route'", "'urgent'", "not among its output values"]),
])
async def test_a_table_that_breaks_its_policy_fails_the_step_and_changes_nothing(
        client, decision, words):
    files = decision_set([decision], [("decide", "route", None, None)])
    instance, response = await _declare(client, files, 50)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    for word in ["decide", *words]:
        assert word in detail, detail
    before = (instance["state"], instance["version"])
    assert (await snapshot(client, instance["id"]))[:2] == before
    assert [t["key"] for t in (await client.get(
        f"{API}/process-instances/{instance['id']}", headers=ADMIN)).json()["ready_tasks"]] == \
        ["declare"]


async def test_the_evaluation_endpoint_applies_the_hit_policy(client):
    files = decision_set(policy_tables(), ALL_TASKS)
    assert (await deploy(client, "dmn", files)).status_code in (200, 201)

    async def evaluate(decision, amount):
        return await client.post(f"{API}/tenants/dmn/decisions/{decision}/evaluate",
                                 json={"inputs": {"amount": amount}}, headers=UNIT)

    got = (await evaluate("priority", 500)).json()
    assert got["hit_policy"] == "PRIORITY"
    assert got["outputs"] == [{"priority": "high"}]
    assert [r["id"] for r in got["matched_rules"]] == ["Rule_priority_1", "Rule_priority_2"]
    got = (await evaluate("sum", 5000)).json()
    assert (got["hit_policy"], got["outputs"]) == ("COLLECT SUM", [{"total": 7}])
    assert (await evaluate("collect", 1)).json()["outputs"] == []
    assert (await evaluate("output_order", 50)).json()["outputs"] == [
        {"in_output_order": "medium"}, {"in_output_order": "low"}]


async def test_the_endpoint_refuses_a_unique_table_with_two_matches(client):
    clash = table("route", "UNIQUE", [("> 10", '"a"'), ("< 100", '"b"')])
    assert (await deploy(client, "dmn", decision_set([clash], [("decide", "route", None, None)]))
            ).status_code in (200, 201)
    response = await client.post(f"{API}/tenants/dmn/decisions/route/evaluate",
                                 json={"inputs": {"amount": 50}}, headers=UNIT)
    assert response.status_code == 422
    assert "Rule_route_1" in response.json()["detail"]
    assert "Rule_route_2" in response.json()["detail"]
