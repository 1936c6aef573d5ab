"""石嘴山 swaps its set (the main process and its called stages) for an edited copy: 技术审查
renamed 专家评审, 安全和密码整改 taken out (a non-compliant table goes straight back to the two
reviews; a project parked at the rework is mapped back to its declaration), 招标后备案 given two
months after the tender instead of one, the regional review threshold raised from 500万 to
1000万. Projects parked at a user task, at a task with its deadline timer and at the removed
step move in a batch, with the stages they wait in, and walk to their end on the new set; a
project the plan cannot place is reported and left untouched. Both sets are the split set:
the edit is made in the stage files (review.bpmn, declaration.bpmn, construction.bpmn)."""

from datetime import UTC, datetime

from govflow.migration.worker import MigrationWorker

from tests.conftest import START
from tests.migration.edits import remove_task, rename, replace, set_deadline
from tests.migration.support import fetch, refuses_one_and_moves_the_other, timer_due, two_versions
from tests.scenarios.shizuishan.shizuishan_support import (
    APPROVAL,
    BARS_OK,
    BUILT,
    CRYPTO_OK,
    HUB,
    INSPECTION_OK,
    LIVE,
    OK,
    OM_FILING,
    PROCUREMENT,
    TECHNICAL_OK,
    TENANT,
    TENDER_FILING,
    UNIT,
    complete,
    declaration,
    declared,
    ended,
    keys,
    reviewed,
    secured,
    signed_off,
    start,
    year_ends,
)
from tests.support import api
from tests.support.api import API, history, token
from tests.support.bundled import bundled

# The tasks live in the called stages (review.bpmn, declaration.bpmn): the map names their
# processes. Both sets are the split set (main process and stages), before and after the edit.
MAPPING = {"shizuishan_review": {"technical_review": "expert_review"},
           "shizuishan_declaration": {"security_crypto_rectification": "declare"}}
TENANT_ADMIN = token("sz_admin", TENANT, (), admin=True)


def edited() -> dict[str, bytes]:
    files = dict(bundled(TENANT))
    files["review.bpmn"] = rename(files["review.bpmn"], "technical_review", "expert_review")
    files["declaration.bpmn"] = remove_task(files["declaration.bpmn"],
                                            "security_crypto_rectification")
    files["construction.bpmn"] = set_deadline(files["construction.bpmn"], "tender_filing",
                                              "P1M@tender_completed_on",
                                              "P2M@tender_completed_on")
    files["regional_review_required.dmn"] = replace(replace(
        files["regional_review_required.dmn"], "&lt; 500<", "&lt; 1000<"),
        "&gt;= 500<", "&gt;= 1000<")
    return files


async def sets(client) -> tuple[int, int]:
    return await two_versions(client, TENANT, bundled(TENANT), edited())


async def parked(client) -> dict[str, dict]:
    at_declare = await start(client)
    technical = await complete(client, await declared(client), "intake_review", BARS_OK, HUB)
    assert keys(technical) == ["technical_review"]
    rework = await complete(client, await start(client), "declare", declaration(), UNIT)
    rework = await secured(client, rework, crypto=CRYPTO_OK | {"crypto_result": "non_compliant"})
    assert keys(rework) == ["security_crypto_rectification"]
    tender = await complete(client, await reviewed(client), "approval", OK, APPROVAL)
    tender = await complete(client, tender, "procurement", PROCUREMENT, UNIT)
    assert keys(tender) == ["tender_filing"]  # with its deadline timer on the boundary
    return {"declare": at_declare, "technical": technical, "rework": rework,
            "tender": tender}


async def to_the_end(client, ctx, instance: dict, since: str = "approval") -> dict:
    """From ``since`` through the three bodies' acceptance and going live to the O&M filing
    of the budget year: accepted."""
    walk = [("approval", OK, APPROVAL), ("procurement", PROCUREMENT, UNIT),
            ("tender_filing", TENDER_FILING, UNIT), ("implementation", BUILT, UNIT),
            ("inspection", INSPECTION_OK, HUB), ("initial_acceptance", OK, UNIT)]
    at = [k for k, _, _ in walk].index(since)
    for key, data, who in walk[at:]:
        instance = await complete(client, instance, key, data, who)
    instance = await signed_off(client, instance)
    instance = await complete(client, instance, "go_live", LIVE, UNIT)
    instance = await year_ends(client, ctx, instance, 2026)
    ended(await complete(client, instance, "om_filing", OM_FILING, UNIT), "accepted")
    ctx.clock.set(START)  # the other parked projects go on from where they were
    return instance


