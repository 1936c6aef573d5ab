"""Messages are commands: only the senders a catch names deliver them, with the payload keys
it names, over one instance or tenant-wide; a malformed declaration is refused at upload.

The sample set's ``wait_plan`` names ``senders=hub`` and ``payload=in_plan``."""

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, OK, complete, history, snapshot, start
from tests.support.api import token as make_token
from tests.support.sample import sample_set
from tools.bpmn_builder import ProcessBuilder

TENANT = "msgs"
UNIT_M = make_token("unit_m", TENANT, ("unit",))
HUB_M = make_token("hub_m", TENANT, ("hub", "experts"))
FINANCE_M = make_token("fin_m", TENANT, ("finance",))
NOBODY = make_token("nobody", TENANT, ())
RIVAL = make_token("rival_unit", TENANT, ("unit",))
LOCAL_ADMIN = make_token("msgs_admin", TENANT, (), admin=True)
FAR_ADMIN = make_token("far_admin", "elsewhere", (), admin=True)

SENDERS = b'<camunda:property name="senders" value="hub"/>'
THROWN_PAYLOAD = b"{&quot;in_plan&quot;: True}"


def admin_only_set() -> dict[str, bytes]:
    """The sample set with wait_plan naming no senders: administrators and the process only."""
    files = sample_set()
    assert SENDERS in files["project.bpmn"]
    return files | {"project.bpmn": files["project.bpmn"].replace(SENDERS, b"")}


def overreaching_plan_set() -> dict[str, bytes]:
    """The sample set whose plan process throws a payload key wait_plan does not take."""
    files = sample_set()
    assert THROWN_PAYLOAD in files["plan.bpmn"]
    return files | {"plan.bpmn": files["plan.bpmn"].replace(
        THROWN_PAYLOAD, b"{&quot;in_plan&quot;: True, &quot;total_investment&quot;: 1}")}


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, TENANT, sample_set())).status_code == 201


async def waiting(client, key: str, year: int = 2026) -> dict:
    """A sample project through its reviews, waiting at wait_plan; declared at 120万."""
    instance = await start(client, TENANT, UNIT_M, business_key=key)
    instance = await complete(client, instance, "declare", {
        "project_name": key, "total_investment": 120, "plan_year": year,
        "crypto_relevant": False}, UNIT_M)
    instance = await complete(client, instance, "onsite_review", OK, HUB_M)  # as experts
    instance = await complete(client, instance, "fund_review", OK, FINANCE_M)
    instance = await complete(client, instance, "technical_review", OK, HUB_M)
    assert instance["ready_tasks"] == []
    return instance


async def send(client, instance: dict, headers: dict, payload: dict | None = None):
    return await client.post(f"{API}/process-instances/{instance['id']}/messages",
                             headers=headers, json={"name": "annual_plan_approved",
                                                    "payload": payload or {}})


async def received(client, instance_id: str) -> list[dict]:
    return [e for e in await history(client, instance_id) if e["event"] == "message_received"]


# -- one instance ----------------------------------------------------------------------

@pytest.mark.parametrize(("who", "key"), [(NOBODY, "NOGROUP"), (RIVAL, "RIVAL"),
                                          (FINANCE_M, "WRONG")],
                         ids=["no_group", "rival_unit", "wrong_group"])
async def test_a_caller_outside_the_senders_is_refused_and_nothing_changes(client, who, key):
    instance = await waiting(client, key)
    before = await snapshot(client, instance["id"])
    response = await send(client, instance, who, {"in_plan": True})
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "wait_plan" in response.json()["detail"]
    assert "hub" in response.json()["detail"]
    assert await snapshot(client, instance["id"]) == before


async def test_an_undeclared_payload_key_is_refused_by_name_and_rewrites_nothing(client):
    instance = await waiting(client, "OVERWRITE")
    before = await snapshot(client, instance["id"])
    for who in (HUB_M, LOCAL_ADMIN):  # administrators are held to the keys too
        response = await send(client, instance, who, {"in_plan": True, "total_investment": 1})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert "total_investment" in problem["detail"]
        assert [e["loc"] for e in problem["errors"]] == ["body.payload.total_investment"]
    assert await snapshot(client, instance["id"]) == before
    assert before[2]["total_investment"] == 120


