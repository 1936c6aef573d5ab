"""石嘴山 deadlines and their escalation (第二十四条), with the clock moved by hand.

第十八条(一): each filing is due one month on: the tender filing one month after the tender
(the date ``procurement`` records as ``tender_completed_on``), the O&M fund filing one month
after the budget year ``plan_year`` ends. 第二十四条 限期整改: ``rectification`` is due on the
date the failed inspection set (``rectification_due``). When the due moment (24:00
Asia/Shanghai of the due day) passes, a non-interrupting boundary timer opens
``<task>_escalation`` for 市数据局; the overdue task stays open and the main path goes on. Every
expected date below is counted by hand on the State Council's arrangements: 2025 Spring
Festival Jan 28 – Feb 4 off (Jan 26, Feb 8 worked); 2026 Spring Festival Feb 15–23 off
(Feb 14, Feb 28 worked); 2026 National Day Oct 1–7 off (Sep 20, Oct 10 worked).
"""

from datetime import UTC, datetime, timedelta

import pytest
from govflow.timers.worker import Worker
from lxml import etree

from tests.conftest import deploy
from tests.scenarios.shizuishan.shizuishan_support import (
    CLAUSES,
    FINAL_OK,
    HUB,
    INSPECTION_FAILED,
    INSPECTION_OK,
    LANES,
    OM_FILING,
    PROCUREMENT,
    REPORT,
    TENANT,
    TENDER_FILING,
    UNIT,
    accepted,
    built,
    cleared,
    complete,
    ended,
    keys,
    only,
)
from tests.support.api import ADMIN, API, history
from tests.support.bundled import bundled

ESCALATED = {"measure": "urge", "opinion": "已督促项目建设单位限期备案"}


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT), name="石嘴山市")
    assert response.status_code == 201, response.text


