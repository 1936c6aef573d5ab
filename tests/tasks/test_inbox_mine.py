"""What a county's approval UI asks of the inbox: "my tasks" in one request, tasks of any of
several groups, totals with the same filters, rows that name the project (business key,
label, process and tenant names), filters by business key prefix and label; and a query
parameter the endpoint does not take is refused instead of ignored."""

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, start, token
from tools.bpmn_builder import Field, ProcessBuilder

UNIT = token("ua", "county", ("unit",))
UNIT2 = token("ub", "county", ("unit",))
EXPERT = token("ea", "county", ("experts",))
BOTH = token("eb", "county", ("unit", "experts"))
NEIGHBOUR = token("na", "neighbour", ("unit",))


def labelled(label_variable: str | None = "project_name") -> bytes:
    b = ProcessBuilder("approval", name="项目审批", main=True,
                       lanes=[("unit", "建设单位"), ("experts", "评审专家")],
                       properties={"label_variable": label_variable} if label_variable else None)
    b.start("s", lane="unit")
    b.user_task("declare", "项目申报", lane="unit", candidate_groups=["unit"],
                form=[Field("project_name", "string", required=True)])
    b.user_task("review", "评审", lane="experts", candidate_groups=["experts"])
    b.end("e", lane="experts")
    for source, target in (("s", "declare"), ("declare", "review"), ("review", "e")):
        b.flow(source, target)
    return b.to_xml()


@pytest.fixture
async def county(client):
    assert (await deploy(client, "county", {"approval.bpmn": labelled()},
                         name="示范县")).status_code == 201
    assert (await deploy(client, "neighbour", {"approval.bpmn": labelled()})).status_code == 201
    made = {}
    for key, name in (("2027-001", "政务云迁移"), ("2027-002", "一网通办"),
                      ("2028-001", "100%_coverage")):
        made[key] = await start(client, "county", UNIT, business_key=key,
                                variables={"project_name": name})
    await start(client, "neighbour", NEIGHBOUR, business_key="2027-001",
                variables={"project_name": "邻县项目"})
    return made


