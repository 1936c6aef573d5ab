"""Task operations through HTTP: transfer (转办), delegate and resolve (委派), urge (催办),
copies (抄送) and comments; each with its refusals."""

import pytest

from tests.conftest import deploy
from tests.support.api import API, history, ready, start, token
from tests.support.sample import sample_set

UNIT = token("ua", "demo", ("unit",))
UNIT2 = token("ub", "demo", ("unit",))
DELEGATE = token("dd", "demo", ("unit",))
STRANGER = token("zz", "demo", ("finance",))
OTHER_TENANT = token("xa", "other", ("unit", "experts"))
TENANT_ADMIN = token("boss", "demo", ("admin",), admin=True)
DECLARATION = {"project_name": "电子证照", "total_investment": 80, "plan_year": 2026,
               "crypto_relevant": False}


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "demo", sample_set())).status_code == 201
    assert (await deploy(client, "other", sample_set())).status_code == 201


async def declare_task(client, key: str = "T") -> tuple[dict, dict]:
    instance = await start(client, "demo", UNIT, business_key=key)
    return instance, ready(instance, "declare")


async def post(client, path: str, headers: dict, body: dict | None = None):
    return await client.post(f"{API}{path}", json=body, headers=headers)


async def events(client, instance_id: str, name: str) -> list[dict]:
    return [e for e in await history(client, instance_id) if e["event"] == name]


