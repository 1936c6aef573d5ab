"""A project waiting at an external task (a finance system's payment step) moves to a set
where the owner renamed that step and gave it a new topic: the task keeps its id, its
external_tasks row follows the new element, and the finance system then fetches and
completes it on the new set. An external task is never mapped onto a user task."""

from govflow.migration.worker import MigrationWorker

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, history, snapshot, start, token
from tools.bpmn_builder import ProcessBuilder

TENANT = "extmig"
BASE = f"{API}/tenants/{TENANT}/external-tasks"
WORKER = token("finance-system", TENANT, ("external-worker",))
HUB = token("ha", TENANT, ("hub",))
TENANT_ADMIN = token("ext_admin", TENANT, (), admin=True)
MAPPING = {"payment": {"pay": "disburse"}}


def payment(pay: str = "pay", topic: str = "payment", user_task: bool = False) -> bytes:
    b = ProcessBuilder("payment", name="资金拨付", lanes=[("hub", "大数据局"),
                                                        ("finance", "财政局")])
    b.start("start", "开始", lane="hub")
    if user_task:
        b.user_task(pay, "拨付资金", lane="finance", candidate_groups=["finance"])
    else:
        b.service_task(pay, "拨付资金", topic=topic, lane="finance",
                       properties={"outputs": "voucher_no"})
    b.user_task("record", "登记凭证", lane="hub", candidate_groups=["hub"])
    b.end("paid", "已拨付", lane="hub", outcome="paid")
    b.flow("start", pay)
    b.flow(pay, "record")
    b.flow("record", "paid")
    return b.to_xml()


async def sets(client, **target) -> tuple[int, int]:
    old = await deploy(client, TENANT, {"payment.bpmn": payment()})
    assert old.status_code == 201, old.text
    new = await deploy(client, TENANT, {"payment.bpmn": payment(**target)})
    assert new.status_code == 201, new.text
    return old.json()["id"], new.json()["id"]


async def fetch(client, topic: str) -> list[dict]:
    body = {"worker_id": "w1", "max_tasks": 10,
            "topics": [{"topic_name": topic, "lock_duration": 60_000}]}
    response = await client.post(f"{BASE}/fetch-and-lock", json=body, headers=WORKER)
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_instance_at_an_external_task_moves_and_a_worker_completes_it(client, ctx):
    old, new = await sets(client, pay="disburse", topic="disbursement")
    instance = await start(client, TENANT, ADMIN, business_key="EXT-1")
    [before] = (await client.get(BASE, headers=ADMIN)).json()["items"]
    assert (before["element_id"], before["topic"]) == ("pay", "payment")

    dry = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                            json={"target_set_id": new, "element_map": MAPPING,
                                  "dry_run": True})
    assert dry.status_code == 200, dry.text
    item = dry.json()["items"][0]
    assert [(m["kind"], m["element_id"], m["target_id"]) for m in item["moves"]] == [
        ("external", "pay", "disburse")]

    response = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                                 json={"target_set_id": new, "element_map": MAPPING})
    assert response.status_code == 202, response.text
    await MigrationWorker(ctx).drain()
    done = (await client.get(f"{API}/tenants/{TENANT}/migrations/{response.json()['id']}",
                             headers=TENANT_ADMIN)).json()
    assert done["totals"]["done"] == 1, done

    assert await fetch(client, "payment") == []  # the old topic no longer has it
    fetched = await fetch(client, "disbursement")
    assert [(t["id"], t["element_id"], t["topic"]) for t in fetched] == [
        (before["id"], "disburse", "disbursement")]
    completed = await client.post(f"{BASE}/{before['id']}/complete", headers=WORKER,
                                  json={"worker_id": "w1", "variables": {"voucher_no": "V-9"}})
    assert completed.status_code == 204, completed.text
    after = (await client.get(f"{API}/process-instances/{instance['id']}",
                              headers=ADMIN)).json()
    assert after["variables"]["voucher_no"] == "V-9"
    after = await complete(client, after, "record", {}, HUB)
    assert (after["state"], after["outcome"]) == ("completed", "paid")
    events = [e["event"] for e in await history(client, instance["id"])]
    assert "migrated" in events
    assert after["diagram_set_id"] == new != old


async def test_an_external_task_is_not_mapped_onto_a_user_task(client, ctx):
    _, new = await sets(client, pay="disburse", user_task=True)
    instance = await start(client, TENANT, ADMIN, business_key="EXT-2")
    before = await snapshot(client, instance["id"])
    refused = await client.post(f"{API}/process-instances/{instance['id']}/migrate",
                                headers=TENANT_ADMIN,
                                json={"target_set_id": new, "element_map": MAPPING})
    assert refused.status_code == 409, refused.text
    assert "waits as a external" in refused.json()["detail"]
    assert await snapshot(client, instance["id"]) == before