async def fetch(client, instance: dict) -> dict:
    response = await client.get(f"{API}/process-instances/{instance['id']}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def passed(client, instance: dict) -> list[dict]:
    return [e for e in await history(client, instance["id"]) if e["event"] == "deadline_passed"]


def today(at: datetime) -> str:
    """The day of ``at`` in Asia/Shanghai (UTC+8, no daylight saving), as a form's date."""
    return (at + timedelta(hours=8)).date().isoformat()


def task_of(instance: dict, key: str) -> dict:
    found = [t for t in instance["ready_tasks"] if t["key"] == key]
    assert len(found) == 1, keys(instance)
    return found[0]


async def finish(client, instance: dict, key: str, variables: dict, headers: dict) -> dict:
    """Complete the ready task ``key`` while other tasks may be ready beside it."""
    response = await client.post(f"{API}/tasks/{task_of(instance, key)['id']}/complete",
                                 json={"variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def crosses(client, ctx, instance: dict, task: str, due_at: str, just_before: datetime,
                  just_after: datetime) -> dict:
    """Nothing happens up to the due moment; just after it the escalation opens for 市数据局."""
    worker = Worker(ctx, "test")
    ctx.clock.set(just_before)
    assert await worker.fire_due() == 0
    instance = await fetch(client, instance)
    assert keys(instance) == [task]
    assert await passed(client, instance) == []
    ctx.clock.set(just_after)
    assert await worker.fire_due() == 1
    instance = await fetch(client, instance)
    assert keys(instance) == sorted([task, f"{task}_escalation"])
    escalation = task_of(instance, f"{task}_escalation")
    assert escalation["lane"] == LANES[f"{task}_escalation"] == "市数据局"
    assert escalation["clause"].startswith(CLAUSES[f"{task}_escalation"])
    assert escalation["candidate_groups"] == ["hub"]
    fired = await passed(client, instance)
    assert [(e["element_id"], e["actor"]) for e in fired] == [(f"{task}_overdue", "timer:test")]
    assert fired[0]["data"]["due_at"].replace("+00:00", "Z") == due_at
    assert await worker.fire_due() == 0  # once only
    return instance


# -- the diagram: every deadline has its escalation ---------------------------------------------

def test_every_task_with_a_deadline_escalates_to_the_data_bureau_without_interrupting():
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "camunda": "http://camunda.org/schema/1.0/bpmn"}
    due: dict[str, str] = {}
    timed = []
    for name, content in bundled(TENANT).items():  # the main process and its stages
        if not name.endswith(".bpmn"):
            continue
        root = etree.fromstring(content)
        due |= {t.get("id"): t.get(f"{{{ns['camunda']}}}dueDate")
                for t in root.iterfind(".//bpmn:userTask", ns)
                if t.get(f"{{{ns['camunda']}}}dueDate")}
        timed += [(root, b) for b in root.iterfind(".//bpmn:boundaryEvent", ns)
                  if b.find("bpmn:timerEventDefinition", ns) is not None]
    assert due == {"tender_filing": "P1M@tender_completed_on",
                   "om_filing": "--12-31@om_budget_year+P1M",
                   "rectification": "@rectification_due"}
    assert sorted(b.get("attachedToRef") for _, b in timed) == sorted(due)
    for root, b in timed:
        by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
        lane_of = {ref.text: lane.get("name") for lane in root.iterfind(".//bpmn:lane", ns)
                   for ref in lane.iterfind("bpmn:flowNodeRef", ns)}
        task = b.get("attachedToRef")
        assert b.get("id") == f"{task}_overdue"
        assert b.get("cancelActivity") == "false"
        assert b.findtext("bpmn:documentation", namespaces=ns) == "石嘴山 第二十四条"
        assert b.findtext(".//bpmn:timeDuration", namespaces=ns) == due[task]
        flow = by_id[b.findtext("bpmn:outgoing", namespaces=ns)]
        escalation = by_id[flow.get("targetRef")]
        assert escalation.get("id") == f"{task}_escalation"
        assert escalation.get("name") == f"超期督办：{by_id[task].get('name')}"
        assert lane_of[escalation.get("id")] == "市数据局"
        end = by_id[by_id[escalation.findtext("bpmn:outgoing", namespaces=ns)].get("targetRef")]
        assert etree.QName(end).localname == "endEvent"
        assert end.find(".//camunda:property[@name='outcome']", ns) is None


async def procured(client, ctx, tender_on: str, completed_at: datetime) -> dict:
    """Cleared on the day of the tender, procurement completed at ``completed_at``."""
    ctx.clock.set(datetime.fromisoformat(tender_on).replace(hour=1, tzinfo=UTC))
    instance = await cleared(client)
    ctx.clock.set(completed_at)
    return await complete(client, instance, "procurement",
                          PROCUREMENT | {"tender_completed_on": tender_on}, UNIT)


async def test_the_escalation_form_asks_for_a_measure_and_an_opinion(client, ctx):
    instance = await procured(client, ctx, "2026-09-28", datetime(2026, 9, 28, 1, 0, tzinfo=UTC))
    await crosses(client, ctx, instance, "tender_filing", "2026-10-28T15:59:59.999999Z",
                  datetime(2026, 10, 28, 15, 59, 59, tzinfo=UTC),
                  datetime(2026, 10, 28, 16, 0, tzinfo=UTC))
    instance = await fetch(client, instance)
    task = task_of(instance, "tender_filing_escalation")
    detail = (await client.get(f"{API}/tasks/{task['id']}", headers=HUB)).json()
    assert set(detail["form"]["required"]) == {"measure", "opinion"}
    assert set(detail["form"]["properties"]["measure"]["enum"]) == {"urge", "rectify", "note"}
    for wrong in ({"measure": "fine", "opinion": "罚款"}, {"measure": "urge", "opinion": ""},
                  {"measure": "note"}):
        response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=HUB,
                                     json={"variables": wrong})
        assert response.status_code == 422, wrong
    response = await client.post(f"{API}/tasks/{task['id']}/complete", headers=UNIT,
                                 json={"variables": ESCALATED})
    assert response.status_code == 403  # the unit does not supervise itself


# -- tender filing: one month after the tender (第十八条(一)) ------------------------------------

