"""Who may start a process (docs/contract.md "Who may start a process"): the Camunda 7
attributes camunda:candidateStarterGroups / candidateStarterUsers and
camunda:isStartableInTasklist="false" bind POST /tenants/{tenant}/process-instances."""

import itertools

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, start, token
from tests.support.bundled import bundled
from tools.bpmn_builder import ProcessBuilder


def member(tenant: str, *groups: str, admin: bool = False) -> dict[str, str]:
    return token(f"{tenant}_{'_'.join(groups) or 'admin'}", tenant, groups, admin=admin)


async def post(client, tenant: str, headers: dict, **body):
    return await client.post(f"{API}/tenants/{tenant}/process-instances", json=body,
                             headers=headers)


async def stored(client, tenant: str) -> int:
    response = await client.get(f"{API}/process-instances", headers=member(tenant, admin=True))
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


@pytest.fixture
async def gaoqing(client):
    response = await deploy(client, "gaoqing", bundled("gaoqing"), name="高青县")
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_a_unit_user_cannot_start_the_annual_plan(client, gaoqing):
    for headers in (member("gaoqing", "unit"), member("gaoqing", admin=True)):
        response = await post(client, "gaoqing", headers, process_id="annual_plan",
                              variables={"plan_year": 2027})
        assert response.status_code == 403, response.text
        problem = response.json()
        assert problem["code"] == "instance.start_forbidden"
        assert "annual_plan" in problem["detail"]
    assert await stored(client, "gaoqing") == 0


async def test_the_groups_compiling_the_plan_start_it(client, gaoqing):
    for group in ("hub", "finance"):
        plan = await start(client, "gaoqing", member("gaoqing", group),
                           process_id="annual_plan", variables={"plan_year": 2027})
        assert [t["key"] for t in plan["ready_tasks"]] == ["plan_compilation"]
    assert await stored(client, "gaoqing") == 2


async def test_a_user_outside_the_main_process_starters_is_refused(client, gaoqing):
    response = await post(client, "gaoqing", member("gaoqing", "hub"),
                          business_key="GQ-1", variables={})
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "instance.start_forbidden"
    assert "gaoqing_project" in response.json()["detail"]
    assert await stored(client, "gaoqing") == 0


@pytest.mark.parametrize(("tenant", "stage", "caller"), [
    ("shizuishan", "shizuishan_construction", "shizuishan_project"),
    ("heyuan", "heyuan_acceptance", "heyuan_project"),
    ("gaoqing", "gaoqing_rectification", "gaoqing_project"),
    ("zhaoyuan", "inspection_process", "zhaoyuan_project"),
])
async def test_nobody_starts_a_called_only_stage(client, tenant, stage, caller):
    response = await deploy(client, tenant, bundled(tenant))
    assert response.status_code == 201, response.text
    for headers in (member(tenant, "unit"), member(tenant, "hub"),
                    member(tenant, admin=True), ADMIN):
        response = await post(client, tenant, headers, process_id=stage, variables={})
        assert response.status_code == 403, response.text
        problem = response.json()
        assert problem["code"] == "instance.not_startable"
        assert stage in problem["detail"]
        assert caller in problem["detail"]
    assert await stored(client, tenant) == 0


async def test_the_process_view_shows_who_starts_it(client, gaoqing):
    set_id = gaoqing
    views = {}
    for pid in ("annual_plan", "gaoqing_project", "gaoqing_review"):
        response = await client.get(f"{API}/diagram-sets/{set_id}/processes/{pid}",
                                    headers=ADMIN)
        assert response.status_code == 200, response.text
        views[pid] = response.json()
    assert (views["annual_plan"]["startable"], views["annual_plan"]["starter_groups"]) == (
        True, ["finance", "hub"])
    assert views["gaoqing_project"]["starter_groups"] == ["unit"]
    assert (views["gaoqing_review"]["startable"], views["gaoqing_review"]["starter_groups"]) == (
        False, [])


def plain(pid: str, main: bool = False, calls: str | None = None,
          starters: str | None = None) -> bytes:
    b = ProcessBuilder(pid, lanes=[("unit", "单位")], main=main)
    b.start("s")
    if calls:
        b.call_activity("c", "调用", called=calls)
    b.user_task("t", "办理", candidate_groups=["unit"])
    b.end("e")
    steps = ["s", "c", "t", "e"] if calls else ["s", "t", "e"]
    for source, target in itertools.pairwise(steps):
        b.flow(source, target)
    xml = b.to_xml()
    if starters:
        xml = xml.replace(f'<bpmn:process id="{pid}"'.encode(),
                          f'<bpmn:process id="{pid}" {starters}'.encode(), 1)
        assert starters.encode() in xml
    return xml


async def test_an_uploaded_set_without_the_attributes_starts_as_before(client):
    response = await deploy(client, "plain", {"main.bpmn": plain("main", True, calls="stage"),
                                              "stage.bpmn": plain("stage")})
    assert response.status_code == 201, response.text
    anyone = member("plain", "experts")
    await start(client, "plain", anyone, variables={})
    await start(client, "plain", anyone, process_id="stage", variables={})
    assert await stored(client, "plain") == 2


async def test_a_called_only_stage_still_runs_from_its_caller_and_users_are_named(client):
    response = await deploy(client, "named", {
        "main.bpmn": plain("main", True, calls="stage",
                           starters='camunda:candidateStarterUsers="alice, bob"'),
        "stage.bpmn": plain("stage", starters='camunda:isStartableInTasklist="false"')})
    assert response.status_code == 201, response.text
    alice = token("alice", "named", ())
    instance = await start(client, "named", alice, variables={})
    assert [t["key"] for t in instance["ready_tasks"]] == ["t"]  # the stage's task
    refused = await post(client, "named", token("carol", "named", ("unit",)), variables={})
    assert refused.status_code == 403
    assert refused.json()["code"] == "instance.start_forbidden"
    refused = await post(client, "named", alice, process_id="stage", variables={})
    assert refused.status_code == 403
    assert refused.json()["code"] == "instance.not_startable"


async def test_a_wrong_startable_value_is_refused_at_upload(client):
    response = await deploy(client, "bad", {"main.bpmn": plain(
        "main", True, starters='camunda:isStartableInTasklist="maybe"')})
    assert response.status_code == 422, response.text
    assert "isStartableInTasklist" in response.text
