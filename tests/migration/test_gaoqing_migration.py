"""高青 swaps its set for an edited copy: 书面评审 renamed 案头评审, 采购文件编制 taken out (its
projects go on to 采购文件审核), the joint review's deadline moved from November 30 to
December 15, the on-site review threshold lowered from 100万 to 60万. Projects parked at a user
task (with its deadline timer), at the trial run's timer, at the annual plan's message wait
and at the removed step move in a batch, with the stages they wait in, and walk to their end on
the new set; a project the plan cannot place is reported and left untouched. Both sets are the
split set (the main process and its called stages): the edits are made in the stage files
(review.bpmn, procurement.bpmn)."""

from datetime import UTC, datetime

from govflow.migration.worker import MigrationWorker
from govflow.timers.worker import Worker

from tests.migration.edits import remove_task, rename, replace, set_deadline
from tests.migration.support import fetch, refuses_one_and_moves_the_other, timer_due, two_versions
from tests.scenarios.gaoqing.gaoqing_support import (
    ACCEPTED,
    APPLICATION,
    COMPLETED,
    DECLARATION,
    EVALUATION,
    FUND_OK,
    INITIAL_PASSED,
    JOINT_OK,
    ONSITE_OK,
    PROCUREMENT,
    SETTLEMENT,
    TASKS,
    TENANT,
    TENANT_ADMIN,
    WHO,
    WRITTEN_OK,
    begin,
    complete,
    in_construction,
    keys,
    message,
    reviewed,
    step,
)
from tests.support.api import API, history, ready
from tests.support.bundled import bundled

# The tasks live in the called stages: the map names their processes.
MAPPING = {"gaoqing_review": {"written_review": "desk_review"},
           "gaoqing_procurement": {"procurement_documents": "procurement_review"}}
NO = {"approved": False, "opinion": "不同意"}


def edited() -> dict[str, bytes]:
    files = dict(bundled(TENANT))
    review = rename(files["review.bpmn"], "written_review", "desk_review")
    files["review.bpmn"] = set_deadline(review, "joint_review", "--11-30@declaration_year",
                                        "--12-15@declaration_year")
    files["procurement.bpmn"] = remove_task(files["procurement.bpmn"], "procurement_documents")
    files["review_mode.dmn"] = replace(replace(files["review_mode.dmn"], "&lt; 100<",
                                               "&lt; 60<"), "&gt;= 100<", "&gt;= 60<")
    return files


async def sets(client) -> tuple[int, int]:
    return await two_versions(client, TENANT, bundled(TENANT), edited())


async def go(client, instance: dict, key: str, data: dict) -> dict:
    """Complete a task as a user of its lane (renamed tasks: as the old one's)."""
    lane = TASKS["written_review" if key == "desk_review" else key][0]
    return await complete(client, instance, key, data, WHO[lane])


async def parked(client) -> dict[str, dict]:
    declare = await begin(client, "GQ-DECLARE")
    written = await step(client, await begin(client, "GQ-WRITTEN"), "declare", DECLARATION)
    assert keys(written) == ["written_review"]
    joint = await step(client, await begin(client, "GQ-JOINT"), "declare", DECLARATION)
    joint = await step(client, joint, "written_review", WRITTEN_OK)
    assert keys(joint) == ["fund_review", "joint_review"]  # 三(二)2: both bodies sign
    plan = await reviewed(client, "GQ-PLAN")
    documents = await reviewed(client, "GQ-DOCUMENTS")
    documents = await message(client, documents, "annual_plan_approved")
    assert keys(documents) == ["procurement_documents"]
    trial = await in_construction(client, "GQ-TRIAL",
                                  declaration=DECLARATION | {"new_software": True})
    trial = await step(client, trial, "implementation", COMPLETED)
    assert trial["ready_tasks"] == []  # at the trial run's timer
    return {"declare": declare, "written": written, "joint": joint, "plan": plan,
            "documents": documents, "trial": trial}


async def accepted(client, instance: dict) -> dict:
    """From the initial acceptance to the end: accepted."""
    for key, data in (("initial_acceptance", INITIAL_PASSED),
                      ("acceptance_application", APPLICATION),
                      ("final_acceptance", ACCEPTED), ("settlement_review", SETTLEMENT),
                      ("performance_evaluation", EVALUATION)):
        instance = await go(client, instance, key, data)
    assert (instance["state"], instance["outcome"]) == ("completed", "accepted")
    return instance