async def test_every_kind_of_wait_moves_and_walks_to_its_end_on_the_new_set(client, ctx):
    old, new = await sets(client)
    projects = await parked(client)
    assert projects["tender"]["ready_tasks"][0]["due_at"] == "2026-04-02T15:59:59.999999Z"
    tender_due = await timer_due(ctx, projects["tender"]["id"])
    assert tender_due == [datetime(2026, 4, 2, 15, 59, 59, 999999, tzinfo=UTC)]

    plan = {"target_set_id": new, "element_map": MAPPING, "due_dates": "recompute"}
    dry = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                            json=plan | {"dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["totals"]["movable"] == 4
    moves = {i["instance_id"]: i["moves"] for i in dry.json()["items"]}
    assert {(m["kind"], m["element_id"], m["target_id"])
            for m in moves[projects["rework"]["id"]]} == {
        ("call_activity", "declaration", "declaration"),  # the stage it waits in
        ("user_task", "security_crypto_rectification", "declare")}
    assert (await fetch(client, projects["technical"]))["diagram_set_id"] == old  # dry run

    response = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                                 json=plan)
    assert response.status_code == 202, response.text
    batch = response.json()
    await MigrationWorker(ctx).drain()
    done = (await client.get(f"{API}/tenants/{TENANT}/migrations/{batch['id']}",
                             headers=TENANT_ADMIN)).json()
    assert done["totals"] == {"total": 4, "done": 4, "refused": 0, "failed": 0, "remaining": 0}
    # the stages the projects wait in move with the tasks inside them, and the review's
    # REJECTED catch with its call activity
    assert {(m["kind"], m["element_id"]) for i in done["items"] for m in i["moves"]
            if m["kind"] in ("call_activity", "event")} == {
        ("call_activity", "declaration"), ("call_activity", "review"),
        ("call_activity", "construction"), ("event", "review_rejected")}
    assert {m["kind"] for i in done["items"] for m in i["moves"]} == {
        "call_activity", "event", "user_task", "timer"}

    # the moved deadline: task and boundary timer recomputed, two months after the tender
    # (May 2 is in the Labour Day holiday: the next working day, May 6)
    tender = await fetch(client, projects["tender"])
    assert tender["ready_tasks"][0]["due_at"] == "2026-05-06T15:59:59.999999Z"
    assert await timer_due(ctx, projects["tender"]["id"]) == [
        datetime(2026, 5, 6, 15, 59, 59, 999999, tzinfo=UTC)]
    await to_the_end(client, ctx, tender, "tender_filing")

    # the renamed review; 800万 no longer needs the regional review (threshold 1000万)
    technical = await fetch(client, projects["technical"])
    assert technical["diagram_set_id"] == new
    assert keys(technical) == ["expert_review"]
    technical = await api.complete(client, technical, "expert_review", TECHNICAL_OK, HUB)
    assert keys(technical) == ["approval"]
    assert technical["variables"]["regional_review_required"] is False
    await to_the_end(client, ctx, technical)

    # the user task: declared on the new set, it meets the renamed review
    declare = await complete(client, await fetch(client, projects["declare"]), "declare",
                             declaration(), UNIT)
    declare = await complete(client, await secured(client, declare), "intake_review", BARS_OK,
                             HUB)
    declare = await api.complete(client, declare, "expert_review", TECHNICAL_OK, HUB)
    await to_the_end(client, ctx, declare)

    # the removed rework step: the project is back at its declaration, then both reviews
    rework = await fetch(client, projects["rework"])
    assert keys(rework) == ["declare"]
    rework = await secured(client, await complete(client, rework, "declare", declaration(), UNIT))
    rework = await complete(client, rework, "intake_review", BARS_OK, HUB)
    rework = await api.complete(client, rework, "expert_review", TECHNICAL_OK, HUB)
    await to_the_end(client, ctx, rework)

    events = await history(client, projects["tender"]["id"])
    migrated = next(e for e in events if e["event"] == "migrated")
    assert migrated["data"]["batch_id"] == batch["id"]
    assert (migrated["data"]["source_set_id"], migrated["data"]["target_set_id"]) == (old, new)


async def test_a_project_the_plan_cannot_place_is_refused_and_left_untouched(client, ctx):
    _, new = await sets(client)
    technical = await complete(client, await declared(client), "intake_review", BARS_OK, HUB)
    at_declare = await start(client)
    plan = {"target_set_id": new, "element_map": {"shizuishan_project": {}}}
    await refuses_one_and_moves_the_other(client, ctx, TENANT, TENANT_ADMIN, plan,
                                          technical["id"], "technical_review", at_declare)