@pytest.mark.parametrize(("tender_on", "completed_at", "due_at"), [
    # Procurement completed on the tender day, 2026-09-28: 2026-10-28 (a Wednesday), no
    # holiday in between.
    ("2026-09-28", datetime(2026, 9, 28, 1, 0, tzinfo=UTC), "2026-10-28T15:59:59.999999Z"),
    # 2026-09-03 + 1 month = 2026-10-03, inside National Day (Oct 1–7) → Thursday Oct 8.
    ("2026-09-03", datetime(2026, 9, 3, 1, 0, tzinfo=UTC), "2026-10-08T15:59:59.999999Z"),
    # The same tender, procurement completed on Sep 30: still Oct 8 (from Sep 30 it would be
    # Oct 30).
    ("2026-09-03", datetime(2026, 9, 30, 1, 0, tzinfo=UTC), "2026-10-08T15:59:59.999999Z"),
    # 2026-01-17 + 1 month = 2026-02-17, inside Spring Festival (Feb 15–23) → Tuesday Feb 24.
    ("2026-01-17", datetime(2026, 1, 17, 1, 0, tzinfo=UTC), "2026-02-24T15:59:59.999999Z"),
    # Tender completed 2026-01-31, procurement completed on Tuesday Feb 3: February has no
    # 31st → Feb 28, a make-up Saturday (worked): it stays (from Feb 3 it would be Mar 3).
    ("2026-01-31", datetime(2026, 2, 3, 1, 0, tzinfo=UTC), "2026-02-28T15:59:59.999999Z"),
    # The same, procurement completed 00:30 on Feb 3 in Shanghai (Feb 2 in UTC): Feb 28.
    ("2026-01-31", datetime(2026, 2, 2, 16, 30, tzinfo=UTC), "2026-02-28T15:59:59.999999Z"),
])
async def test_tender_filing_overdue_escalates_to_the_data_bureau(client, ctx, tender_on,
                                                                  completed_at, due_at):
    instance = await procured(client, ctx, tender_on, completed_at)
    task = only(instance, "tender_filing")
    assert (task["due_at"], task["due_estimated"]) == (due_at, False)
    due = datetime.fromisoformat(due_at)  # 23:59:59.999999 in Shanghai
    instance = await crosses(client, ctx, instance, "tender_filing", due_at,
                             due.replace(microsecond=0), due + timedelta(microseconds=1))
    # The filing is still owed and the main path goes on; the escalation branch just closes.
    instance = await finish(client, instance, "tender_filing", TENDER_FILING, UNIT)
    assert keys(instance) == ["implementation", "tender_filing_escalation"]
    instance = await finish(client, instance, "tender_filing_escalation", ESCALATED, HUB)
    assert keys(instance) == ["implementation"]
    assert instance["state"] == "running"


async def test_a_tender_filing_on_time_is_never_escalated(client, ctx):
    instance = await procured(client, ctx, "2026-09-03", datetime(2026, 9, 3, 1, 0, tzinfo=UTC))
    ctx.clock.set(datetime(2026, 10, 8, 15, 0, tzinfo=UTC))  # the last day, 23:00 in Shanghai
    instance = await complete(client, instance, "tender_filing", TENDER_FILING, UNIT)
    ctx.clock.set(datetime(2026, 12, 1, tzinfo=UTC))
    assert await Worker(ctx, "test").fire_due() == 0
    assert keys(await fetch(client, instance)) == ["implementation"]
    assert await passed(client, instance) == []


