"""河源 swaps its set for an edited copy: 初步审核 renamed (with its deadline's boundary), 公开采购
taken out (its projects go to 采购), 资金审核 given 15 working days instead of 12, the filing
threshold raised from 50万 to 80万. Running projects are moved in a batch the worker runs,
then walk to their end on the new set; a crash mid-batch resumes; a rollback restores."""

import pytest
from govflow.engine import migration as engine_migration
from govflow.migration.worker import MigrationWorker

from tests.conftest import deploy
from tests.migration.edits import remove_task, rename, replace, set_deadline
from tests.migration.support import two_versions
from tests.scenarios.heyuan.heyuan_support import (
    ACCEPTED,
    APPROVAL_OK,
    ARCHIVE_OK,
    DECLARATION,
    FINANCE_ACCEPTED,
    FUND_OK,
    HUB,
    INITIAL_OK,
    OK,
    TENANT,
    UNIT,
    begin,
    fetch,
    keys,
)
from tests.scenarios.heyuan.heyuan_support import (
    complete_with_documents as complete,
)
from tests.support.api import ADMIN, API, history, snapshot, token
from tests.support.bundled import bundled

# 初步审核 lives in the 立项 stage, the two procurements in the 采购 stage (each a process
# the main one calls): a plan maps each stage's own elements.
MAPPING = {"heyuan_approval": {"initial_review": "preliminary_review"},
           "heyuan_procurement": {"public_procurement": "procurement"}}
PROCURED = {"procurement_result": "公开招标，中标单位：某公司", "contracts_signed": True}
FINANCE = token("finance_user", TENANT, ("finance",))
TENANT_ADMIN = token("hy_admin", TENANT, (), admin=True)


def edited() -> dict[str, bytes]:
    files = dict(bundled(TENANT))
    approval = rename(files["approval.bpmn"], "initial_review", "preliminary_review")
    files["approval.bpmn"] = set_deadline(approval, "fund_review", "12WD", "15WD")
    files["procurement.bpmn"] = remove_task(files["procurement.bpmn"], "public_procurement")
    files["route.dmn"] = replace(replace(files["route.dmn"], "&lt;= 50<", "&lt;= 80<"),
                                 "&gt; 50<", "&gt; 80<")
    return files


async def sets(client) -> tuple[int, int]:
    return await two_versions(client, TENANT, bundled(TENANT), edited())


async def parked(client) -> dict[str, dict]:
    """One project at each kind of wait this set has: a user task; the initial review and
    the fund review that follows it (第十一条), each with a deadline timer on its boundary;
    the procurement step the new set drops."""
    at_declare = await begin(client, "HY-DECLARE", amount=120)
    reviews = await begin(client, "HY-REVIEWS", amount=120)
    reviews = await complete(client, reviews, "declare", DECLARATION, UNIT)
    assert keys(reviews) == ["initial_review"]
    funds = await begin(client, "HY-FUNDS", amount=120)
    funds = await complete(client, funds, "declare", DECLARATION, UNIT)
    funds = await complete(client, funds, "initial_review", INITIAL_OK, HUB)
    assert keys(funds) == ["fund_review"]
    public = await begin(client, "HY-PUBLIC", amount=120, project_class="public")
    public = await complete(client, public, "declare", DECLARATION, UNIT)
    public = await complete(client, public, "initial_review", INITIAL_OK, HUB)
    public = await complete(client, public, "fund_review", FUND_OK, FINANCE)
    public = await complete(client, public, "approval", APPROVAL_OK, HUB)
    assert keys(public) == ["public_procurement"]
    return {"declare": at_declare, "reviews": reviews, "funds": funds, "public": public}


async def run_batch(client, ctx, target: int, **plan) -> dict:
    response = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                                 json={"target_set_id": target, "element_map": MAPPING} | plan)
    assert response.status_code == 202, response.text
    batch = response.json()
    await MigrationWorker(ctx).drain()
    return await status(client, batch["id"])


