"""招远 swaps its set for an edited copy: 专家初审 renamed, 办理批准手续 taken out (its projects go on
to 采购), 审核调整申请 renamed inside the called 项目调整 process, the declaration window and the
joint review's deadline moved, a DMN rule's annotation reworded. Projects parked at every kind
of wait (a user task, a timer, a message wait behind an event gateway, a call activity's child)
move and then walk to their end on the new set; one instance moves on its own."""

from datetime import UTC, datetime

from govflow.migration.worker import MigrationWorker
from govflow.timers.worker import Worker

from tests.migration.edits import remove_task, rename, replace, set_deadline
from tests.migration.support import timer_due, two_versions
from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    ACCEPTANCE_OK,
    APPROVAL,
    EXPERT,
    EXPERT_OK,
    FILED,
    GOVERNMENT,
    HUB,
    IN_WINDOW,
    MATERIALS,
    NO,
    OK,
    OM_FILED,
    PROCURED,
    SECURITY_OK,
    TENANT,
    TENANT_ADMIN,
    UNIT,
    begin,
    building,
    complete,
    keys,
    message,
    reviewed,
    state,
    step,
)
from tests.support.api import API, history, snapshot
from tests.support.bundled import bundled

MAPPING = {"zhaoyuan_project": {"expert_review": "expert_assessment",
                                "approval_permit": "procurement"},
           "change_process": {"change_review": "change_assessment"}}
CHANGE = {"goal_changed": False, "site_changed": False, "budget_changed": True,
          "content_changed": True, "schedule_changed": False,
          "change_description": "增加移动端，预算相应调整", "contract_amount": 110,
          "change_amount": 20, "total_after_change": 130}
CHANGE_REVIEW = {"major_change": False, "no_overrun_top_up": True}