async def test_a_sender_is_checked_before_the_payload(client):
    instance = await waiting(client, "ORDER")
    response = await send(client, instance, NOBODY, {"total_investment": 1})
    assert response.status_code == 403


async def test_the_named_sender_delivers_and_history_records_who_sent_what(client):
    instance = await waiting(client, "SENT")
    # refused first: the cached instance must still be usable afterwards
    assert (await send(client, instance, FINANCE_M)).status_code == 403
    response = await send(client, instance, HUB_M, {"in_plan": True})
    assert response.status_code == 200, response.text
    assert response.json()["variables"]["in_plan"] is True
    assert response.json()["variables"]["total_investment"] == 120
    [event] = await received(client, instance["id"])
    assert event["actor"] == "hub_m"
    assert event["element_id"] == "wait_plan"
    assert event["data"]["message"] == "annual_plan_approved"
    assert event["data"]["payload"] == {"in_plan": True}
    # the groups that gave the right, not every group the caller has
    assert event["data"]["sender"] == {"user": "hub_m", "as": "sender", "groups": ["hub"]}


async def test_administrators_of_the_tenant_or_global_deliver_without_being_senders(client):
    await deploy(client, "msgs-admin", admin_only_set())
    for who, user in ((make_token("a_admin", "msgs-admin", (), admin=True), "a_admin"),
                      (ADMIN, "root")):
        instance = await start(client, "msgs-admin", make_token("u", "msgs-admin", ("unit",)),
                               business_key=f"ADM-{user}")
        instance = await _through_reviews(client, instance, "msgs-admin")
        hub = make_token("h", "msgs-admin", ("hub",))
        assert (await send(client, instance, hub)).status_code == 403  # no senders: not hub
        # an administrator of another tenant stays fenced out, as from every instance there
        fetched = await client.get(f"{API}/process-instances/{instance['id']}",
                                   headers=FAR_ADMIN)
        assert (await send(client, instance, FAR_ADMIN)).status_code == fetched.status_code
        assert fetched.status_code in (403, 404)
        response = await send(client, instance, who)
        assert response.status_code == 200, response.text
        [event] = await received(client, instance["id"])
        assert event["data"]["sender"] == {"user": user, "as": "admin", "groups": []}


async def _through_reviews(client, instance: dict, tenant: str) -> dict:
    who = {k: make_token(k, tenant, (k,)) for k in ("unit", "experts", "finance", "hub")}
    instance = await complete(client, instance, "declare", {
        "project_name": "x", "total_investment": 120, "plan_year": 2026,
        "crypto_relevant": False}, who["unit"])
    instance = await complete(client, instance, "onsite_review", OK, who["experts"])
    instance = await complete(client, instance, "fund_review", OK, who["finance"])
    return await complete(client, instance, "technical_review", OK, who["hub"])


# -- tenant-wide -----------------------------------------------------------------------

async def correlate(client, headers: dict, year: int, payload: dict | None = None,
                    tenant: str = TENANT):
    return await client.post(f"{API}/tenants/{tenant}/messages", headers=headers, json={
        "name": "annual_plan_approved", "correlation": {"plan_year": year},
        "payload": payload or {}})


@pytest.mark.parametrize(("who", "year"), [(NOBODY, 2031), (RIVAL, 2032), (FINANCE_M, 2033)],
                         ids=["no_group", "rival_unit", "wrong_group"])
async def test_tenant_wide_correlation_by_a_non_sender_delivers_to_nobody(client, who, year):
    a = await waiting(client, f"TW-A-{year}", year)
    b = await waiting(client, f"TW-B-{year}", year)
    before = [await snapshot(client, i["id"]) for i in (a, b)]
    response = await correlate(client, who, year, {"in_plan": True})
    assert response.status_code == 403, response.text
    assert [await snapshot(client, i["id"]) for i in (a, b)] == before