async def status(client, batch_id: str) -> dict:
    response = await client.get(f"{API}/tenants/{TENANT}/migrations/{batch_id}",
                                headers=TENANT_ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_batch_moves_every_wait_and_each_project_ends_on_the_new_set(client, ctx):
    old, new = await sets(client)
    projects = await parked(client)
    reviews_before = await fetch(client, projects["reviews"])
    funds_before = await fetch(client, projects["funds"])
    fund_task = next(t for t in funds_before["ready_tasks"] if t["key"] == "fund_review")
    claim = await client.post(f"{API}/tasks/{fund_task['id']}/claim", headers=FINANCE)
    assert claim.status_code == 200, claim.text

    done = await run_batch(client, ctx, new, due_dates="recompute")
    assert done["state"] == "done"
    assert done["totals"] == {"total": 4, "done": 4, "refused": 0, "failed": 0, "remaining": 0}
    by_key = {i["business_key"]: i for i in done["items"]}
    # the stage's task moves, and the main process's call activity waiting for it stays
    assert {(m["element_id"], m["target_id"]) for m in by_key["HY-PUBLIC"]["moves"]} == {
        ("public_procurement", "procurement"), ("procurement_stage", "procurement_stage")}

    # the renamed review keeps its id; the claimed fund review keeps its assignee, and its
    # due date follows the new 15 working days (recomputed from its creation)
    reviews = await fetch(client, projects["reviews"])
    assert reviews["diagram_set_id"] == new
    assert keys(reviews) == ["preliminary_review"]
    ids = {t["key"]: t["id"] for t in reviews["ready_tasks"]}
    before = {t["key"]: t for t in reviews_before["ready_tasks"]}
    assert ids["preliminary_review"] == before["initial_review"]["id"]
    funds = await fetch(client, projects["funds"])
    fund = next(t for t in funds["ready_tasks"] if t["key"] == "fund_review")
    assert fund["id"] == fund_task["id"]
    assert fund["assignee"] == "finance_user"
    assert fund["due_at"] == "2026-03-23T15:59:59.999999Z"  # 15WD from 2026-03-02
    events = await history(client, funds["id"])
    migrated = [e for e in events if e["event"] == "migrated"]
    assert len(migrated) == 1
    assert migrated[0]["data"]["batch_id"] == done["id"]
    assert (migrated[0]["data"]["source_set_id"], migrated[0]["data"]["target_set_id"]) == (
        old, new)

    # each walks to its end on the new set
    reviews = await complete(client, reviews, "preliminary_review", INITIAL_OK, HUB)
    reviews = await complete(client, reviews, "fund_review", FUND_OK, FINANCE)
    funds = await complete(client, funds, "fund_review", FUND_OK, FINANCE)
    assert keys(funds) == ["approval"]
    reviews = await complete(client, reviews, "approval",
                             APPROVAL_OK | {"approved": False, "opinion": "不同意"}, HUB)
    assert (reviews["state"], reviews["outcome"]) == ("completed", "rejected")

    at_declare = await fetch(client, projects["declare"])
    at_declare = await complete(client, at_declare, "declare", DECLARATION, UNIT)
    assert keys(at_declare) == ["preliminary_review"]

    public = await fetch(client, projects["public"])
    assert keys(public) == ["procurement"]
    for key, data, who in (
            ("procurement", PROCURED, UNIT),
            ("implementation", {"next_step": "completed"}, UNIT),
            ("initial_acceptance", OK, UNIT), ("archive_acceptance", ARCHIVE_OK, UNIT),
            ("conformity_review", OK, HUB),
            ("final_acceptance", ACCEPTED, UNIT),
            ("finance_acceptance", FINANCE_ACCEPTED, FINANCE),
            ("acceptance_filing", {"report_received": True, "post_evaluation": False}, HUB)):
        public = await complete(client, public, key, data, who)
    assert (public["state"], public["outcome"]) == ("completed", "accepted")

    # the new threshold decides new projects: 60万 is filed now
    filed = await begin(client, "HY-NEW-60", amount=60)
    assert filed["diagram_set_id"] == old  # the active set did not change by itself
    await client.put(f"{API}/tenants/{TENANT}/active-set", headers=ADMIN,
                     json={"diagram_set_id": new})
    filed = await begin(client, "HY-NEW-60b", amount=60)
    filed = await complete(client, filed, "declare", DECLARATION, UNIT)
    assert keys(filed) == ["filing_review"]


async def test_an_instance_the_plan_cannot_place_is_refused_and_left_untouched(client, ctx):
    _, new = await sets(client)
    projects = await parked(client)
    untouched = await snapshot(client, projects["public"]["id"])
    plan = {"target_set_id": new,
            "element_map": {"heyuan_approval": {"initial_review": "preliminary_review"}}}
    dry = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                            json=plan | {"dry_run": True})
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["totals"] == {"instances": 4, "checked": 4, "movable": 3, "refused": 1,
                                "warned": 1}
    refused = next(i for i in report["items"] if i["business_key"] == "HY-PUBLIC")
    assert refused["refusals"][0]["element_id"] == "public_procurement"
    assert "no mapping" in refused["refusals"][0]["reason"]
    # in the main process each waits at the 立项 stage's call activity, whose boundary
    # events (a refusal, each review's overdue report) wait with it
    calling = [("call_activity", "project_approval", "project_approval"),
               *(("event", e, e) for e in ("approval_overdue_caught", "approval_rejected_caught",
                                           "fund_review_overdue_caught",
                                           "initial_review_overdue_caught"))]
    moved = next(i for i in report["items"] if i["business_key"] == "HY-REVIEWS")
    assert sorted((m["kind"], m["element_id"], m["target_id"]) for m in moved["moves"]) == [
        *calling, ("timer", "initial_review_overdue", "initial_review_overdue"),
        ("user_task", "initial_review", "preliminary_review")]
    funds = next(i for i in report["items"] if i["business_key"] == "HY-FUNDS")
    assert sorted((m["kind"], m["element_id"], m["target_id"]) for m in funds["moves"]) == [
        *calling, ("timer", "fund_review_overdue", "fund_review_overdue"),
        ("user_task", "fund_review", "fund_review")]
    assert funds["warnings"] == [
        "task 'fund_review' has deadline '15WD' (was '12WD'): its due date is kept"]
    assert await snapshot(client, projects["public"]["id"]) == untouched

    response = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                                 json=plan)
    await MigrationWorker(ctx).drain()
    done = await status(client, response.json()["id"])
    assert done["totals"] == {"total": 4, "done": 3, "refused": 1, "failed": 0, "remaining": 0}
    refused_item = next(i for i in done["items"] if i["state"] == "refused")
    assert refused_item["business_key"] == "HY-PUBLIC"
    assert await snapshot(client, projects["public"]["id"]) == untouched


