"""Adding signers (加签) to a running parallel countersign through HTTP: a new slot per user,
assigned to them, its vote collected with the others; the refusals."""

from tests.conftest import deploy
from tests.support.api import API, history, start, token
from tests.support.loops import multi_instance
from tests.tasks.test_multi_instance import EXPERTS, UNIT, VOTE, countersign, expert
from tools.bpmn_builder import ProcessBuilder

OTHER_TENANT = token("xa", "other", ("experts",))


async def post(client, path: str, headers: dict, body: dict | None = None):
    return await client.post(f"{API}{path}", json=body, headers=headers)


def slot_of(instance: dict, user: str) -> dict:
    [slot] = [t for t in instance["ready_tasks"] if t["assignee"] == user]
    return slot


async def test_a_signer_added_gets_a_slot_and_votes(client, ctx):
    assert (await deploy(client, "mi", {"p.bpmn": countersign(
        collection="experts", element="expert")})).status_code == 201
    await deploy(client, "other", {"p.bpmn": countersign(collection="experts",
                                                          element="expert")})
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    add = f"/tasks/{slot_of(instance, 'zhang')['id']}/add-signers"
    assert (await post(client, add, expert("li"), {"users": ["zhao"]})).json()["code"] \
        == "task.not_assignee"
    assert (await post(client, add, OTHER_TENANT, {"users": ["zhao"]})).status_code == 404
    assert (await post(client, add, expert("zhang"), {"users": []})).status_code == 422
    held = await post(client, add, expert("zhang"), {"users": ["li"]})
    assert (held.status_code, held.json()["code"]) == (422, "task.signers_refused")
    added = await post(client, add, expert("zhang"), {"users": ["zhao", "zhao"]})
    assert added.status_code == 200, added.text
    slots = sorted((t["slot"], t["assignee"]) for t in added.json()["ready_tasks"])
    assert slots == [(0, "zhang"), (1, "li"), (2, "wang"), (3, "zhao")]
    [event] = [e for e in await history(client, instance["id"])
               if e["event"] == "signers_added"]
    assert (event["actor"], event["data"]["users"]) == ("zhang", ["zhao"])
    instance = added.json()
    ctx.instances.discard(instance["id"])  # the new slots are stored: loaded from rows
    for name, vote in (("zhang", "approve"), ("li", "reject"), ("wang", "reject"),
                       ("zhao", "approve")):
        response = await post(client, f"/tasks/{slot_of(instance, name)['id']}/complete",
                              expert(name), {"variables": {"vote": vote, "opinion": name}})
        assert response.status_code == 200, response.text
        instance = response.json()
    assert instance["outcome"] == "passed"  # zhao's vote made the second approval
    assert [r["opinion"] for r in instance["variables"]["sign_results"]] == \
        ["zhang", "li", "wang", "zhao"]


async def test_no_signers_for_a_sequential_or_plain_task(client):
    await deploy(client, "mi", {"p.bpmn": countersign(collection="experts", element="expert",
                                                       sequential=True)})
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    [slot] = instance["ready_tasks"]
    refused = await post(client, f"/tasks/{slot['id']}/add-signers", expert("zhang"),
                         {"users": ["zhao"]})
    assert (refused.status_code, refused.json()["code"]) == (422, "task.signers_refused")
    assert "sequential" in refused.json()["detail"]
    after = (await client.get(f"{API}/process-instances/{instance['id']}",
                              headers=UNIT)).json()
    assert len(after["ready_tasks"]) == 1


async def test_the_diagram_may_forbid_adding_signers(client):
    b = ProcessBuilder("fixed", name="固定会签", main=True, lanes=[("experts", "专家")])
    b.start("start", lane="experts")
    b.user_task("sign", "会签", lane="experts", form=VOTE, assignee="${expert}",
                properties={"add_signers": "false"})
    b.end("end", lane="experts")
    b.flow("start", "sign")
    b.flow("sign", "end")
    xml = multi_instance(b.to_xml(), "sign", collection="experts", element="expert")
    assert (await deploy(client, "mi", {"p.bpmn": xml})).status_code == 201
    instance = await start(client, "mi", UNIT, variables={"experts": EXPERTS})
    refused = await post(client, f"/tasks/{slot_of(instance, 'li')['id']}/add-signers",
                         expert("li"), {"users": ["zhao"]})
    assert (refused.status_code, refused.json()["code"]) == (422, "task.signers_refused")
    assert "add_signers" in refused.json()["detail"]
