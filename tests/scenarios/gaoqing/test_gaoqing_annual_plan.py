"""高青 三(二)3、4: the annual plan is compiled from the projects that passed review, served
by the API with their reviewed amounts, checked by the server on submission (an unknown key,
a duplicate, a project of another year or still in review, a wrong amount or a typed total is
refused, naming the item), approved as compiled, and a project that passes review after the
plan was issued goes to the next year's plan (三(二)4: the issued plan is not adjusted)."""

from datetime import UTC, datetime

import pytest

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_support import (
    DECLARATION,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    OK,
    TENANT,
    UNIT,
    WRITTEN_OK,
    begin,
    countersign,
    keys,
    state,
    step,
)
from tests.support.api import ADMIN, API, history, snapshot, start, token

YEAR = 2030
RIVAL_HUB = token("zy_hub_rival", "zhaoyuan", ("hub",))  # another county's hub


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled_set())
    assert response.status_code == 201, response.text


def bundled_set():
    from tests.support.bundled import bundled
    return bundled(TENANT)


async def in_review(client, key: str, year: int = YEAR, name: str = "智慧社区服务平台") -> dict:
    """Declared and reviewed in writing: at the countersigned opinion (not yet passed)."""
    instance = await begin(client, key, plan_year=year, project_name=name)
    instance = await step(client, instance, "declare", DECLARATION)
    return await step(client, instance, "written_review", WRITTEN_OK)


async def passed(client, instance: dict, budget: float) -> dict:
    """三(二)2 countersigned: the hub's technical conclusions, finance's approved budget."""
    instance = await countersign(client, instance, fund=FUND_OK | {"approved_budget": budget})
    assert instance["ready_tasks"] == []
    return instance


async def reviewed(client, key: str, budget: float, year: int = YEAR, **kw) -> dict:
    return await passed(client, await in_review(client, key, year, **kw), budget)


async def plan_for(client, year: int = YEAR) -> dict:
    return await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": year})