class SimulatedCrash(BaseException):
    """The process dies mid-item (not an error the worker would record)."""


async def test_a_batch_interrupted_mid_way_resumes_where_it_stopped(client, ctx, monkeypatch):
    _, new = await sets(client)
    projects = await parked(client)
    response = await client.post(f"{API}/tenants/{TENANT}/migrations", headers=TENANT_ADMIN,
                                 json={"target_set_id": new, "element_map": MAPPING})
    batch_id = response.json()["id"]
    worker = MigrationWorker(ctx)
    assert await worker.step() == "migrated"

    real = engine_migration.migrate

    def crash(*args, **kwargs):
        real(*args, **kwargs)  # the engine work is done, nothing is committed yet
        raise SimulatedCrash

    monkeypatch.setattr(engine_migration, "migrate", crash)
    with pytest.raises(SimulatedCrash):
        await worker.step()
    halfway = await status(client, batch_id)
    assert halfway["state"] == "running"
    assert halfway["totals"] == {"total": 4, "done": 1, "refused": 0, "failed": 0,
                                 "remaining": 3}
    second = next(i for i in (await status(client, batch_id))["items"]
                  if i["seq"] == 1)
    instance = await fetch(client, {"id": second["instance_id"]})
    assert instance["diagram_set_id"] != new  # the crashed move left nothing behind

    monkeypatch.setattr(engine_migration, "migrate", real)
    assert await MigrationWorker(ctx).drain() == 3
    finished = await status(client, batch_id)
    assert finished["state"] == "done"
    assert finished["totals"]["done"] == 4
    for project in projects.values():
        assert (await fetch(client, project))["diagram_set_id"] == new