async def test_every_kind_of_wait_moves_and_walks_to_its_end_on_the_new_set(client, ctx):
    old, new = await sets(client)
    projects = await parked(client)
    assert ready(projects["joint"], "joint_review")["due_at"] == "2026-11-30T15:59:59.999999Z"
    trial_due = await timer_due(ctx, projects["trial"]["id"])
    assert trial_due == [datetime(2026, 6, 2, 15, 59, 59, 999999, tzinfo=UTC)]

    dry = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                            json={"target_set_id": new, "element_map": MAPPING,
                                  "due_dates": "recompute", "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["totals"]["movable"] == 6
    moves = {i["business_key"]: i["moves"] for i in dry.json()["items"]}
    assert {(m["kind"], m["element_id"], m["target_id"]) for m in moves["GQ-DOCUMENTS"]} == {
        ("call_activity", "contracting", "contracting"),  # the stage it waits in
        ("user_task", "procurement_documents", "procurement_review")}
    assert (await fetch(client, projects["written"]))["diagram_set_id"] == old  # dry run

    response = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                                 json={"target_set_id": new, "element_map": MAPPING,
                                       "due_dates": "recompute"})
    assert response.status_code == 202, response.text
    batch = response.json()
    await MigrationWorker(ctx).drain()
    done = (await client.get(f"{API}/tenants/{TENANT}/migrations/{batch['id']}",
                             headers=TENANT_ADMIN)).json()
    assert done["totals"] == {"total": 6, "done": 6, "refused": 0, "failed": 0, "remaining": 0}
    kinds = {m["kind"] for i in done["items"] for m in i["moves"]}
    # a stage waits at its call activity, with the error boundary that catches its rejection
    assert kinds == {"user_task", "timer", "event_gateway", "call_activity", "event"}

    # the user task at its deadline timer: renamed, and walks to its end
    written = await fetch(client, projects["written"])
    assert written["diagram_set_id"] == new
    assert keys(written) == ["desk_review"]
    written = await go(client, written, "desk_review", WRITTEN_OK)
    written = await go(client, written, "joint_review", JOINT_OK | NO)
    written = await go(client, written, "fund_review", FUND_OK)
    assert (written["state"], written["outcome"]) == ("completed", "rejected")

    # the moved deadline, recomputed
    joint = await fetch(client, projects["joint"])
    assert ready(joint, "joint_review")["due_at"] == "2026-12-15T15:59:59.999999Z"
    assert ready(joint, "fund_review")["due_at"] == "2026-11-30T15:59:59.999999Z"
    joint = await go(client, joint, "joint_review", JOINT_OK | NO)
    joint = await go(client, joint, "fund_review", FUND_OK)
    assert joint["outcome"] == "rejected"

    # the new threshold: 80万 now gets the on-site review
    declare = await go(client, await fetch(client, projects["declare"]), "declare",
                       DECLARATION)
    assert keys(declare) == ["onsite_review"]
    declare = await go(client, declare, "onsite_review", ONSITE_OK)
    declare = await go(client, declare, "joint_review", JOINT_OK | NO)
    declare = await go(client, declare, "fund_review", FUND_OK)
    assert declare["state"] == "completed"

    # the message wait behind the event gateway
    plan = await message(client, projects["plan"], "not_in_plan")
    assert (plan["state"], plan["outcome"]) == ("completed", "not_in_plan")

    # the removed step: the project goes on at the documents' review
    documents = await fetch(client, projects["documents"])
    assert keys(documents) == ["procurement_review"]
    documents = await go(client, documents, "procurement_review",
                         {"approved": True, "opinion": "同意", "consistent_with_plan": True,
                          "in_annual_plan": True})
    documents = await go(client, documents, "procurement", PROCUREMENT)
    documents = await go(client, documents, "implementation", COMPLETED)
    await accepted(client, documents)

    # the trial run's timer moved with its project and fires on the new set
    assert await timer_due(ctx, projects["trial"]["id"]) == trial_due
    ctx.clock.set(datetime(2026, 6, 3, 1, tzinfo=UTC))
    await Worker(ctx, "test").fire_due()
    trial = await fetch(client, projects["trial"])
    assert keys(trial) == ["initial_acceptance"]
    await accepted(client, trial)

    events = await history(client, projects["trial"]["id"])
    migrated = next(e for e in events if e["event"] == "migrated")
    assert migrated["data"]["batch_id"] == batch["id"]
    assert (migrated["data"]["source_set_id"], migrated["data"]["target_set_id"]) == (old, new)


async def test_a_project_the_plan_cannot_place_is_refused_and_left_untouched(client, ctx):
    _, new = await sets(client)
    written = await step(client, await begin(client, "GQ-WRITTEN"), "declare", DECLARATION)
    declare = await begin(client, "GQ-DECLARE")
    plan = {"target_set_id": new, "element_map": {"gaoqing_project": {}}}
    await refuses_one_and_moves_the_other(client, ctx, TENANT, TENANT_ADMIN, plan,
                                          written["id"], "written_review", declare)