async def task_view(client, instance: dict, key: str, headers=HUB) -> dict:
    [task] = [t for t in instance["ready_tasks"] if t["key"] == key]
    response = await client.get(f"{API}/tasks/{task['id']}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def submit(client, instance: dict, variables: dict, headers=FINANCE):
    [task] = [t for t in instance["ready_tasks"] if t["key"] == "plan_compilation"]
    return await client.post(f"{API}/tasks/{task['id']}/complete",
                             json={"variables": variables}, headers=headers)


def item(instance: dict, name: str, amount: float) -> dict:
    return {"business_key": instance["business_key"], "instance_id": instance["id"],
            "project_name": name, "amount": amount}


async def test_the_plan_lists_reviewed_projects_with_their_amounts_and_server_totals(client):
    a = await reviewed(client, "GQ-AP-A", 80, name="智慧社区服务平台")
    b = await reviewed(client, "GQ-AP-B", 120.5, name="政务云扩容")
    c = await reviewed(client, "GQ-AP-C", 357.5, name="城市运行中心")
    other_year = await reviewed(client, "GQ-AP-2031", 60, year=YEAR + 1)
    still_in_review = await in_review(client, "GQ-AP-REVIEW")
    candidates = [item(a, "智慧社区服务平台", 80), item(b, "政务云扩容", 120.5),
                  item(c, "城市运行中心", 357.5)]

    plan = await plan_for(client)
    view = await task_view(client, plan, "plan_compilation", FINANCE)
    # the candidates come from the server: passed review, this year, with reviewed amounts
    assert view["annual_plan"]["candidates"] == candidates
    assert view["form"]["properties"]["projects"]["items"]["enum"] == [
        "GQ-AP-A", "GQ-AP-B", "GQ-AP-C"]
    assert view["ui_schema"]["projects"]["ui:widget"] == "checkboxes"
    assert view["ui_schema"]["projects"]["ui:enumNames"][1] == "GQ-AP-B 政务云扩容（120.5万元）"
    year_view = (await client.get(f"{API}/tenants/{TENANT}/annual-plans/{YEAR}",
                                  headers=GOVERNMENT)).json()
    assert year_view["candidates"] == candidates
    assert [p["compiled"] for p in year_view["plans"]] == [False]

    response = await submit(client, plan, {"projects": ["GQ-AP-C", "GQ-AP-A"],
                                           "amounts": {"GQ-AP-A": 80},
                                           "plan_summary": "2030年度计划"})
    assert response.status_code == 200, response.text
    plan = response.json()
    # plan_approval shows what is being approved: the items, the total, who is left out
    approval = (await task_view(client, plan, "plan_approval", GOVERNMENT))["annual_plan"]
    assert approval["items"] == [candidates[2], candidates[0]]
    assert approval["total"] == 437.5
    assert (approval["left_out"], approval["issued"]) == (["GQ-AP-B"], False)
    plan = await step(client, plan, "plan_approval", OK, GOVERNMENT)
    assert keys(plan) == ["budget_inclusion"]

    for listed in (a, c):
        assert keys((await client.get(f"{API}/process-instances/{listed['id']}",
                                      headers=HUB)).json()) == ["procurement_documents"]
    assert await state(client, b) == ("completed", "not_in_plan")
    assert await state(client, other_year) == ("running", None)  # its own year's plan
    assert await state(client, still_in_review) == ("running", None)
    issued = (await client.get(f"{API}/tenants/{TENANT}/annual-plans/{YEAR}",
                               headers=HUB)).json()["plans"][0]
    assert (issued["issued"], issued["total"], issued["state"]) == (True, 437.5, "running")


@pytest.mark.parametrize(("submitted", "code", "loc", "named"), [
    ({"projects": ["GQ-AP-A", "GQ-NO-SUCH"]}, "plan.unknown_project",
     "variables.projects.1", "GQ-NO-SUCH"),
    ({"projects": ["GQ-AP-A", "GQ-AP-A"]}, "plan.duplicate_project",
     "variables.projects.1", "GQ-AP-A"),
    ({"projects": ["GQ-AP-2031"]}, "plan.wrong_year", "variables.projects.0", "GQ-AP-2031"),
    ({"projects": ["GQ-AP-REVIEW"]}, "plan.not_reviewed", "variables.projects.0",
     "GQ-AP-REVIEW"),
    ({"projects": ["GQ-AP-A"], "amounts": {"GQ-AP-A": 558}}, "plan.amount_mismatch",
     "variables.amounts.GQ-AP-A", "GQ-AP-A"),
    ({"projects": ["GQ-AP-A"], "amounts": {"GQ-AP-B": 80}}, "plan.amount_unlisted",
     "variables.amounts.GQ-AP-B", "GQ-AP-B"),
    ({"projects": ["GQ-AP-A"], "plan_total": 1}, "plan.total_mismatch",
     "variables.plan_total", None),
])
async def test_a_plan_that_does_not_hold_is_refused_naming_the_item(client, submitted, code,
                                                                    loc, named):
    await reviewed(client, "GQ-AP-A", 558.0 if code == "plan.total_mismatch" else 80)
    await reviewed(client, "GQ-AP-B", 80)
    await reviewed(client, "GQ-AP-2031", 60, year=YEAR + 1)
    await in_review(client, "GQ-AP-REVIEW")
    plan = await plan_for(client)
    before = await snapshot(client, plan["id"])
    response = await submit(client, plan, submitted)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code
    assert problem["errors"][0]["loc"] == loc
    assert problem["errors"][0].get("business_key") == named
    assert await snapshot(client, plan["id"]) == before  # the task stays ready, unchanged


async def test_a_project_passing_review_after_the_plan_was_issued_goes_to_next_years(client):
    """三(二)4: the issued plan is not adjusted; the late project waits for the next plan."""
    early = await reviewed(client, "GQ-LATE-EARLY", 80)
    between = await in_review(client, "GQ-LATE-BETWEEN")
    late = await in_review(client, "GQ-LATE-AFTER")
    plan = await plan_for(client)
    plan = (await submit(client, plan, {"projects": ["GQ-LATE-EARLY"]})).json()
    between = await passed(client, between, 90)  # after the compilation, before the approval
    plan = await step(client, plan, "plan_approval", OK, GOVERNMENT)
    late = await passed(client, late, 100)  # after the plan was issued

    assert keys((await client.get(f"{API}/process-instances/{early['id']}",
                                  headers=HUB)).json()) == ["procurement_documents"]
    for carried in (between, late):
        body = (await client.get(f"{API}/process-instances/{carried['id']}",
                                 headers=HUB)).json()
        assert (body["state"], body["ready_tasks"]) == ("running", [])
        assert (body["variables"]["plan_year"], body["variables"]["carried_over_from"]) == (
            YEAR + 1, YEAR)
        [closed] = [e for e in await history(client, carried["id"])
                    if e["event"] == "message_received"]
        assert closed["data"]["message"] == "annual_plan_closed"
        assert closed["data"]["sender"]["thrown_by"] == plan["id"]
    nxt = (await client.get(f"{API}/tenants/{TENANT}/annual-plans/{YEAR + 1}",
                            headers=HUB)).json()
    assert [c["business_key"] for c in nxt["candidates"]] == ["GQ-LATE-AFTER",
                                                              "GQ-LATE-BETWEEN"]
    # a second plan for the issued year cannot be compiled
    again = await plan_for(client)
    response = await submit(client, again, {"projects": []})
    assert (response.status_code, response.json()["code"]) == (409, "plan.already_issued")
    # the next year's plan takes it
    following = await plan_for(client, YEAR + 1)
    following = (await submit(client, following, {"projects": ["GQ-LATE-AFTER"]})).json()
    await step(client, following, "plan_approval", OK, GOVERNMENT)
    assert keys((await client.get(f"{API}/process-instances/{late['id']}",
                                  headers=HUB)).json()) == ["procurement_documents"]
    assert await state(client, between) == ("completed", "not_in_plan")


async def test_a_stranger_neither_sees_nor_submits_the_plan(client):
    await reviewed(client, "GQ-AP-A", 80)
    plan = await plan_for(client)
    path = f"{API}/tenants/{TENANT}/annual-plans/{YEAR}"
    assert (await client.get(path, headers=RIVAL_HUB)).status_code == 404
    refused = await client.get(path, headers=UNIT)
    assert (refused.status_code, refused.json()["code"]) == (403, "plan.not_reader")
    assert (await client.get(path, headers=ADMIN)).status_code == 200
    [task] = plan["ready_tasks"]
    assert (await client.get(f"{API}/tasks/{task['id']}", headers=RIVAL_HUB)).status_code == 404
    before = await snapshot(client, plan["id"])
    for who, status in ((UNIT, 403), (RIVAL_HUB, 404)):
        response = await submit(client, plan, {"projects": ["GQ-AP-A"]}, who)
        assert response.status_code == status, response.text
    assert await snapshot(client, plan["id"]) == before


async def test_who_compiled_the_plan_may_not_approve_it(client):
    """三(二)3: the authority and finance compile, the county government approves."""
    await reviewed(client, "GQ-AP-A", 80)
    both = token("gq_hub_and_gov", TENANT, ("hub", "government"))
    plan = (await submit(client, await plan_for(client), {"projects": ["GQ-AP-A"]},
                         both)).json()
    [task] = plan["ready_tasks"]
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=both,
                                 json={"variables": OK})
    assert (response.status_code, response.json()["code"]) == (
        403, "task.separation_of_duties")
    await step(client, plan, "plan_approval", OK, GOVERNMENT)


