"""Start forms, event-based gateways and 'everyone else' correlation."""

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, start, token
from tools.bpmn_builder import Field, ProcessBuilder

UNIT = token("ua", "ev", ("unit",))
HUB = token("ha", "ev", ("hub",))


def waiting_project() -> bytes:
    b = ProcessBuilder("project", lanes=[("unit", "单位")], main=True)
    b.start("s", form=[Field("total_investment", "number", required=True, min=0),
                       Field("plan_year", "long", required=True)])
    b.event_gateway("plan_decision", "年度计划?")
    b.message_catch("in_plan", "列入计划", message="annual_plan_approved")
    b.message_catch("left_out", "未列入计划", message="not_in_plan")
    b.end("end_in", outcome="accepted")
    b.end("end_out", outcome="not_in_plan")
    for source, target in (("s", "plan_decision"), ("plan_decision", "in_plan"),
                           ("plan_decision", "left_out"), ("in_plan", "end_in"),
                           ("left_out", "end_out")):
        b.flow(source, target)
    return b.to_xml()


def plan() -> bytes:
    b = ProcessBuilder("annual_plan", lanes=[("hub", "大数据局")])
    b.start("ps")
    b.user_task("plan_approval", "审定", candidate_groups=["hub"],
                form=[Field("plan_year", "long", required=True),
                      Field("projects", "array", required=True)])
    b.message_throw("notify_in", "通知列入", message="annual_plan_approved",
                    expression='{"correlation": {"plan_year": plan_year}, '
                               '"business_keys": projects}')
    b.message_throw("notify_out", "通知未列入", message="not_in_plan",
                    expression='{"correlation": {"plan_year": plan_year}, '
                               '"except_business_keys": projects}')
    b.end("pe")
    for source, target in (("ps", "plan_approval"), ("plan_approval", "notify_in"),
                           ("notify_in", "notify_out"), ("notify_out", "pe")):
        b.flow(source, target)
    return b.to_xml()


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, "ev", {"project.bpmn": waiting_project(),
                                           "plan.bpmn": plan()})
    assert response.status_code == 201, response.text


async def test_start_variables_are_checked_against_the_start_form(client):
    response = await client.post(f"{API}/tenants/ev/process-instances", headers=UNIT,
                                 json={"variables": {"total_investment": -5}})
    assert response.status_code == 422
    locs = {e["loc"] for e in response.json()["errors"]}
    assert locs == {"variables.total_investment", "variables.plan_year"}
    extra = await start(client, "ev", UNIT, variables={"total_investment": 5, "plan_year": 2027,
                                                       "secret": False})
    assert extra["variables"]["secret"] is False


async def test_plan_sends_approved_to_listed_and_not_in_plan_to_the_rest(client):
    a = await start(client, "ev", UNIT, business_key="A",
                    variables={"total_investment": 5, "plan_year": 2028})
    b = await start(client, "ev", UNIT, business_key="B",
                    variables={"total_investment": 5, "plan_year": 2028})
    other_year = await start(client, "ev", UNIT, business_key="C",
                             variables={"total_investment": 5, "plan_year": 2029})
    approval = await start(client, "ev", HUB, process_id="annual_plan")
    await complete(client, approval, "plan_approval", {"plan_year": 2028, "projects": ["A"]},
                   HUB)

    async def outcome(instance: dict) -> tuple[str, str | None]:
        body = (await client.get(f"{API}/process-instances/{instance['id']}",
                                 headers=ADMIN)).json()
        return body["state"], body["outcome"]

    assert await outcome(a) == ("completed", "accepted")
    assert await outcome(b) == ("completed", "not_in_plan")
    assert await outcome(other_year) == ("running", None)