def edited() -> dict[str, bytes]:
    files = dict(bundled(TENANT))
    main = rename(files["zhaoyuan_project.bpmn"], "expert_review", "expert_assessment")
    main = remove_task(main, "approval_permit")
    main = set_deadline(main, "joint_review", "--09-30@plan_year-1", "--10-15@plan_year-1")
    files["zhaoyuan_project.bpmn"] = replace(
        main, '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">--06-30@plan_year-1<',
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">--06-20@plan_year-1<')
    files["change_request.bpmn"] = rename(files["change_request.bpmn"], "change_review",
                                          "change_assessment")
    files["route.dmn"] = replace(files["route.dmn"], "涉及国家秘密的项目按有关规定办理",
                                 "涉密项目按保密规定办理")
    return files


async def sets(client) -> tuple[int, int]:
    return await two_versions(client, TENANT, bundled(TENANT), edited(), name="招远市")


async def parked(client, ctx) -> dict[str, dict]:
    window = await begin(client, "ZY-WINDOW")  # 2026-03-02: waits for the window (timer)
    assert window["ready_tasks"] == []
    ctx.clock.set(IN_WINDOW)
    declare = await begin(client, "ZY-DECLARE")
    expert = await complete(client, await begin(client, "ZY-EXPERT"), "declare", MATERIALS,
                            UNIT)
    assert keys(expert) == ["expert_review"]
    joint = await complete(client, expert, "expert_review", EXPERT_OK, EXPERT)
    assert keys(joint) == ["joint_review", "joint_review"]  # hub and finance sign (第九条)
    expert = await complete(client, await begin(client, "ZY-EXPERT2"), "declare", MATERIALS,
                            UNIT)
    plan_wait = await reviewed(client, "ZY-PLAN")
    permit = await reviewed(client, "ZY-PERMIT", gov_investment=True)
    permit = await message(client, permit, "annual_plan_approved")
    permit = await complete(client, permit, "government_consent", OK, GOVERNMENT)
    permit = await complete(client, permit, "approval", OK | {"approved_investment": 115},
                            APPROVAL)
    assert keys(permit) == ["approval_permit"]
    child = await step(client, await building(client, "ZY-CHANGE"), "change_request")
    child = await complete(client, child, "change_request", CHANGE, UNIT)
    assert keys(child) == ["change_review"]
    return {"window": window, "declare": declare, "joint": joint, "expert": expert,
            "plan": plan_wait, "permit": permit, "change": child}


async def finish(client, instance: dict) -> dict:
    """From implementation to the O&M filing: accepted."""
    instance = await step(client, instance, "completed")
    instance = await complete(client, instance, "security_crypto_review", SECURITY_OK, UNIT)
    instance = await complete(client, instance, "final_acceptance", ACCEPTANCE_OK, HUB)
    instance = await complete(client, instance, "om_filing", OM_FILED, UNIT)
    assert (instance["state"], instance["outcome"]) == ("completed", "accepted")
    return instance


async def test_every_kind_of_wait_moves_and_walks_to_its_end_on_the_new_set(client, ctx):
    old, new = await sets(client)
    projects = await parked(client, ctx)
    joint_due = projects["joint"]["ready_tasks"][0]["due_at"]
    assert joint_due == "2026-09-30T15:59:59.999999Z"
    window_due = await timer_due(ctx, projects["window"]["id"])

    response = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                                 json={"target_set_id": new, "element_map": MAPPING,
                                       "due_dates": "recompute"})
    assert response.status_code == 202, response.text
    batch = response.json()
    assert batch["totals"]["remaining"] == 7
    await MigrationWorker(ctx).drain()
    done = (await client.get(f"{API}/tenants/{TENANT}/migrations/{batch['id']}",
                             headers=TENANT_ADMIN)).json()
    assert done["totals"] == {"total": 7, "done": 7, "refused": 0, "failed": 0, "remaining": 0}
    kinds = {m["kind"] for i in done["items"] for m in i["moves"]}
    assert kinds == {"user_task", "timer", "event_gateway", "call_activity", "event",
                     "other"}, [
        (m["element_id"], m["kind"]) for i in done["items"] for m in i["moves"]]
    # the change request runs two calls deep (项目建设 → 项目调整): both call activities move,
    # and the termination caught on 项目建设 (第二十四条) waits with them
    assert {m["element_id"] for i in done["items"] for m in i["moves"]
            if m["kind"] in ("call_activity", "event")} == {"construction", "change",
                                                             "project_terminated"}
    # "other": the joint review's multi-instance activity around its two signatures (第九条)
    assert {m["element_id"] for i in done["items"] for m in i["moves"]
            if m["kind"] == "other"} == {"joint_review"}

    # the timer: its deadline moved to June 20 and was recomputed
    assert window_due == [datetime(2026, 6, 30, 15, 59, 59, 999999, tzinfo=UTC)]
    assert await timer_due(ctx, projects["window"]["id"]) == [
        datetime(2026, 6, 20, 15, 59, 59, 999999, tzinfo=UTC)]
    ctx.clock.set(datetime(2026, 6, 21, 1, tzinfo=UTC))
    await Worker(ctx, "test").fire_due()
    window = await state(client, projects["window"])
    assert keys(window) == ["declare"]
    window = await complete(client, window, "declare", MATERIALS, UNIT)
    assert keys(window) == ["expert_assessment"]  # the renamed task, on the new set
    window = await complete(client, window, "expert_assessment", EXPERT_OK | NO, EXPERT)
    assert (window["state"], window["outcome"]) == ("completed", "rejected")
    ctx.clock.set(IN_WINDOW)

    # user tasks: renamed in place, and the deadline recomputed from the task's creation
    expert = await state(client, projects["expert"])
    assert expert["diagram_set_id"] == new
    assert keys(expert) == ["expert_assessment"]
    expert = await complete(client, expert, "expert_assessment", EXPERT_OK | NO, EXPERT)
    assert expert["state"] == "completed"
    joint = await state(client, projects["joint"])
    assert joint["ready_tasks"][0]["due_at"] == "2026-10-15T15:59:59.999999Z"
    declare = await state(client, projects["declare"])
    declare = await complete(client, declare, "declare", MATERIALS, UNIT)
    assert keys(declare) == ["expert_assessment"]

    # the message wait behind the event gateway
    plan_wait = await message(client, projects["plan"], "not_in_plan")
    assert (plan_wait["state"], plan_wait["outcome"]) == ("completed", "not_in_plan")

    # the removed task: its project goes on at procurement
    permit = await state(client, projects["permit"])
    assert keys(permit) == ["procurement"]
    permit = await complete(client, permit, "procurement", PROCURED, UNIT)
    permit = await complete(client, permit, "contract_filing", FILED, UNIT)
    await finish(client, permit)

    # the called process's child: the renamed review, then back in the parent
    change = await state(client, projects["change"])
    assert [(t["key"], t["process_id"]) for t in change["ready_tasks"]] == [
        ("change_assessment", "change_process")]
    change = await complete(client, change, "change_assessment", NO | CHANGE_REVIEW, HUB)
    assert keys(change) == ["implementation"]
    await finish(client, change)

    events = await history(client, projects["change"]["id"])
    migrated = next(e for e in events if e["event"] == "migrated")
    assert migrated["data"]["batch_id"] == batch["id"]
    assert (migrated["data"]["source_set_id"], migrated["data"]["target_set_id"]) == (old, new)


