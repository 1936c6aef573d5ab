"""External service tasks over REST: a finance system fetches, locks and completes the
payment step of a process, as in Camunda 7's external task API."""

import asyncio

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, ready, snapshot, start, token
from tools.bpmn_builder import ProcessBuilder

TENANT = "ext"
BASE = f"{API}/tenants/{TENANT}/external-tasks"
WORKER = token("finance-system", TENANT, ("external-worker",))
OTHER_WORKER = token("procurement-system", TENANT, ("external-worker",))
HUB = token("ha", TENANT, ("hub",))
ELSEWHERE = token("finance-system", "other", ("external-worker",))


def payment_process() -> bytes:
    """As Camunda Modeler writes it: pay is "Implementation: External", topic payment."""
    b = ProcessBuilder("payment", name="资金拨付", lanes=[("hub", "大数据局"),
                                                        ("finance", "财政局")])
    b.start("start", "开始", lane="hub")
    b.service_task("pay", "拨付资金", topic="payment", lane="finance",
                   properties={"outputs": "voucher_no,paid_on"})
    b.boundary_error("refused", "拒付", attached_to="pay", error="NO_FUNDS")
    b.user_task("record", "登记凭证", lane="hub", candidate_groups=["hub"])
    b.end("paid", "已拨付", lane="hub", outcome="paid")
    b.end("not_paid", "未拨付", lane="finance", outcome="refused")
    b.flow("start", "pay")
    b.flow("pay", "record")
    b.flow("record", "paid")
    b.flow("refused", "not_paid")
    return b.to_xml()


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, {"payment.bpmn": payment_process()})
    assert response.status_code == 201, response.text


async def _start(client, key: str = "2026-001", amount: int = 120) -> dict:
    return await start(client, TENANT, ADMIN, business_key=key, variables={"amount": amount})


