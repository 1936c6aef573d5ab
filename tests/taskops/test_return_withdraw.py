"""Return (退回) and withdraw (撤回) through HTTP: the earlier task is ready again with its
earlier submission as prefill, the tasks after it are cancelled, and the refusals."""

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, history, ready, start, token
from tests.support.sample import sample_set
from tools.bpmn_builder import Field, ProcessBuilder

UNIT = token("ua", "demo", ("unit",))
UNIT2 = token("ub", "demo", ("unit",))
EXPERT = token("ea", "demo", ("experts",))
FINANCE = token("fa", "demo", ("finance",))
OTHER_TENANT = token("xa", "other", ("unit", "experts"))
DECLARATION = {"project_name": "电子证照", "total_investment": 80, "plan_year": 2026,
               "crypto_relevant": False}
OK = {"approved": True, "opinion": "同意"}


@pytest.fixture(autouse=True)
async def deployed(client):
    assert (await deploy(client, "demo", sample_set())).status_code == 201
    assert (await deploy(client, "other", sample_set())).status_code == 201


async def post(client, path: str, headers: dict, body: dict | None = None):
    return await client.post(f"{API}{path}", json=body, headers=headers)


def review_of(instance: dict) -> dict:
    [task] = [t for t in instance["ready_tasks"] if t["key"].endswith("_review")]
    return task


async def declared(client) -> tuple[dict, dict, dict]:
    """An instance whose declaration was completed by ua: (instance, declare, review)."""
    instance = await start(client, "demo", UNIT, business_key="RET")
    declare = ready(instance, "declare")
    done = await post(client, f"/tasks/{declare['id']}/complete", UNIT,
                      {"variables": DECLARATION})
    assert done.status_code == 200, done.text
    return done.json(), declare, review_of(done.json())


async def test_return_to_the_declaration_cancels_the_review_and_prefills(client, ctx):
    instance, declare, review = await declared(client)
    r = f"/tasks/{review['id']}/return"
    assert (await post(client, r, FINANCE, {"to_key": "declare"})).json()["code"] \
        == "task.not_candidate"
    assert (await post(client, r, OTHER_TENANT, {"to_key": "declare"})).status_code == 404
    assert (await post(client, r, EXPERT, {"to_key": ""})).status_code == 422
    later = await post(client, r, EXPERT, {"to_key": "fund_review"})
    assert (later.status_code, later.json()["code"]) == (422, "task.return_refused")
    back = await post(client, r, EXPERT, {"to_key": "declare", "reason": "材料不全"})
    assert back.status_code == 200, back.text
    again = ready(back.json(), "declare")
    assert again["id"] != declare["id"]
    assert [t["key"] for t in back.json()["ready_tasks"]] == ["declare"]
    cancelled = (await client.get(f"{API}/tasks/{review['id']}", headers=EXPERT)).json()
    assert cancelled["state"] == "cancelled"
    first = (await client.get(f"{API}/tasks/{declare['id']}", headers=UNIT)).json()
    assert first["state"] == "completed"
    prefill = (await client.get(f"{API}/tasks/{again['id']}", headers=UNIT)).json()["data"]
    assert prefill == DECLARATION
    [event] = [e for e in await history(client, instance["id"])
               if e["event"] == "task_returned"]
    assert (event["actor"], event["task_id"], event["data"]["to_key"],
            event["data"]["reason"]) == ("ea", review["id"], "declare", "材料不全")
    assert (await post(client, r, EXPERT, {"to_key": "declare"})).json()["code"] \
        == "task.not_ready"
    # The rewound instance is stored: loaded afresh from its rows, it runs on.
    ctx.instances.discard(instance["id"])
    redone = await post(client, f"/tasks/{again['id']}/complete", UNIT,
                        {"variables": {**DECLARATION, "project_name": "电子证照二期"}})
    assert redone.status_code == 200, redone.text
    ctx.instances.discard(instance["id"])
    passed = await post(client, f"/tasks/{review_of(redone.json())['id']}/complete", EXPERT,
                        {"variables": OK})
    assert passed.status_code == 200, passed.text
    keys = sorted(t["key"] for t in passed.json()["ready_tasks"])
    assert keys == ["fund_review", "technical_review"]
    assert passed.json()["variables"].get("project_name") == "电子证照二期", passed.json()["variables"]