async def test_one_instance_moves_on_its_own_and_a_dry_run_changes_nothing(client, ctx):
    _, new = await sets(client)
    ctx.clock.set(IN_WINDOW)
    instance = await complete(client, await begin(client, "ZY-ONE"), "declare", MATERIALS, UNIT)
    other = await complete(client, await begin(client, "ZY-OTHER"), "declare", MATERIALS, UNIT)
    url = f"{API}/process-instances/{instance['id']}/migrate"
    before = await snapshot(client, instance["id"])

    dry = await client.post(url, headers=TENANT_ADMIN, json={
        "target_set_id": new, "element_map": MAPPING, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert [(m["element_id"], m["target_id"]) for m in dry.json()["moves"]] == [
        ("expert_review", "expert_assessment")]
    assert await snapshot(client, instance["id"]) == before

    refused = await client.post(url, headers=TENANT_ADMIN, json={"target_set_id": new})
    assert refused.status_code == 409
    assert "expert_review" in refused.json()["detail"]
    assert await snapshot(client, instance["id"]) == before

    # renaming a variable the target's start form requires leaves the data short: refused
    short = await client.post(url, headers=TENANT_ADMIN, json={
        "target_set_id": new, "element_map": MAPPING, "variable_map": {"plan_year": "year"}})
    assert short.status_code == 409
    assert "requires variables the instance does not have: plan_year" in short.json()["detail"]
    assert await snapshot(client, instance["id"]) == before

    moved = await client.post(url, headers=TENANT_ADMIN, json={
        "target_set_id": new, "element_map": MAPPING,
        "variable_map": {"application_document": "application_doc"}})
    assert moved.status_code == 200, moved.text
    now = await state(client, instance)
    assert keys(now) == ["expert_assessment"]
    # the declaration's document, under its new name
    assert now["variables"]["application_doc"] == instance["variables"]["application_document"]
    assert "application_document" not in now["variables"]
    events = await history(client, instance["id"])
    assert events[-1]["event"] == "migrated"
    assert events[-1]["data"]["batch_id"] is None
    assert events[-1]["data"]["variables_renamed"] == {"application_document": "application_doc"}
    assert (await state(client, other))["diagram_set_id"] != new  # only the one
    again = await client.post(url, headers=TENANT_ADMIN, json={"target_set_id": new})
    assert again.status_code == 409  # already on the target set


async def test_the_diff_lists_renamed_removed_and_rescheduled_elements(client):
    old, new = await sets(client)
    diff = (await client.get(f"{API}/tenants/{TENANT}/diagram-sets/{old}/diff/{new}",
                             headers=TENANT_ADMIN)).json()
    main = diff["processes"]["changed"]["zhaoyuan_project"]
    assert {e["id"] for e in main["elements"]["removed"]} == {"expert_review",
                                                              "approval_permit"}
    assert {e["id"] for e in main["elements"]["added"]} == {"expert_assessment"}
    assert ("joint_review", "--09-30@plan_year-1", "--10-15@plan_year-1") in {
        (c["id"], c["from"], c["to"]) for c in main["deadlines"]["changed"]}
    assert ("declaration_window", "--06-30@plan_year-1", "--06-20@plan_year-1") in {
        (c["id"], c["from"], c["to"]) for c in main["deadlines"]["changed"]}
    child = diff["processes"]["changed"]["change_process"]
    assert {e["id"] for e in child["elements"]["added"]} == {"change_assessment"}
    rule = diff["decisions"]["changed"]["route"]["rules"]["changed"][0]
    assert rule["to"]["annotation"].startswith("招远 第二十六条: 涉密项目")