async def fetch(client, worker_id: str = "w1", headers=WORKER, max_tasks: int = 10,
                lock: int = 60_000, topic: str = "payment", variables=None) -> list[dict]:
    body = {"worker_id": worker_id, "max_tasks": max_tasks,
            "topics": [{"topic_name": topic, "lock_duration": lock,
                        **({"variables": variables} if variables is not None else {})}]}
    response = await client.post(f"{BASE}/fetch-and-lock", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def post(client, task_id: str, action: str, body: dict, headers=WORKER):
    return await client.post(f"{BASE}/{task_id}/{action}", json=body, headers=headers)


async def instance(client, instance_id: str) -> dict:
    return (await client.get(f"{API}/process-instances/{instance_id}", headers=ADMIN)).json()


async def test_fetch_lock_complete_runs_the_instance_on_with_the_workers_variables(client,
                                                                                  ctx):
    started = await _start(client)
    assert started["ready_tasks"] == []  # the service task is nobody's inbox item
    [task] = await fetch(client, variables=["amount"])
    assert task["topic"] == "payment"
    assert task["business_key"] == "2026-001"
    assert task["process_instance_id"] == started["id"]
    assert task["element_id"] == "pay"
    assert task["variables"] == {"amount": 120}
    assert task["retries"] is None
    assert task["outputs"] == ["voucher_no", "paid_on"]
    assert task["worker_id"] == "w1"
    assert task["lock_expires_at"].startswith("2026-03-02T09:01:00")
    assert await fetch(client, "w2", OTHER_WORKER) == []  # held by w1

    response = await post(client, task["id"], "complete",
                          {"worker_id": "w1", "variables": {"voucher_no": "V-7"}})
    assert response.status_code == 204, response.text
    after = await instance(client, started["id"])
    assert after["variables"] == {"amount": 120, "voucher_no": "V-7"}
    ready(after, "record")
    events = await history(client, started["id"])
    done = [e for e in events if e["event"] == "external_task_completed"]
    assert done[0]["data"]["worker_id"] == "w1"
    assert done[0]["actor"] == "finance-system"
    assert "external_task_created" in [e["event"] for e in events]
    listed = (await client.get(BASE, headers=ADMIN)).json()
    assert listed["items"] == []
    # Completed once: gone, a second completion finds nothing.
    again = await post(client, task["id"], "complete", {"worker_id": "w1"})
    assert again.status_code == 404


async def test_two_workers_fetching_at_once_never_get_the_same_task(client):
    ids = {(await _start(client, f"k{i}"))["id"] for i in range(6)}
    first, second = await asyncio.gather(fetch(client, "w1", max_tasks=4),
                                         fetch(client, "w2", OTHER_WORKER, max_tasks=4))
    got1, got2 = {t["id"] for t in first}, {t["id"] for t in second}
    assert not got1 & got2
    assert len(got1) + len(got2) == 6
    assert {t["process_instance_id"] for t in first + second} == ids
    assert await fetch(client, "w3") == []


async def test_an_expired_lock_is_fetched_again_and_the_old_worker_is_refused(client, ctx):
    started = await _start(client)
    [task] = await fetch(client, "w1", lock=1_000)
    ctx.clock.advance(seconds=2)
    [again] = await fetch(client, "w2", OTHER_WORKER)
    assert again["id"] == task["id"]
    assert again["worker_id"] == "w2"
    before = await snapshot(client, started["id"])
    late = await post(client, task["id"], "complete",
                      {"worker_id": "w1", "variables": {"voucher_no": "late"}})
    assert late.status_code == 409, late.text
    assert "not locked by worker 'w1'" in late.json()["detail"]
    assert await snapshot(client, started["id"]) == before
    # The same worker id under another token does not hold it either.
    stolen = await post(client, task["id"], "complete", {"worker_id": "w2"}, WORKER)
    assert stolen.status_code == 409
    ok = await post(client, task["id"], "complete",
                    {"worker_id": "w2", "variables": {"voucher_no": "V-8"}}, OTHER_WORKER)
    assert ok.status_code == 204, ok.text


async def test_a_failure_with_retries_is_fetched_again_after_the_retry_timeout(client, ctx):
    await _start(client)
    [task] = await fetch(client)
    response = await post(client, task["id"], "failure", {
        "worker_id": "w1", "error_message": "财政一体化系统超时", "error_details": "line 1\nline 2",
        "retries": 2, "retry_timeout": 60_000})
    assert response.status_code == 204, response.text
    assert await fetch(client) == []
    ctx.clock.advance(seconds=61)
    [again] = await fetch(client)
    assert again["id"] == task["id"]
    assert (again["retries"], again["error_message"]) == (2, "财政一体化系统超时")


async def test_no_retries_left_is_an_incident_until_an_admin_sets_retries(client, ctx):
    started = await _start(client)
    [task] = await fetch(client)
    response = await post(client, task["id"], "failure", {
        "worker_id": "w1", "error_message": "账户冻结", "retries": 0})
    assert response.status_code == 204, response.text
    after = await instance(client, started["id"])
    assert after["state"] == "error"
    assert "账户冻结" in after["error"]
    events = [e["event"] for e in await history(client, started["id"])]
    assert events[-2:] == ["external_task_failed", "incident"]
    ctx.clock.advance(days=3)
    assert await fetch(client) == []
    failed = (await client.get(BASE, params={"failed": "true"}, headers=ADMIN)).json()["items"]
    assert [(t["id"], t["retries"]) for t in failed] == [(task["id"], 0)]

    url = f"{BASE}/{task['id']}/retries"
    assert (await client.put(url, json={"retries": 1}, headers=WORKER)).status_code == 403
    assert (await client.put(url, json={"retries": 1}, headers=ADMIN)).status_code == 204
    assert (await instance(client, started["id"]))["state"] == "running"
    assert (await history(client, started["id"]))[-1]["event"] == "incident_resolved"
    [again] = await fetch(client)
    assert again["retries"] == 1
    ok = await post(client, again["id"], "complete", {"worker_id": "w1"})
    assert ok.status_code == 204, ok.text


async def test_a_bpmn_error_is_caught_by_the_boundary_event_with_its_code(client):
    started = await _start(client)
    [task] = await fetch(client)
    before = await snapshot(client, started["id"])
    uncaught = await post(client, task["id"], "bpmn-error",
                          {"worker_id": "w1", "error_code": "NO_SUCH_CODE"})
    assert uncaught.status_code == 422, uncaught.text
    assert "catches error code 'NO_SUCH_CODE'" in uncaught.json()["detail"]
    assert await snapshot(client, started["id"]) == before  # still locked by w1, unchanged

    response = await post(client, task["id"], "bpmn-error", {
        "worker_id": "w1", "error_code": "NO_FUNDS", "error_message": "预算不足",
        "variables": {"voucher_no": "none"}})
    assert response.status_code == 204, response.text
    after = await instance(client, started["id"])
    assert (after["state"], after["outcome"]) == ("completed", "refused")
    assert after["variables"]["voucher_no"] == "none"
    thrown = [e for e in await history(client, started["id"])
              if e["event"] == "external_task_bpmn_error"]
    assert thrown[0]["data"]["caught_by"] == "refused"
    assert thrown[0]["data"]["error_message"] == "预算不足"


async def test_extend_lock_and_unlock(client, ctx):
    await _start(client)
    [task] = await fetch(client, lock=10_000)
    other = await post(client, task["id"], "extend-lock",
                       {"worker_id": "w2", "new_duration": 60_000}, OTHER_WORKER)
    assert other.status_code == 409
    extended = await post(client, task["id"], "extend-lock",
                          {"worker_id": "w1", "new_duration": 60_000})
    assert extended.status_code == 200, extended.text
    ctx.clock.advance(seconds=30)
    assert await fetch(client, "w2", OTHER_WORKER) == []  # still w1's
    [listed] = (await client.get(BASE, params={"locked": "true"}, headers=WORKER)).json()["items"]
    assert (listed["worker_id"], listed["locked"]) == ("w1", True)
    assert (await post(client, task["id"], "unlock", {}, OTHER_WORKER)).status_code == 409
    assert (await post(client, task["id"], "unlock", {}, ADMIN)).status_code == 204
    [again] = await fetch(client, "w2", OTHER_WORKER)
    assert again["id"] == task["id"]


async def test_strangers_other_tenants_and_undeclared_variables_are_refused(client):
    started = await _start(client)
    assert await fetch(client, topic="no-such-topic") == []
    body = {"worker_id": "w1", "max_tasks": 1,
            "topics": [{"topic_name": "payment", "lock_duration": 1000}]}
    url = f"{BASE}/fetch-and-lock"
    assert (await client.post(url, json=body)).status_code == 401
    assert (await client.post(url, json=body, headers=HUB)).status_code == 403
    assert (await client.post(url, json=body, headers=ELSEWHERE)).status_code == 404
    assert (await client.get(BASE, headers=HUB)).status_code == 403
    [task] = await fetch(client)
    # A worker of another tenant, through its own tenant's path: no such task there.
    await client.put(f"{API}/tenants/other", json={"name": "other"}, headers=ADMIN)
    foreign = await client.post(f"{API}/tenants/other/external-tasks/{task['id']}/complete",
                                json={"worker_id": "w1"}, headers=ELSEWHERE)
    assert foreign.status_code == 404
    before = await snapshot(client, started["id"])
    extra = await post(client, task["id"], "complete",
                       {"worker_id": "w1", "variables": {"voucher_no": "V", "approved": True}})
    assert extra.status_code == 422
    assert "approved" in extra.json()["detail"]
    deep: dict = {}
    for _ in range(40):
        deep = {"x": deep}
    nested = await post(client, task["id"], "complete",
                        {"worker_id": "w1", "variables": {"voucher_no": deep}})
    assert nested.status_code == 422
    assert await snapshot(client, started["id"]) == before


@pytest.mark.parametrize("body", [
    {"worker_id": "w1", "max_tasks": 0, "topics": [{"topic_name": "p", "lock_duration": 1}]},
    {"worker_id": "w1", "max_tasks": 101, "topics": [{"topic_name": "p", "lock_duration": 1}]},
    {"worker_id": "w1", "max_tasks": 1,
     "topics": [{"topic_name": "p", "lock_duration": 24 * 3600 * 1000 + 1}]},
    {"worker_id": "w1", "max_tasks": 1, "topics": []},
    {"worker_id": "w\x00", "max_tasks": 1, "topics": [{"topic_name": "p", "lock_duration": 1}]},
    {"worker_id": "w1", "max_tasks": 1, "topics": [{"topic_name": "p", "lock_duration": 1},
                                                   {"topic_name": "p", "lock_duration": 2}]},
])
async def test_unbounded_fetches_are_refused(client, body):
    response = await client.post(f"{BASE}/fetch-and-lock", json=body, headers=WORKER)
    assert response.status_code == 422, response.text


async def test_an_oversized_body_is_refused(client):
    await _start(client)
    [task] = await fetch(client)
    huge = {"worker_id": "w1", "variables": {"voucher_no": "x" * (2 * 1024 * 1024)}}
    response = await post(client, task["id"], "complete", huge)
    assert response.status_code == 413
    details = {"worker_id": "w1", "error_message": "m", "error_details": "d" * 100_001,
               "retries": 1}
    assert (await post(client, task["id"], "failure", details)).status_code == 422


def _with_task(**attrs: str) -> bytes:
    b = ProcessBuilder("p", lanes=[("hub", "大数据局")])
    b.start("start")
    kind = attrs.pop("kind", "serviceTask")
    b.service_task("call", "调用", topic=attrs.pop("topic", None), kind=kind, attrs=attrs)
    b.end("end")
    b.flow("start", "call")
    b.flow("call", "end")
    return b.to_xml()


@pytest.mark.parametrize(("xml", "words"), [
    (_with_task(**{"camunda:class": "gov.finance.PayDelegate"}), "camunda:class"),
    (_with_task(**{"camunda:expression": "${pay.run()}"}), "camunda:type=\"external\""),
    (_with_task(**{"camunda:delegateExpression": "${payer}"}), "camunda:delegateExpression"),
    (_with_task(), "camunda:topic"),
    (_with_task(kind="sendTask"), "send task runs only as an external task"),
    (_with_task(**{"camunda:type": "external"}), "needs camunda:topic"),
    (_with_task(topic="pay", **{"camunda:taskPriority": "${p}"}), "taskPriority"),
])
async def test_service_tasks_that_would_run_code_are_refused_at_upload(client, xml, words):
    response = await deploy(client, "bad", {"p.bpmn": xml})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["loc"], error["element"]) == ("p.bpmn", "call")
    assert isinstance(error["line"], int)
    assert words in error["msg"]