async def test_a_missed_september_30_and_an_issued_plan_each_move_the_year_once(client, ctx):
    """三(一) moves a project that missed September 30 to the next plan year before its review;
    三(二)4 moves one reviewed after its year's plan was issued. The two do not add up: the
    late declarer is a candidate of the next year only, and a project decided by the county
    (三(一) 适时安排申报, no September deadline) still meets the issued plan and is carried."""
    ctx.clock.set(datetime(YEAR - 1, 9, 1, 1, tzinfo=UTC))
    on_time = await reviewed(client, "GQ-CYCLE-ON-TIME", 80)
    ctx.clock.set(datetime(YEAR - 1, 10, 8, 1, tzinfo=UTC))  # after September 30
    late_declarer = await begin(client, "GQ-CYCLE-LATE", plan_year=YEAR)
    assert late_declarer["variables"]["plan_year"] == YEAR + 1
    decided = await begin(client, "GQ-CYCLE-COUNTY", plan_year=YEAR, county_decided=True)
    assert decided["variables"]["plan_year"] == YEAR
    for instance in (late_declarer, decided):
        instance = await step(client, instance, "declare", DECLARATION)
        await step(client, instance, "written_review", WRITTEN_OK)
    late_declarer = await passed(client, await fetched(client, late_declarer), 90)

    plan = await plan_for(client)
    plan = (await submit(client, plan, {"projects": ["GQ-CYCLE-ON-TIME"]})).json()
    plan = await step(client, plan, "plan_approval", OK, GOVERNMENT)
    decided = await passed(client, await fetched(client, decided), 70)

    assert keys(await fetched(client, on_time)) == ["procurement_documents"]
    late_declarer = await fetched(client, late_declarer)  # not this plan's: untouched
    assert (late_declarer["variables"]["plan_year"],
            late_declarer["variables"].get("carried_over_from")) == (YEAR + 1, None)
    decided = await fetched(client, decided)
    assert (decided["variables"]["plan_year"], decided["variables"]["carried_over_from"]) == (
        YEAR + 1, YEAR)
    following = (await client.get(f"{API}/tenants/{TENANT}/annual-plans/{YEAR + 1}",
                                  headers=HUB)).json()
    assert [(c["business_key"], c["amount"]) for c in following["candidates"]] == [
        ("GQ-CYCLE-COUNTY", 70), ("GQ-CYCLE-LATE", 90)]


async def fetched(client, instance: dict) -> dict:
    response = await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)
    assert response.status_code == 200, response.text
    return response.json()