async def test_a_tender_filing_ready_after_its_deadline_escalates_at_once(client, ctx):
    # Tender completed 2026-01-31, due 2026-02-28; procurement only completed on 2026-03-02.
    instance = await procured(client, ctx, "2026-01-31", datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    assert keys(instance) == ["tender_filing", "tender_filing_escalation"]
    assert task_of(instance, "tender_filing")["due_at"] == "2026-02-28T15:59:59.999999Z"
    assert task_of(instance, "tender_filing_escalation")["lane"] == "市数据局"
    fired = await passed(client, instance)
    assert [e["element_id"] for e in fired] == ["tender_filing_overdue"]
    assert await Worker(ctx, "test").fire_due() == 0


# -- O&M fund filing: one month after each budget year in operation (第十八条(一)) --------------

async def in_operation(client, ctx, at: datetime, **variables) -> dict:
    """Accepted by the three bodies and put into use on the day of ``at``: waiting for the end
    of that budget year, with no task open."""
    ctx.clock.set(at)
    instance = await accepted(client, ndrc=FINAL_OK | {"accepted_on": today(at)},
                              procured_as=PROCUREMENT | {"tender_completed_on": today(at)},
                              **variables)
    instance = await complete(client, instance, "go_live", {"in_use_on": today(at)}, UNIT)
    assert (instance["state"], keys(instance)) == ("running", [])
    assert instance["variables"]["om_budget_year"] == int(today(at)[:4])
    return instance


async def year_end_passes(client, ctx, instance: dict, year: int) -> dict:
    """Nothing opens up to 24:00 of 31 December ``year`` (Shanghai); just after, the filing."""
    worker = Worker(ctx, "test")
    ctx.clock.set(datetime(year, 12, 31, 15, 59, 59, tzinfo=UTC))
    await worker.fire_due()
    assert keys(await fetch(client, instance)) == []
    ctx.clock.set(datetime(year, 12, 31, 16, 0, tzinfo=UTC))
    assert await worker.fire_due() == 1
    instance = await fetch(client, instance)
    assert keys(instance) == ["om_filing"]
    return instance


@pytest.mark.parametrize("at", [
    # Put into use on any day of 2026, the first filing is for budget year 2026, due one month
    # after it ends: 2027-01-31 is a Sunday → Monday 2027-02-01 (2027's arrangement is not
    # published: an estimate). Never open before the year ends, never born overdue.
    datetime(2026, 1, 1, 1, 0, tzinfo=UTC),
    datetime(2026, 6, 30, 1, 0, tzinfo=UTC),
    datetime(2026, 12, 31, 15, 0, tzinfo=UTC),  # 23:00 on New Year's Eve in Shanghai
])
async def test_the_first_om_filing_waits_for_the_budget_year_of_going_live(client, ctx, at):
    instance = await in_operation(client, ctx, at)
    instance = await year_end_passes(client, ctx, instance, 2026)
    task = only(instance, "om_filing")
    assert (task["due_at"], task["due_estimated"]) == ("2027-02-01T15:59:59.999999Z", True)


async def test_om_filing_for_2024_is_due_after_spring_festival_2025(client, ctx):
    # The digest's example: budget year 2024 → 2025-01-31, inside Spring Festival (Jan 28 –
    # Feb 4) → Wednesday 2025-02-05.
    instance = await in_operation(client, ctx, datetime(2024, 6, 3, 1, 0, tzinfo=UTC))
    instance = await year_end_passes(client, ctx, instance, 2024)
    task = only(instance, "om_filing")
    assert (task["due_at"], task["due_estimated"]) == ("2025-02-05T15:59:59.999999Z", False)
    instance = await crosses(client, ctx, instance, "om_filing", "2025-02-05T15:59:59.999999Z",
                             datetime(2025, 2, 5, 15, 59, 59, tzinfo=UTC),
                             datetime(2025, 2, 5, 16, 0, 1, tzinfo=UTC))
    # Filed late and the system retired: the main path reaches its end, the escalation keeps
    # the instance running, and closing it leaves the main path's outcome.
    instance = await finish(client, instance, "om_filing", OM_FILING, UNIT)
    assert (instance["state"], keys(instance)) == ("running", ["om_filing_escalation"])
    instance = await finish(client, instance, "om_filing_escalation",
                            {"measure": "rectify", "opinion": "逾期备案，限期整改"}, HUB)
    ended(instance, "accepted")


async def test_om_filing_recurs_every_budget_year_while_the_system_runs(client, ctx):
    """第十八条(一) "运行维护资金使用情况应在一个预算年度结束后一个月内进行备案": each year, not once.
    2025 → 2026-01-31 is a Saturday → Monday 2026-02-02."""
    instance = await in_operation(client, ctx, datetime(2025, 1, 2, 1, 0, tzinfo=UTC))
    instance = await year_end_passes(client, ctx, instance, 2025)
    assert only(instance, "om_filing")["due_at"] == "2026-02-02T15:59:59.999999Z"
    ctx.clock.set(datetime(2026, 1, 20, 1, 0, tzinfo=UTC))
    instance = await complete(client, instance, "om_filing", OM_FILING | {"om_continues": True},
                              UNIT)
    # Filed on time for 2025; nothing is owed until budget year 2026 has ended.
    assert (instance["state"], keys(instance)) == ("running", [])
    assert instance["variables"]["om_budget_year"] == 2026
    instance = await year_end_passes(client, ctx, instance, 2026)
    assert only(instance, "om_filing")["due_at"] == "2027-02-01T15:59:59.999999Z"
    ended(await complete(client, instance, "om_filing", OM_FILING, UNIT), "accepted")
    assert await passed(client, instance) == []


async def test_an_om_filing_on_time_ends_accepted_without_escalation(client, ctx):
    instance = await in_operation(client, ctx, datetime(2024, 9, 2, 1, 0, tzinfo=UTC))
    instance = await year_end_passes(client, ctx, instance, 2024)
    ctx.clock.set(datetime(2025, 2, 5, 15, 59, 59, tzinfo=UTC))  # the last second
    ended(await complete(client, instance, "om_filing", OM_FILING, UNIT), "accepted")
    ctx.clock.set(datetime(2025, 3, 1, tzinfo=UTC))
    assert await Worker(ctx, "test").fire_due() == 0
    assert await passed(client, instance) == []


# -- rectification: by the date the failed inspection set (第二十四条 限期整改) ---------------------

async def inspected(client, ctx, at: datetime, **variables) -> dict:
    """Tendered, built and inspected on the day of ``at``: the inspection fails with
    ``variables`` added."""
    ctx.clock.set(at)
    instance = await built(client, procured_as=PROCUREMENT | {"tender_completed_on": today(at)})
    return await complete(client, instance, "inspection", INSPECTION_FAILED | variables, HUB)


@pytest.mark.parametrize(("rectification_due", "due_at"), [
    # Inspected Monday 2026-09-28, rectify by Friday 2026-10-30: 24:00 that day in Shanghai.
    ("2026-10-30", "2026-10-30T15:59:59.999999Z"),
    # A date someone set is not a period: 2026-10-03, inside National Day, does not move.
    ("2026-10-03", "2026-10-03T15:59:59.999999Z"),
])
async def test_rectification_overdue_escalates_to_the_data_bureau(client, ctx, rectification_due,
                                                                  due_at):
    instance = await inspected(client, ctx, datetime(2026, 9, 28, 1, 0, tzinfo=UTC),
                               rectification_due=rectification_due)
    task = only(instance, "rectification")
    assert (task["due_at"], task["due_estimated"]) == (due_at, False)
    due = datetime.fromisoformat(due_at)
    instance = await crosses(client, ctx, instance, "rectification", due_at,
                             due.replace(microsecond=0), due + timedelta(microseconds=1))
    # Rectified late: the project goes back to inspection, the escalation branch just closes.
    instance = await finish(client, instance, "rectification", REPORT, UNIT)
    assert keys(instance) == ["inspection", "rectification_escalation"]
    instance = await finish(client, instance, "rectification_escalation",
                            {"measure": "note", "opinion": "逾期整改，已记录"}, HUB)
    assert keys(instance) == ["inspection"]


async def without_deadline(client, instance: dict):
    """Fail the inspection without setting rectification_due."""
    return await client.post(f"{API}/tasks/{only(instance, 'inspection')['id']}/complete",
                             headers=HUB, json={"variables": INSPECTION_FAILED})


async def at_inspection(client, ctx) -> dict:
    ctx.clock.set(datetime(2026, 9, 28, 1, 0, tzinfo=UTC))
    return await built(client, procured_as=PROCUREMENT | {"tender_completed_on": "2026-09-28"})


async def test_ordering_a_rectification_needs_its_deadline(client, ctx):
    instance = await at_inspection(client, ctx)
    response = await without_deadline(client, instance)
    assert response.status_code == 422, response.text
    instance = await fetch(client, instance)  # nothing happened: the inspection is still open
    assert keys(instance) == ["inspection"]
    assert "funds_compliant" not in instance["variables"]
    # A passed inspection needs no deadline.
    instance = await complete(client, instance, "inspection", INSPECTION_OK, HUB)
    assert keys(instance) == ["initial_acceptance"]


async def test_a_rectification_on_time_is_never_escalated_and_its_date_is_spent(client, ctx):
    instance = await inspected(client, ctx, datetime(2026, 9, 28, 1, 0, tzinfo=UTC),
                               rectification_due="2026-10-30")
    ctx.clock.set(datetime(2026, 10, 30, 15, 0, tzinfo=UTC))  # the last day, 23:00 in Shanghai
    instance = await complete(client, instance, "rectification", REPORT, UNIT)
    assert instance["variables"]["rectification_due"] is None
    # Failed again: the old date is not reused, the inspection must set a new one.
    response = await without_deadline(client, instance)
    assert response.status_code == 422, response.text
    instance = await complete(client, instance, "inspection",
                              INSPECTION_FAILED | {"rectification_due": "2026-11-30"}, HUB)
    assert only(instance, "rectification")["due_at"] == "2026-11-30T15:59:59.999999Z"
    ctx.clock.set(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    instance = await complete(client, instance, "rectification", REPORT, UNIT)
    ctx.clock.set(datetime(2027, 1, 4, 1, 0, tzinfo=UTC))
    assert await Worker(ctx, "test").fire_due() == 0
    assert keys(await fetch(client, instance)) == ["inspection"]
    assert await passed(client, instance) == []


async def test_a_rectification_without_its_deadline_is_a_422_naming_it(client, ctx):
    response = await without_deadline(client, await at_inspection(client, ctx))
    assert response.status_code == 422, response.text
    assert "rectification_due" in response.text