async def test_an_ended_instance_leaves_no_external_task_behind(client):
    started = await _start(client)
    [task] = await fetch(client)
    response = await client.post(f"{API}/process-instances/{started['id']}/terminate",
                                 json={"reason": "撤回"}, headers=ADMIN)
    assert response.status_code == 200, response.text
    assert (await client.get(BASE, headers=ADMIN)).json()["items"] == []
    late = await post(client, task["id"], "complete", {"worker_id": "w1"})
    assert late.status_code == 404


async def test_a_suspended_instance_hands_out_nothing_and_takes_nothing_back(client, ctx):
    started = await _start(client, "k1")
    [held] = await fetch(client)
    await _start(client, "k2")
    response = await client.post(f"{API}/process-instances/{started['id']}/suspend",
                                 headers=ADMIN)
    assert response.status_code == 200, response.text
    for action, body in (("complete", {"worker_id": "w1"}),
                         ("failure", {"worker_id": "w1", "error_message": "x", "retries": 0})):
        refused = await post(client, held["id"], action, body)  # w1 still holds the lock
        assert refused.status_code == 409, refused.text
        assert "suspended" in refused.json()["detail"]
    ctx.clock.advance(minutes=5)  # held's lock expired
    [other] = await fetch(client)
    assert other["process_instance_id"] != started["id"]
    assert await fetch(client) == []
    await client.post(f"{API}/process-instances/{started['id']}/resume", headers=ADMIN)
    [again] = await fetch(client)
    assert again["id"] == held["id"]
    for task in (again, other):
        done = await post(client, task["id"], "complete", {"worker_id": "w1"})
        assert done.status_code == 204, done.text


async def test_a_send_task_naming_a_message_throws_it_instead_of_waiting_for_a_worker(client):
    """BPMN's message send (SpiffWorkflow's own diagrams use it): a send task with a message
    event definition and no implementation is not an external task; the instance passes it."""
    b = ProcessBuilder("p", lanes=[("hub", "大数据局")])
    b.start("start")
    b._add("sendTask", "notify", "通知财政", "hub", None, None, event=("message", "funds_asked"))
    b.end("end")
    b.flow("start", "notify")
    b.flow("notify", "end")
    response = await deploy(client, "demo", {"p.bpmn": b.to_xml()})
    assert response.status_code == 201, response.text
    started = await start(client, "demo", ADMIN)
    assert started["state"] == "completed"
    assert (await fetch(client)) == []