async def test_tenant_wide_undeclared_key_delivers_to_nobody(client):
    a = await waiting(client, "TW-KEY-A", 2040)
    b = await waiting(client, "TW-KEY-B", 2040)
    before = [await snapshot(client, i["id"]) for i in (a, b)]
    response = await correlate(client, HUB_M, 2040, {"total_investment": 1})
    assert response.status_code == 422
    assert "total_investment" in response.json()["detail"]
    assert [await snapshot(client, i["id"]) for i in (a, b)] == before


async def test_one_instance_the_caller_may_not_reach_refuses_the_whole_correlation(client):
    tenant = "msgs-mixed"
    await deploy(client, tenant, sample_set())
    unit = make_token("u", tenant, ("unit",))
    hub = make_token("h", tenant, ("hub",))
    hubs_own = await _through_reviews(
        client, await start(client, tenant, unit, business_key="V1"), tenant)
    await deploy(client, tenant, admin_only_set(), activate=True)  # admin-only wait_plan
    admins_only = await _through_reviews(
        client, await start(client, tenant, unit, business_key="V2"), tenant)
    assert hubs_own["diagram_set_id"] != admins_only["diagram_set_id"]
    before = [await snapshot(client, i["id"]) for i in (hubs_own, admins_only)]
    response = await correlate(client, hub, 2026, {"in_plan": True}, tenant)
    assert response.status_code == 403, response.text
    assert admins_only["id"] in response.json()["detail"]
    assert [await snapshot(client, i["id"]) for i in (hubs_own, admins_only)] == before
    # the hub still reaches its own instance alone
    alone = await send(client, hubs_own, hub, {"in_plan": True})
    assert alone.status_code == 200, alone.text


async def test_tenant_wide_by_the_named_sender_reaches_every_match(client):
    a = await waiting(client, "TW-OK-A", 2050)
    b = await waiting(client, "TW-OK-B", 2050)
    response = await correlate(client, HUB_M, 2050, {"in_plan": True})
    assert response.status_code == 200, response.text
    assert sorted(response.json()["delivered_to"]) == sorted([a["id"], b["id"]])
    for instance in (a, b):
        [event] = await received(client, instance["id"])
        assert event["data"]["sender"]["user"] == "hub_m"


# -- thrown by a process ---------------------------------------------------------------

async def test_a_throw_event_needs_no_sender_and_is_recorded_as_the_process(client):
    tenant = "msgs-thrown"
    await deploy(client, tenant, admin_only_set())
    hub = make_token("h", tenant, ("hub",))
    project = await _through_reviews(
        client, await start(client, tenant, make_token("u", tenant, ("unit",)),
                            business_key="LISTED"), tenant)
    plan = await start(client, tenant, hub, process_id="annual_plan")
    plan = await complete(client, plan, "plan_approval",
                          {"plan_year": 2026, "projects": ["LISTED"]}, hub)
    assert plan["outcome"] == "approved"
    [event] = await received(client, project["id"])
    assert event["actor"] == "engine"
    assert event["data"]["sender"] == {"user": "engine", "as": "process",
                                       "thrown_by": plan["id"]}
    assert event["data"]["payload"] == {"in_plan": True}


async def test_a_throw_carrying_an_undeclared_key_fails_the_step_and_delivers_nothing(client):
    tenant = "msgs-overreach"
    await deploy(client, tenant, overreaching_plan_set())
    hub = make_token("h", tenant, ("hub",))
    project = await _through_reviews(
        client, await start(client, tenant, make_token("u", tenant, ("unit",)),
                            business_key="LISTED"), tenant)
    before = await snapshot(client, project["id"])
    plan = await start(client, tenant, hub, process_id="annual_plan")
    task = plan["ready_tasks"][0]
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=hub, json={
        "variables": {"plan_year": 2026, "projects": ["LISTED"]}})
    assert response.status_code == 422, response.text
    assert "total_investment" in response.json()["detail"]
    assert await snapshot(client, project["id"]) == before
    after = (await client.get(f"{API}/process-instances/{plan['id']}", headers=hub)).json()
    assert [t["key"] for t in after["ready_tasks"]] == ["plan_approval"]


# -- at upload -------------------------------------------------------------------------