async def test_return_from_one_parallel_branch_cancels_both(client):
    _, _, review = await declared(client)
    passed = (await post(client, f"/tasks/{review['id']}/complete", EXPERT,
                         {"variables": OK})).json()
    fund = ready(passed, "fund_review")
    back = await post(client, f"/tasks/{fund['id']}/return", FINANCE,
                      {"to_key": review["key"]})
    assert back.status_code == 200, back.text
    assert [t["key"] for t in back.json()["ready_tasks"]] == [review["key"]]
    prefill = (await client.get(f"{API}/tasks/{back.json()['ready_tasks'][0]['id']}",
                                headers=EXPERT)).json()["data"]
    assert prefill == OK


async def test_withdraw_by_the_completer_while_the_next_task_is_untouched(client):
    instance, declare, review = await declared(client)
    w = f"/tasks/{declare['id']}/withdraw"
    assert (await post(client, w, OTHER_TENANT)).status_code == 404
    other = await post(client, w, UNIT2)
    assert (other.status_code, other.json()["code"]) == (403, "task.not_completer")
    done = await post(client, w, UNIT)
    assert done.status_code == 200, done.text
    again = ready(done.json(), "declare")
    assert [t["key"] for t in done.json()["ready_tasks"]] == ["declare"]
    assert (await client.get(f"{API}/tasks/{review['id']}", headers=EXPERT)).json()["state"] \
        == "cancelled"
    events = [e["event"] for e in await history(client, instance["id"])]
    assert "task_withdrawn" in events
    twice = await post(client, w, UNIT)
    assert (twice.status_code, twice.json()["code"]) == (409, "task.withdraw_refused")
    ready_one = await post(client, f"/tasks/{again['id']}/withdraw", UNIT)
    assert (ready_one.status_code, ready_one.json()["code"]) == (409, "task.withdraw_refused")


async def test_withdraw_is_refused_once_the_next_task_was_taken_up(client):
    _, declare, review = await declared(client)
    w = f"/tasks/{declare['id']}/withdraw"
    await post(client, f"/tasks/{review['id']}/claim", EXPERT)
    claimed = await post(client, w, UNIT)
    assert (claimed.status_code, claimed.json()["code"]) == (409, "task.withdraw_refused")
    assert "taken up" in claimed.json()["detail"]
    await post(client, f"/tasks/{review['id']}/unclaim", EXPERT)
    touched = await post(client, w, UNIT)
    assert (touched.status_code, touched.json()["code"]) == (409, "task.withdraw_refused")
    assert "task_claimed" in touched.json()["detail"]
    await post(client, f"/tasks/{review['id']}/complete", EXPERT, {"variables": OK})
    acted = await post(client, w, UNIT)
    assert (acted.status_code, acted.json()["code"]) == (409, "task.withdraw_refused")


def chain_process() -> bytes:
    b = ProcessBuilder("chain", name="三级审核", main=True, lanes=[("unit", "单位")])
    b.start("start", lane="unit")
    note = [Field("note", "string", label="意见")]
    b.user_task("first", "初审", lane="unit", candidate_groups=["unit"], form=note)
    b.user_task("second", "复审", lane="unit", candidate_groups=["unit"], form=note)
    b.user_task("third", "终审", lane="unit", candidate_groups=["unit"], form=note,
                properties={"return_to": "second"})
    b.end("end", lane="unit")
    for a, z in (("start", "first"), ("first", "second"), ("second", "third"),
                 ("third", "end")):
        b.flow(a, z)
    return b.to_xml()


async def test_the_diagram_restricts_return_targets(client):
    assert (await deploy(client, "chain", {"chain.bpmn": chain_process()})).status_code == 201
    user = token("ca", "chain", ("unit",))
    instance = await start(client, "chain", user)
    for key in ("first", "second"):
        task = ready(instance, key)
        response = await post(client, f"/tasks/{task['id']}/complete", user,
                              {"variables": {"note": key}})
        instance = response.json()
    third = ready(instance, "third")
    refused = await post(client, f"/tasks/{third['id']}/return", user, {"to_key": "first"})
    assert (refused.status_code, refused.json()["code"]) == (422, "task.return_refused")
    assert "return_to" in refused.json()["detail"]
    back = await post(client, f"/tasks/{third['id']}/return", ADMIN, {"to_key": "second"})
    assert back.status_code == 200, back.text
    assert [t["key"] for t in back.json()["ready_tasks"]] == ["second"]