async def listed(client, headers, path="/tasks", pairs=(), **params) -> list[dict]:
    response = await client.get(f"{API}{path}", params=[*pairs, *params.items()],
                                headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def counted(client, headers, **params) -> int:
    response = await client.get(f"{API}/tasks/count", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["count"]


async def test_mine_lists_my_claimed_tasks_and_unclaimed_ones_of_my_groups(client, county):
    first = county["2027-001"]["ready_tasks"][0]
    assert len(await listed(client, UNIT, mine="true")) == 3
    assert await counted(client, UNIT, mine="true") == 3
    assert await listed(client, EXPERT, mine="true") == []  # nothing for experts yet
    # Claimed by another unit user: gone from my inbox, in theirs.
    claim = await client.post(f"{API}/tasks/{first['id']}/claim", headers=UNIT2)
    assert claim.status_code == 200, claim.text
    assert first["id"] not in {t["id"] for t in await listed(client, UNIT, mine="true")}
    assert first["id"] in {t["id"] for t in await listed(client, UNIT2, mine="true")}
    assert await counted(client, UNIT, mine="true") == 2
    # The unfiltered list still shows tasks of groups the user is not in; mine does not.
    await complete(client, county["2027-002"], "declare", {"project_name": "一网通办"}, UNIT)
    assert "review" in {t["key"] for t in await listed(client, UNIT)}
    assert "review" not in {t["key"] for t in await listed(client, UNIT, mine="true")}
    assert [t["key"] for t in await listed(client, EXPERT, mine="true")] == ["review"]
    # Completed tasks are history, not inbox.
    assert await counted(client, UNIT, mine="true") == 1


async def test_mine_takes_ready_only(client, county):
    response = await client.get(f"{API}/tasks", params={"mine": "true", "state": "completed"},
                                headers=UNIT)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == "query.state"
    assert len(await listed(client, UNIT, mine="true", state="ready")) == 3


async def test_repeated_candidate_group_means_any_of_them(client, county):
    await complete(client, county["2027-001"], "declare", {"project_name": "政务云迁移"}, UNIT)
    groups = [("candidate_group", "unit"), ("candidate_group", "experts")]
    both = await listed(client, BOTH, pairs=groups, state="ready")
    assert sorted(t["key"] for t in both) == ["declare", "declare", "review"]
    experts = await listed(client, BOTH, candidate_group="experts", state="ready")
    assert [t["key"] for t in experts] == ["review"]
    response = await client.get(f"{API}/tasks/count", params=[*groups, ("state", "ready")],
                                headers=BOTH)
    assert response.json() == {"count": 3}
    assert len(await listed(client, BOTH, mine="true")) == 3


async def test_a_row_names_its_project_process_and_tenant(client, county):
    rows = {t["business_key"]: t for t in await listed(client, UNIT, tenant="county")}
    row = rows["2027-001"]
    assert (row["label"], row["process_name"], row["tenant_name"]) == (
        "政务云迁移", "项目审批", "示范县")
    one = await client.get(f"{API}/tasks/{row['id']}", headers=UNIT)
    assert one.json()["label"] == "政务云迁移"
    instance = (await client.get(f"{API}/process-instances/{row['process_instance_id']}",
                                 headers=UNIT)).json()
    assert (instance["label"], instance["process_name"], instance["tenant_name"]) == (
        "政务云迁移", "项目审批", "示范县")
    assert instance["ready_tasks"][0]["business_key"] == "2027-001"


async def test_the_label_follows_its_variable(client, county):
    after = await complete(client, county["2027-001"], "declare",
                           {"project_name": "政务云迁移（二期）"}, UNIT)
    assert after["label"] == "政务云迁移（二期）"
    assert [t["label"] for t in await listed(client, EXPERT, mine="true")] == [
        "政务云迁移（二期）"]


async def test_without_label_variable_there_is_no_label(client):
    assert (await deploy(client, "plain", {"approval.bpmn": labelled(None)})).status_code == 201
    instance = await start(client, "plain", ADMIN, variables={"project_name": "x"})
    assert instance["label"] is None


async def test_a_label_variable_that_is_not_a_name_is_refused_at_upload(client):
    response = await deploy(client, "bad", {"approval.bpmn": labelled("project name!")})
    assert response.status_code == 422
    assert "label_variable" in response.text


async def test_business_key_prefix_and_label_filter_tasks_and_instances(client, county):
    assert sorted(t["business_key"] for t in await listed(
        client, UNIT, business_key_prefix="2027-")) == ["2027-001", "2027-002"]
    assert await counted(client, UNIT, business_key_prefix="2027-") == 2
    assert [t["business_key"] for t in await listed(client, UNIT, label="云")] == ["2027-001"]
    assert await counted(client, UNIT, label="云") == 1
    # LIKE's wildcards are text here: "%" matches the one label that has it, "_" likewise.
    assert [t["business_key"] for t in await listed(client, UNIT, label="%_")] == ["2028-001"]
    assert await listed(client, UNIT, business_key_prefix="%") == []
    assert [t["label"] for t in await listed(client, UNIT, label="COVERAGE")] == [
        "100%_coverage"]  # ASCII case does not matter
    instances = await listed(client, UNIT, path="/process-instances",
                             business_key_prefix="2027", label="一网")
    assert [i["business_key"] for i in instances] == ["2027-002"]
    assert instances[0]["tenant_name"] == "示范县"
    # Another tenant's 2027-001 stays invisible to this county's users.
    assert len(await listed(client, UNIT, path="/process-instances",
                            business_key_prefix="2027-001")) == 1


@pytest.mark.parametrize("path", [
    "/tasks", "/tasks/count", "/process-instances", "/tenants", "/tenants/county",
    "/tenants/county/diagram-sets"])
async def test_unknown_query_parameters_are_refused(client, county, path):
    response = await client.get(f"{API}{path}", params={"business_ky": "2027-001"},
                                headers=ADMIN)
    assert response.status_code == 422, response.text
    body = response.json()
    assert "business_ky" in body["detail"]
    assert body["errors"][0]["loc"] == "query.business_ky"


async def test_unknown_query_parameters_are_refused_on_history_and_actions(client, county):
    instance = county["2027-001"]
    history = await client.get(f"{API}/process-instances/{instance['id']}/history",
                               params={"page": 2}, headers=ADMIN)
    assert history.status_code == 422
    task = instance["ready_tasks"][0]
    claim = await client.post(f"{API}/tasks/{task['id']}/claim?as=someone", headers=UNIT)
    assert claim.status_code == 422
    assert (await client.get(f"{API}/tasks/{task['id']}", headers=UNIT)).json()[
        "assignee"] is None  # refused before anything was done
    # Known parameters still pass.
    assert (await client.get(f"{API}/tasks", params={"limit": 1},
                             headers=UNIT)).status_code == 200


async def test_mine_matches_whole_group_names_only(client, county):
    for groups in (("un_t",), ("uni",), ("%",), ('unit"',)):
        lookalike = token("la", "county", groups)
        assert await listed(client, lookalike, mine="true") == [], groups
        assert await counted(client, lookalike, mine="true") == 0
    assert await counted(client, token("lb", "county", ("x", "unit")), mine="true") == 3