def catching(properties: dict[str, str], kind: str = "catch") -> bytes:
    b = ProcessBuilder("p", lanes=[("unit", "单位")], main=True)
    b.start("s")
    if kind == "catch":
        b.message_catch("wait", "等待", message="m", properties=properties)
    elif kind == "timer":
        b.timer_catch("wait", "等待", duration="P1D")
        b.nodes["wait"].properties.update(properties)
    else:
        b.message_throw("wait", "通知", message="m", properties=properties)
    b.end("e")
    b.flow("s", "wait")
    b.flow("wait", "e")
    return b.to_xml()


@pytest.mark.parametrize(("xml", "words"), [
    (catching({"senders": ""}), "empty"),
    (catching({"senders": " , "}), "empty"),
    (catching({"senders": "hub finance"}), "'hub finance'"),
    (catching({"senders": "hub,,finance"}), "''"),
    (catching({"senders": "hub,hub"}), "twice"),
    (catching({"payload": "in_plan,__class__"}), "'__class__'"),
    (catching({"payload": "a-b"}), "'a-b'"),
    (catching({"senders": "hub"}, kind="timer"), "catches a message"),
    (catching({"payload": "x"}, kind="throw"), "catches a message"),
    (catching({"senders": "hub"}).replace(
        b'<camunda:property name="senders" value="hub"/>',
        b'<camunda:property name="senders" value="hub"/>'
        b'<camunda:property name="senders" value="unit"/>'), "twice"),
])
async def test_a_malformed_declaration_is_refused_at_upload(client, xml, words):
    response = await deploy(client, "msgs-bad", {"p.bpmn": xml})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["loc"], error["element"]) == ("p.bpmn", "wait")
    assert isinstance(error["line"], int)
    assert words in error["msg"], error["msg"]
    listed = await client.get(f"{API}/tenants/msgs-bad/diagram-sets", headers=ADMIN)
    assert listed.json()["items"] == []



# -- a message start event and a receive task ------------------------------------------

START_AND_RECEIVE = b'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:message id="Message_go" name="go"/>
  <bpmn:message id="Message_funds" name="funds_granted"/>
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="go">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="senders" value="hub"/>
      </camunda:properties></bpmn:extensionElements>
      <bpmn:messageEventDefinition id="MessageEventDefinition_go" messageRef="Message_go"/>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="go" targetRef="funds"/>
    <bpmn:receiveTask id="funds" name="Funds" messageRef="Message_funds">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="senders" value="finance"/>
        <camunda:property name="payload" value="amount"/>
      </camunda:properties></bpmn:extensionElements>
    </bpmn:receiveTask>
    <bpmn:sequenceFlow id="f2" sourceRef="funds" targetRef="use"/>
    <bpmn:userTask id="use" name="Use" camunda:candidateGroups="unit"/>
    <bpmn:sequenceFlow id="f3" sourceRef="use" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>'''


async def test_a_message_start_and_a_receive_task_name_their_senders_too(client):
    tenant = "msgs-receive"
    assert (await deploy(client, tenant, {"p.bpmn": START_AND_RECEIVE})).status_code == 201
    hub, finance = make_token("h", tenant, ("hub",)), make_token("f", tenant, ("finance",))
    instance = await start(client, tenant, make_token("u", tenant, ("unit",)))

    async def deliver(name: str, who: dict, payload: dict | None = None):
        return await client.post(f"{API}/process-instances/{instance['id']}/messages",
                                 headers=who, json={"name": name, "payload": payload or {}})

    assert (await deliver("go", finance)).status_code == 403
    assert (await deliver("go", hub)).status_code == 200
    assert (await deliver("funds_granted", hub, {"amount": 5})).status_code == 403
    assert (await deliver("funds_granted", finance, {"amount": 5, "x": 1})).status_code == 422
    response = await deliver("funds_granted", finance, {"amount": 5})
    assert response.status_code == 200, response.text
    assert response.json()["variables"]["amount"] == 5
    assert [t["key"] for t in response.json()["ready_tasks"]] == ["use"]
    events = await received(client, instance["id"])
    assert [(e["element_id"], e["data"]["sender"]["groups"]) for e in events] == [
        ("go", ["hub"]), ("funds", ["finance"])]