async def test_a_rolled_back_batch_puts_every_project_back_where_it_was(client, ctx):
    old, new = await sets(client)
    projects = await parked(client)
    before = {k: await fetch(client, p) for k, p in projects.items()}
    done = await run_batch(client, ctx, new)
    response = await client.post(f"{API}/tenants/{TENANT}/migrations/{done['id']}/rollback",
                                 headers=TENANT_ADMIN)
    assert response.status_code == 202, response.text
    back = response.json()
    assert back["rollback_of"] == done["id"]
    assert back["plan"]["element_map"] == {
        "heyuan_approval": {"preliminary_review": "initial_review"},
        "heyuan_procurement": {"procurement": "public_procurement"}}
    await MigrationWorker(ctx).drain()
    assert (await status(client, back["id"]))["totals"]["done"] == 4
    for key, project in projects.items():
        now = await fetch(client, project)
        assert now["diagram_set_id"] == old
        assert [(t["id"], t["key"], t["due_at"]) for t in now["ready_tasks"]] == [
            (t["id"], t["key"], t["due_at"]) for t in before[key]["ready_tasks"]], key
    again = await client.post(f"{API}/tenants/{TENANT}/migrations/{done['id']}/rollback",
                              headers=TENANT_ADMIN)
    assert again.status_code == 409
    # back on the old set, the old path: public procurement, then the end
    public = await fetch(client, projects["public"])
    public = await complete(client, public, "public_procurement", PROCURED, HUB)
    assert keys(public) == ["implementation"]


@pytest.mark.parametrize("who", ["stranger", "user"])
async def test_only_the_tenants_administrator_migrates(client, ctx, who):
    _, new = await sets(client)
    projects = await parked(client)
    headers = token("x", "other", (), admin=True) if who == "stranger" else UNIT
    expected = 404 if who == "stranger" else 403
    body = {"target_set_id": new, "element_map": MAPPING}
    for path, payload in (
            (f"/tenants/{TENANT}/migrations", body),
            (f"/tenants/{TENANT}/migrations", body | {"dry_run": True}),
            (f"/process-instances/{projects['declare']['id']}/migrate", body)):
        response = await client.post(API + path, headers=headers, json=payload)
        assert response.status_code == expected, (path, response.text)
    response = await client.get(f"{API}/tenants/{TENANT}/diagram-sets/1/diff/2",
                                headers=headers)
    assert response.status_code == expected
    assert await MigrationWorker(ctx).drain() == 0


async def test_bad_plans_are_refused_with_the_field_named(client):
    old, new = await sets(client)
    url = f"{API}/tenants/{TENANT}/migrations"
    cases = [
        ({"target_set_id": new, "element_map": {"heyuan_declaration": {"nope": "declare"}}},
         422, "body.element_map.heyuan_declaration.nope"),
        ({"target_set_id": new, "element_map": {"heyuan_declaration": {"declare": "nope"}}},
         422, "body.element_map.heyuan_declaration.declare"),
        ({"target_set_id": new, "element_map": {"elsewhere": {"a": "b"}}}, 422,
         "body.element_map.elsewhere"),
        ({"target_set_id": 999}, 422, "body.target_set_id"),
        ({"target_set_id": new, "variable_map": {"a b": "c"}}, 422, None),
        ({"target_set_id": new, "due_dates": "sometimes"}, 422, None),
        ({"target_set_id": old}, 409, None),
    ]
    for body, code, loc in cases:
        response = await client.post(url, headers=TENANT_ADMIN, json=body)
        assert response.status_code == code, (body, response.text)
        if loc:
            assert loc in {e["loc"] for e in response.json()["errors"]}, response.text
    big = {"target_set_id": new, "variable_map": {f"v{i}": f"w{i}" for i in range(600)}}
    assert (await client.post(url, headers=TENANT_ADMIN, json=big)).status_code == 422


