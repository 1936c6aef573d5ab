"""Standard BPMN constructs walked over REST, on diagrams as Camunda Modeler writes them
(tests/instances/constructs/*.bpmn, with DI): call activity mappings, event sub-processes
started by a message, link events, collaborations (two pools) and BPMN errors thrown by a
script (docs/bpmn-constructs.md). Signals: test_signals.py."""

from pathlib import Path

import httpx

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, history, ready, send_message, snapshot, start
from tests.support.api import token as make_token

DIAGRAMS = Path(__file__).parent / "constructs"
TENANT = "bpmn"
UNIT = make_token("u1", TENANT, ("unit",))
HUB = make_token("h1", TENANT, ("hub",))
NOBODY = make_token("n1", TENANT, ())


def diagram(name: str) -> bytes:
    return (DIAGRAMS / name).read_bytes()


async def deployed(client: httpx.AsyncClient, *names: str,
                   files: dict[str, bytes] | None = None) -> httpx.Response:
    return await deploy(client, TENANT, files or {n: diagram(n) for n in names})


async def refused(client: httpx.AsyncClient, files: dict[str, bytes]) -> list[dict]:
    response = await deployed(client, files=files)
    assert response.status_code == 422, response.text
    return response.json()["errors"]


async def instance(client: httpx.AsyncClient, instance_id: str) -> dict:
    response = await client.get(f"{API}/process-instances/{instance_id}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def tasks_of(client: httpx.AsyncClient, instance_id: str) -> dict[str, str]:
    response = await client.get(f"{API}/tasks", headers=ADMIN,
                                params={"process_instance_id": instance_id})
    return {t["key"]: t["state"] for t in response.json()["items"]}


# -- call activity mappings -----------------------------------------------------------------

async def test_call_activity_passes_only_the_mapped_variables(client):
    assert (await deployed(client, "call_mappings.bpmn")).status_code == 201
    started = await start(client, TENANT, UNIT, process_id="caller", business_key="K-1",
                          variables={"total_investment": 120, "secret_note": "parent only"})
    # The called process gets what camunda:in maps (a source, an expression)...
    assert started["variables"]["amount"] == 120
    assert started["variables"]["doubled"] == 240
    after = await complete(client, started, "check", {"verdict": "pass"}, HUB)
    # ... and nothing else: its script found no secret_note to leak. Back in the caller:
    # its own variables, plus only what camunda:out maps (a source, an expression).
    assert after["variables"] == {"total_investment": 120, "secret_note": "parent only",
                                  "inspection_verdict": "pass", "leaked": None, "total": 360}
    assert [t["key"] for t in after["ready_tasks"]] == ["review"]
    assert after["business_key"] == "K-1"  # the called process runs in the caller's instance


async def test_call_activity_with_variables_all_passes_everything_both_ways(client):
    assert (await deployed(client, "call_mappings.bpmn")).status_code == 201
    started = await start(client, TENANT, UNIT, process_id="caller_all",
                          variables={"total_investment": 7})
    assert started["variables"] == {"total_investment": 7}
    after = await complete(client, started, "check", {"verdict": "fail"}, HUB)
    assert after["variables"] == {"total_investment": 7, "verdict": "fail",
                                  "internal_note": "only inside", "leak": None}


async def test_malformed_or_unsafe_mappings_are_refused_at_upload(client):
    text = diagram("call_mappings.bpmn")
    no_source = text.replace(b'<camunda:out source="verdict" target="inspection_verdict" />',
                             b'<camunda:out target="inspection_verdict" />')
    errors = await refused(client, {"call_mappings.bpmn": no_source})
    assert errors[0]["element"] == "inspect"
    assert "exactly one of source and sourceExpression" in errors[0]["msg"]
    unsafe = text.replace(b"${total_investment * 2}", b"${().__class__}")
    errors = await refused(client, {"call_mappings.bpmn": unsafe})
    assert errors[0]["element"] == "inspect"
    assert "_" in errors[0]["msg"]
    other_key = text.replace(b"#{execution.processBusinessKey}", b"#{other}")
    errors = await refused(client, {"call_mappings.bpmn": other_key})
    assert "businessKey" in errors[0]["msg"]


# -- collaborations --------------------------------------------------------------------------

async def test_a_collaboration_deploys_both_pools_and_messages_flow_between_them(client):
    response = await deployed(client, "collaboration.bpmn")
    assert response.status_code == 201, response.text
    refusal = await client.post(f"{API}/tenants/{TENANT}/process-instances", headers=UNIT,
                                json={"variables": {}})
    assert refusal.status_code == 422
    assert "no main process" in refusal.json()["detail"]
    office = await start(client, TENANT, HUB, process_id="office", variables={"case_no": 7})
    other = await start(client, TENANT, HUB, process_id="office", variables={"case_no": 8})
    applicant = await start(client, TENANT, UNIT, process_id="applicant",
                            variables={"case_no": 7})
    done = await complete(client, applicant, "apply", {}, UNIT)
    assert done["state"] == "completed"
    assert [t["key"] for t in (await instance(client, office["id"]))["ready_tasks"]] == [
        "handle"]
    assert (await instance(client, other["id"]))["ready_tasks"] == []
    drawn = await client.get(f"{API}/process-instances/{office['id']}/svg", headers=HUB)
    assert drawn.status_code == 200
    assert "handle" in drawn.text


# -- link events -----------------------------------------------------------------------------

async def test_a_throw_link_goes_on_at_its_catch_link(client):
    assert (await deployed(client, "links.bpmn")).status_code == 201
    started = await start(client, TENANT, UNIT)
    after = await complete(client, started, "first", {}, UNIT)
    assert [t["key"] for t in after["ready_tasks"]] == ["second"]
    done = await complete(client, after, "second", {}, UNIT)
    assert done["state"] == "completed"
    passed = [e["element_id"] for e in await history(client, started["id"])
              if e["event"] == "element_completed"]
    assert passed.index("go_on") < passed.index("arrive")


async def test_a_throw_link_without_a_catch_link_is_refused_at_upload(client):
    text = diagram("links.bpmn").replace(b'name="to_review" />\n', b'name="to_elsewhere" />\n',
                                         1)
    errors = await refused(client, {"links.bpmn": text})
    assert errors[0]["element"] == "go_on"
    assert "no catch link" in errors[0]["msg"]
    assert errors[0]["line"]


# -- event sub-processes with a message start -----------------------------------------------

async def test_message_event_subprocesses_interrupting_and_not(client):
    assert (await deployed(client, "event_subprocess.bpmn")).status_code == 201
    started = await start(client, TENANT, UNIT)
    assert [t["key"] for t in started["ready_tasks"]] == ["work"]

    # Non-interrupting: runs beside the work, and may come again.
    response = await send_message(client, started["id"], "note_added", HUB, {"note": "见附件"})
    assert response.status_code == 200, response.text
    assert sorted(t["key"] for t in response.json()["ready_tasks"]) == ["read_note", "work"]
    assert response.json()["variables"]["note"] == "见附件"
    response = await send_message(client, started["id"], "note_added", HUB, {"note": "再补充"})
    assert sorted(t["key"] for t in response.json()["ready_tasks"]) == [
        "read_note", "read_note", "work"]

    # The message rule holds for event sub-process starts too.
    before = await snapshot(client, started["id"])
    assert (await send_message(client, started["id"], "case_withdrawn", NOBODY)).status_code \
        == 403
    assert (await send_message(client, started["id"], "case_withdrawn", HUB)).status_code == 403
    bad = await send_message(client, started["id"], "case_withdrawn", UNIT, {"amount": 1})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == "body.payload.amount"
    assert await snapshot(client, started["id"]) == before

    # Interrupting: the work and the notes leave the inbox; the withdrawal runs alone.
    response = await send_message(client, started["id"], "case_withdrawn", UNIT,
                                  {"reason": "重复申报"})
    assert response.status_code == 200, response.text
    assert [t["key"] for t in response.json()["ready_tasks"]] == ["confirm_withdrawal"]
    assert (await tasks_of(client, started["id"]))["work"] == "cancelled"
    inbox = await client.get(f"{API}/tasks", headers=UNIT, params={"state": "ready", "candidate_group": "unit"})
    assert [t["key"] for t in inbox.json()["items"]] == []
    # Interrupted: no further event sub-process starts.
    assert (await send_message(client, started["id"], "note_added", HUB,
                               {"note": "迟到"})).status_code == 409
    done = await complete(client, response.json(), "confirm_withdrawal", {}, HUB)
    assert done["state"] == "completed"
    assert done["outcome"] == "terminated"
    received = [e for e in await history(client, started["id"])
                if e["event"] == "message_received"]
    assert [e["element_id"] for e in received] == ["note_added", "note_added", "withdrawn"]
    assert received[-1]["data"]["sender"] == {"user": "u1", "as": "sender",
                                              "groups": ["unit"]}


async def test_tenant_wide_correlation_reaches_an_event_subprocess_start(client):
    assert (await deployed(client, "event_subprocess.bpmn")).status_code == 201
    one = await start(client, TENANT, UNIT, variables={"case_no": 1})
    two = await start(client, TENANT, UNIT, variables={"case_no": 2})
    response = await client.post(f"{API}/tenants/{TENANT}/messages", headers=UNIT, json={
        "name": "case_withdrawn", "correlation": {"case_no": 2}, "payload": {"reason": "x"}})
    assert response.status_code == 200, response.text
    assert response.json()["delivered_to"] == [two["id"]]
    assert [t["key"] for t in (await instance(client, two["id"]))["ready_tasks"]] == [
        "confirm_withdrawal"]
    assert [t["key"] for t in (await instance(client, one["id"]))["ready_tasks"]] == ["work"]


async def test_timer_start_event_subprocess_is_refused_at_upload(client):
    text = diagram("event_subprocess.bpmn").replace(
        b'<bpmn:messageEventDefinition id="MessageEventDefinition_note" '
        b'messageRef="Message_note_added" />',
        b'<bpmn:timerEventDefinition id="TimerEventDefinition_note">'
        b'<bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition>')
    errors = await refused(client, {"event_subprocess.bpmn": text})
    assert any(e["element"] == "note_added" and "timer start" in e["msg"] for e in errors)


# -- BPMN errors thrown by a script ---------------------------------------------------------

async def test_a_script_error_is_caught_by_its_boundary_event(client):
    assert (await deployed(client, "script_error.bpmn")).status_code == 201
    started = await start(client, TENANT, UNIT)
    after = await complete(client, started, "enter", {"amount": -5}, UNIT)
    assert [t["key"] for t in after["ready_tasks"]] == ["fix"]
    assert "checked" not in after["variables"]
    done = await complete(client, after, "fix", {}, UNIT)
    assert done["outcome"] == "rejected"


async def test_a_script_error_starts_an_error_event_subprocess(client):
    assert (await deployed(client, "script_error.bpmn")).status_code == 201
    started = await start(client, TENANT, UNIT)
    after = await complete(client, started, "enter", {"amount": 5000}, UNIT)
    assert [t["key"] for t in after["ready_tasks"]] == ["escalate"]
    done = await complete(client, after, "escalate", {}, HUB)
    assert done["state"] == "completed"
    assert done["outcome"] == "out_of_scope"


async def test_an_uncaught_script_error_fails_the_step_and_changes_nothing(client):
    assert (await deployed(client, "script_error.bpmn")).status_code == 201
    started = await start(client, TENANT, UNIT)
    before = await snapshot(client, started["id"])
    task = ready(started, "enter")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": {"amount": 13}})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "'validate'" in detail
    assert "UNLUCKY" in detail
    assert "not caught" in detail
    assert await snapshot(client, started["id"]) == before
    fine = await complete(client, started, "enter", {"amount": 10}, UNIT)
    assert [t["key"] for t in fine["ready_tasks"]] == ["approve"]
    assert fine["variables"]["checked"] is True


async def test_a_script_error_in_a_called_process_is_caught_on_the_call_activity(client):
    assert (await deployed(client, "called_error.bpmn")).status_code == 201
    bad = await start(client, TENANT, HUB, process_id="caller_err", variables={"bad": True})
    assert [t["key"] for t in bad["ready_tasks"]] == ["handle_bad"]
    assert "judged" not in bad["variables"]
    good = await start(client, TENANT, HUB, process_id="caller_err", variables={"bad": False})
    assert [t["key"] for t in good["ready_tasks"]] == ["done_ok"]
    assert good["variables"]["judged"] is True
