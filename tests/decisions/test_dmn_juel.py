"""A decision table written for Camunda 7 with JUEL texts: input expressions
``${amount * 2}``, input entries ``${cellInput > 100}``, output entries ``${"big-" + kind}``;
walked through a business rule task and the evaluate endpoint. A bad JUEL entry is refused
at upload naming the entry and the column."""

import pytest

from tests.conftest import deploy
from tests.decisions.dmn_support import decision_set
from tests.support.api import API, ready, start, token
from tools.dmn_builder import DecisionTable, Input, Output

UNIT = token("ua", "dj", ("unit",))


def sized(entry: str = "${cellInput > 100}") -> DecisionTable:
    t = DecisionTable("sized", "规模", [Input("金额", "${amount * 2}", "number"),
                                        Input("类别", "${kind}", "string")],
                      [Output("size", "size", "string", None)], hit_policy="FIRST")
    t.rule([entry, '"a"'], ['${"big-" + kind}'], "大额 a 类")
    t.rule(["${empty cellInput || cellInput <= 100}", "-"], ['"small"'], "小额")
    t.rule(["-", "-"], ['"other"'], "其他")
    return t


@pytest.mark.parametrize(("amount", "kind", "size"), [
    (60, "a", "big-a"), (60, "b", "other"), (40, "b", "small")])
async def test_juel_decision_table_routes_the_process(client, amount, kind, size) -> None:
    files = decision_set([sized()], [("rule", "sized", None, None)],
                         condition="${size eq 'big-a'}")
    assert (await deploy(client, "dj", files)).status_code == 201
    instance = await start(client, "dj", UNIT)
    response = await client.post(f"{API}/tasks/{ready(instance, 'declare')['id']}/complete",
                                 headers=UNIT,
                                 json={"variables": {"amount": amount, "kind": kind}})
    assert response.status_code == 200, response.text
    assert response.json()["variables"]["size"] == size
    route = "big_route" if size == "big-a" else "small_route"
    assert [t["key"] for t in response.json()["ready_tasks"]] == [route]
    evaluated = await client.post(f"{API}/tenants/dj/decisions/sized/evaluate", headers=UNIT,
                                  json={"inputs": {"amount": amount, "kind": kind}})
    assert evaluated.json()["outputs"] == [{"size": size}]


async def test_a_bad_juel_entry_is_refused_at_upload(client) -> None:
    files = decision_set([sized("${cellInput >}")], [("rule", "sized", None, None)])
    response = await deploy(client, "dj", files)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["loc"] == "decisions.dmn"
    assert error["element"] == "InputEntry_sized_1_1"
    assert "'${cellInput >}'" in error["msg"]
    assert "found the end at column 12" in error["msg"]