async def test_the_diff_names_what_the_edited_set_changes(client):
    old, new = await sets(client)
    response = await client.get(f"{API}/tenants/{TENANT}/diagram-sets/{old}/diff/{new}",
                                headers=TENANT_ADMIN)
    assert response.status_code == 200, response.text
    diff = response.json()
    assert sorted(diff["processes"]["changed"]) == ["heyuan_approval", "heyuan_procurement",
                                                    "heyuan_project"]
    # the main process itself is unchanged; it lists the deadlines of the stages it calls
    main = diff["processes"]["changed"]["heyuan_project"]
    assert main["elements"] == main["flows"] == {"added": [], "removed": [], "changed": []}
    assert {(c["id"], c["from"], c["to"]) for c in main["deadlines"]["changed"]} == {
        ("fund_review", "12WD", "15WD"), ("fund_review_overdue", "12WD", "15WD")}
    approval = diff["processes"]["changed"]["heyuan_approval"]
    procurement = diff["processes"]["changed"]["heyuan_procurement"]
    assert {e["id"] for e in approval["elements"]["added"]} == {"preliminary_review"}
    assert {e["id"] for e in approval["elements"]["removed"]} == {"initial_review"}
    assert {e["id"] for e in procurement["elements"]["removed"]} == {"public_procurement"}
    assert {e["id"] for e in procurement["flows"]["removed"]} == {
        "Flow_public_procurement_procured"}
    assert {(c["id"], c["from"], c["to"]) for c in approval["deadlines"]["changed"]} == {
        ("fund_review", "12WD", "15WD"), ("fund_review_overdue", "12WD", "15WD")}
    rules = diff["decisions"]["changed"]["route"]["rules"]["changed"]
    assert [(r["from"]["inputs"], r["to"]["inputs"]) for r in rules] == [
        (["<= 50"], ["<= 80"]), (["> 50"], ["> 80"])]
    assert diff["processes"]["added"] == diff["processes"]["removed"] == []
    same = await client.get(f"{API}/tenants/{TENANT}/diagram-sets/{old}/diff/{old}",
                            headers=TENANT_ADMIN)
    assert same.json()["processes"]["changed"] == {}
    unknown = await client.get(f"{API}/tenants/{TENANT}/diagram-sets/{old}/diff/999",
                               headers=TENANT_ADMIN)
    assert unknown.status_code == 404
    elsewhere = await client.get(f"{API}/tenants/other/diagram-sets/{old}/diff/{new}",
                                 headers=ADMIN)
    assert elsewhere.status_code == 404


async def test_a_suspended_project_moves_and_stays_suspended(client, ctx):
    _, new = await sets(client)
    project = await begin(client, "HY-SUSPENDED", amount=120)
    url = f"{API}/process-instances/{project['id']}"
    assert (await client.post(f"{url}/suspend", headers=TENANT_ADMIN)).status_code == 200
    done = await run_batch(client, ctx, new)
    assert done["totals"]["done"] == 1
    moved = await fetch(client, project)
    assert (moved["state"], moved["diagram_set_id"]) == ("suspended", new)
    assert (await client.post(f"{url}/resume", headers=TENANT_ADMIN)).status_code == 200
    moved = await complete(client, await fetch(client, project), "declare", DECLARATION, UNIT)
    assert keys(moved) == ["preliminary_review"]


async def test_a_project_whose_move_fails_is_marked_failed_and_the_batch_goes_on(client, ctx):
    old = await deploy(client, TENANT, bundled(TENANT))
    files = dict(bundled(TENANT))
    # the new deadline counts from a date no running project has recorded yet
    files["approval.bpmn"] = set_deadline(files["approval.bpmn"], "fund_review",
                                          "12WD", "15WD@funds_requested_on")
    new = await deploy(client, TENANT, files)
    assert new.status_code == 201, new.text
    reviews = await complete(client, await begin(client, "HY-FAILS", amount=120), "declare",
                             DECLARATION, UNIT)
    reviews = await complete(client, reviews, "initial_review", INITIAL_OK, HUB)
    await begin(client, "HY-MOVES", amount=120)
    untouched = await snapshot(client, reviews["id"])
    url = f"{API}/process-instances/{reviews['id']}/migrate"
    refused = await client.post(url, headers=TENANT_ADMIN, json={
        "target_set_id": new.json()["id"], "due_dates": "recompute"})
    assert refused.status_code == 409, refused.text
    assert "funds_requested_on" in refused.json()["detail"]

    done = await run_batch(client, ctx, new.json()["id"], element_map={},
                           due_dates="recompute")
    assert done["totals"] == {"total": 2, "done": 1, "refused": 0, "failed": 1, "remaining": 0}
    failed = next(i for i in done["items"] if i["state"] == "failed")
    assert failed["business_key"] == "HY-FAILS"
    assert "funds_requested_on" in failed["error"]
    assert await snapshot(client, reviews["id"]) == untouched
    assert (await fetch(client, reviews))["diagram_set_id"] == old.json()["id"]