async def test_transfer_gives_the_task_to_another_user(client):
    instance, task = await declare_task(client)
    t = f"/tasks/{task['id']}"
    assert (await post(client, f"{t}/claim", UNIT)).status_code == 200
    # Only the assignee (or an admin) may transfer a claimed task.
    refused = await post(client, f"{t}/transfer", UNIT2, {"to": "ub"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "task.not_assignee"
    same = await post(client, f"{t}/transfer", UNIT, {"to": "ua"})
    assert (same.status_code, same.json()["code"]) == (422, "task.same_user")
    assert (await post(client, f"{t}/transfer", UNIT, {"to": ""})).status_code == 422
    assert (await post(client, f"{t}/transfer", UNIT,
                       {"to": "ub", "reason": "x" * 2001})).status_code == 422
    assert (await post(client, f"{t}/transfer", OTHER_TENANT, {"to": "ub"})).status_code \
        == 404
    moved = await post(client, f"{t}/transfer", UNIT, {"to": "ub", "reason": "出差"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["assignee"] == "ub"
    # The new assignee completes it; the old one no longer may.
    assert (await post(client, f"{t}/complete", UNIT, {"variables": DECLARATION})
            ).status_code == 403
    assert (await post(client, f"{t}/complete", UNIT2, {"variables": DECLARATION})
            ).status_code == 200
    [event] = await events(client, instance["id"], "task_transferred")
    assert (event["actor"], event["data"]["from"], event["data"]["to"],
            event["data"]["reason"]) == ("ua", "ua", "ub", "出差")
    done = await post(client, f"{t}/transfer", UNIT2, {"to": "ua"})
    assert (done.status_code, done.json()["code"]) == (409, "task.not_ready")


async def test_unclaimed_task_is_transferred_by_a_candidate_or_an_admin(client):
    _, task = await declare_task(client)
    t = f"/tasks/{task['id']}"
    refused = await post(client, f"{t}/transfer", STRANGER, {"to": "zz"})
    assert (refused.status_code, refused.json()["code"]) == (403, "task.not_candidate")
    assert (await post(client, f"{t}/transfer", UNIT, {"to": "ub"})).json()["assignee"] \
        == "ub"
    by_admin = await post(client, f"{t}/transfer", TENANT_ADMIN, {"to": "ua"})
    assert by_admin.json()["assignee"] == "ua"


async def test_delegate_then_resolve_returns_the_task_with_a_draft(client):
    instance, task = await declare_task(client)
    t = f"/tasks/{task['id']}"
    unclaimed = await post(client, f"{t}/delegate", UNIT, {"to": "dd"})
    assert (unclaimed.status_code, unclaimed.json()["code"]) == (409, "task.not_claimed")
    await post(client, f"{t}/claim", UNIT)
    assert (await post(client, f"{t}/delegate", UNIT2, {"to": "dd"})).status_code == 403
    delegated = await post(client, f"{t}/delegate", UNIT, {"to": "dd", "reason": "请核对"})
    assert delegated.status_code == 200, delegated.text
    body = delegated.json()
    assert (body["assignee"], body["owner"], body["delegation_state"]) == \
        ("dd", "ua", "pending")
    # Neither the delegate nor the owner can complete it while it is delegated.
    for who in (DELEGATE, UNIT):
        refused = await post(client, f"{t}/complete", who, {"variables": DECLARATION})
        assert refused.status_code in (403, 409)
    refused = await post(client, f"{t}/complete", DELEGATE, {"variables": DECLARATION})
    assert refused.json()["code"] == "task.delegation_pending"
    again = await post(client, f"{t}/delegate", DELEGATE, {"to": "ub"})
    assert (again.status_code, again.json()["code"]) == (409, "task.delegation_pending")
    assert (await post(client, f"{t}/transfer", UNIT, {"to": "ub"})).status_code in (403, 409)
    assert (await post(client, f"{t}/unclaim", DELEGATE)).json()["code"] \
        == "task.delegation_pending"
    wrong = await post(client, f"{t}/resolve", UNIT, {"variables": {}})
    assert (wrong.status_code, wrong.json()["code"]) == (403, "task.not_delegate")
    resolved = await post(client, f"{t}/resolve", DELEGATE,
                          {"variables": {"project_name": "电子证照（核对后）"}})
    assert resolved.status_code == 200, resolved.text
    got = resolved.json()
    assert (got["assignee"], got["owner"], got["delegation_state"]) == \
        ("ua", "ua", "resolved")
    assert got["data"]["project_name"] == "电子证照（核对后）"
    detail = (await client.get(f"{API}{t}", headers=UNIT)).json()
    assert detail["data"]["project_name"] == "电子证照（核对后）"
    twice = await post(client, f"{t}/resolve", DELEGATE, {"variables": {}})
    assert (twice.status_code, twice.json()["code"]) == (409, "task.not_delegated")
    assert (await post(client, f"{t}/complete", UNIT, {"variables": DECLARATION})
            ).status_code == 200
    names = [e["event"] for e in await history(client, instance["id"])]
    assert names.index("task_delegated") < names.index("task_resolved") \
        < names.index("task_completed")


async def test_urge_by_the_starter_once_an_hour(client, ctx):
    instance, task = await declare_task(client)
    t = f"/tasks/{task['id']}"
    refused = await post(client, f"{t}/urge", UNIT2, {"message": "快点"})
    assert (refused.status_code, refused.json()["code"]) == (403, "task.urge_not_allowed")
    assert (await post(client, f"{t}/urge", OTHER_TENANT, {})).status_code == 404
    assert (await post(client, f"{t}/urge", UNIT, {"message": "\x00"})).status_code == 422
    urged = await post(client, f"{t}/urge", UNIT, {"message": "请尽快办理"})
    assert urged.status_code == 200, urged.text
    assert urged.json()["urged_count"] == 1
    assert urged.json()["last_urged_at"].startswith("2026-03-02T09:00")
    soon = await post(client, f"{t}/urge", UNIT, {})
    assert (soon.status_code, soon.json()["code"]) == (409, "task.urge_too_soon")
    ctx.clock.advance(minutes=61)
    assert (await post(client, f"{t}/urge", TENANT_ADMIN, {})).json()["urged_count"] == 2
    got = (await client.get(f"{API}/tasks", params={"key": "declare"},
                            headers=UNIT)).json()["items"][0]
    assert got["urged_count"] == 2
    [first, second] = await events(client, instance["id"], "task_urged")
    assert (first["actor"], first["data"]["message"]) == ("ua", "请尽快办理")
    assert second["actor"] == "boss"


async def test_copies_list_in_the_copied_users_inbox_and_are_marked_read(client):
    instance, task = await declare_task(client)
    t = f"/tasks/{task['id']}"
    refused = await post(client, f"{t}/cc", STRANGER, {"users": ["zz"]})
    assert (refused.status_code, refused.json()["code"]) == (403, "task.cc_not_allowed")
    assert (await post(client, f"{t}/cc", UNIT, {"users": []})).status_code == 422
    assert (await post(client, f"{t}/cc", UNIT, {"users": ["u"] * 51})).status_code == 422
    assert (await post(client, f"{t}/cc", OTHER_TENANT, {"users": ["xa"]})).status_code \
        == 404
    copied = await post(client, f"{t}/cc", UNIT, {"users": ["zz", "ub", "zz"]})
    assert copied.status_code == 200, copied.text
    assert copied.json()["added"] == ["zz", "ub"]
    again = await post(client, f"{t}/cc", UNIT, {"users": ["zz"]})
    assert again.json()["added"] == []
    assert len(again.json()["items"]) == 2
    inbox = (await client.get(f"{API}/tasks", params={"cc": "me"},
                              headers=STRANGER)).json()["items"]
    assert [x["id"] for x in inbox] == [task["id"]]
    assert (await client.get(f"{API}/tasks/count", params={"cc": "me"},
                             headers=UNIT)).json()["count"] == 0
    assert (await client.get(f"{API}/tasks", params={"cc": "zz"},
                             headers=UNIT)).status_code == 422
    assert (await client.get(f"{API}/tasks", params={"ccc": "me"},
                             headers=UNIT)).status_code == 422
    assert (await post(client, f"{t}/cc/read", UNIT)).json()["code"] == "task.not_copied"
    read = await post(client, f"{t}/cc/read", STRANGER)
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    listed = (await client.get(f"{API}{t}/cc", headers=UNIT)).json()["items"]
    assert {(c["user"], c["read_at"] is not None) for c in listed} == \
        {("zz", True), ("ub", False)}
    [event] = await events(client, instance["id"], "task_copied")
    assert event["data"]["users"] == ["zz", "ub"]


async def test_comments_on_tasks_and_instances(client):
    instance, task = await declare_task(client)
    t, i = f"/tasks/{task['id']}", f"/process-instances/{instance['id']}"
    assert (await post(client, f"{t}/comments", UNIT, {"text": ""})).status_code == 422
    assert (await post(client, f"{t}/comments", UNIT, {"text": "x" * 2001})).status_code \
        == 422
    assert (await post(client, f"{t}/comments", OTHER_TENANT, {"text": "hi"})).status_code \
        == 404
    assert (await post(client, f"{i}/comments", OTHER_TENANT, {"text": "hi"})).status_code \
        == 404
    made = await post(client, f"{t}/comments", UNIT, {"text": "材料第三页缺盖章"})
    assert made.status_code == 201, made.text
    assert (made.json()["author"], made.json()["task_id"]) == ("ua", task["id"])
    assert (await post(client, f"{i}/comments", STRANGER, {"text": "请本周办结"})
            ).status_code == 201
    on_task = (await client.get(f"{API}{t}/comments", headers=STRANGER)).json()["items"]
    assert [c["text"] for c in on_task] == ["材料第三页缺盖章"]
    on_instance = (await client.get(f"{API}{i}/comments", headers=UNIT)).json()
    assert [(c["author"], c["text"]) for c in on_instance["items"]] == \
        [("ua", "材料第三页缺盖章"), ("zz", "请本周办结")]
    assert (await client.get(f"{API}{i}/comments", headers=OTHER_TENANT)).status_code == 404
    assert (await client.get(f"{API}{i}/comments", params={"limit": 0},
                             headers=UNIT)).status_code == 422
    assert len(await events(client, instance["id"], "comment_added")) == 2


async def test_instance_copies_list_with_cc_me(client):
    instance, _ = await declare_task(client)
    i = f"/process-instances/{instance['id']}"
    refused = await post(client, f"{i}/cc", STRANGER, {"users": ["zz"]})
    assert (refused.status_code, refused.json()["code"]) == (403, "instance.cc_not_allowed")
    assert (await post(client, f"{i}/cc", OTHER_TENANT, {"users": ["xa"]})).status_code \
        == 404
    assert (await post(client, f"{i}/cc", UNIT, {"users": ["\x00"]})).status_code == 422
    copied = await post(client, f"{i}/cc", UNIT, {"users": ["zz"]})
    assert copied.status_code == 200, copied.text
    assert copied.json()["added"] == ["zz"]
    listed = (await client.get(f"{API}/process-instances", params={"cc": "me"},
                               headers=STRANGER)).json()["items"]
    assert [x["id"] for x in listed] == [instance["id"]]
    assert (await client.get(f"{API}/process-instances", params={"cc": "me"},
                             headers=UNIT)).json()["items"] == []
    assert (await post(client, f"{i}/cc/read", UNIT)).json()["code"] == "instance.not_copied"
    read = await post(client, f"{i}/cc/read", STRANGER)
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert [e["data"]["users"] for e in await events(client, instance["id"],
                                                     "instance_copied")] == [["zz"]]
