"""招远 deadlines as timers: the declaration window (第七条) waits and closes; the joint review
(第九条), the annual budget (第十条), the progress report (第十一条), the contract filing
(第二十一条, counted from the signing date) and a rectification (第二十四条, by the date the hub
set) escalate to 市大数据服务中心 (第二十四条) when their deadline passes.

Every ``due_at`` below is computed by hand from the State Council's 2026 arrangement
(国办发明电〔2025〕7号): Spring Festival Feb 15–23 off, Feb 14 (Sat) and Feb 28 (Sat) worked;
National Day Oct 1–7 off, Sep 20 (Sun) and Oct 10 (Sat) worked. A due day ends at 24:00 in
Asia/Shanghai, i.e. 15:59:59.999999 UTC on that day.
"""

from datetime import UTC, datetime

import pytest
from govflow.timers.worker import Worker

from tests.scenarios.zhaoyuan.zhaoyuan_walk import (
    COUNTERSIGNED,
    DOC,
    EXPERT,
    EXPERT_OK,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    JOINT_OK,
    LANES,
    LEADING_GROUP,
    MATERIALS,
    NO,
    OK,
    ORDER,
    PROCURED,
    TENANT,
    UNIT,
    begin,
    building,
    compiled,
    complete,
    joint,
    keys,
    message,
    refused_form,
    reviewed,
    state,
    step,
    without,
)
from tests.support.api import API, history, ready, start

pytestmark = pytest.mark.usefixtures("deployed")


URGE = {"measure": "urge", "opinion": "督促尽快办理"}


@pytest.fixture(autouse=True)
def clock(in_window):
    return in_window


@pytest.fixture
def fire(ctx):
    """Fire every timer that is due at the clock's time, as the worker would."""
    async def fire_due() -> None:
        await Worker(ctx, "test").fire_due()
    return fire_due


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def events(client, instance: dict, kind: str) -> list[dict]:
    return [e for e in await history(client, instance["id"]) if e["event"] == kind]


async def assert_escalated(client, instance: dict, task: str, clause: str,
                           due_at: str, slots: int = 1) -> dict:
    """``task`` (its ``slots`` signatures) is still ready, beside its escalation for the hub;
    the deadline is in history."""
    instance = await state(client, instance)
    assert keys(instance) == sorted([task] * slots + [f"{task}_escalation"])
    escalation = ready(instance, f"{task}_escalation")
    assert escalation["lane"] == LANES["hub"]
    assert escalation["candidate_groups"] == ["hub"]
    assert escalation["clause"] == clause
    assert escalation["name"].startswith("超期督办：")
    passed = await events(client, instance, "deadline_passed")
    assert [e["element_id"] for e in passed] == [f"{task}_overdue"]
    assert passed[0]["data"]["due_at"].startswith(due_at)
    return instance


async def assert_not_escalated(client, instance: dict, expected: list[str]) -> None:
    instance = await state(client, instance)
    assert keys(instance) == expected
    assert await events(client, instance, "deadline_passed") == []


# -- the declaration window, July 1 – August 31 (第七条) -----------------------------------

async def test_a_project_started_before_july_1_waits_for_the_window(client, clock, fire):
    clock.set(utc(2026, 3, 2, 1))
    instance = await begin(client, "ZY-WIN-EARLY")
    assert (instance["state"], instance["ready_tasks"]) == ("running", [])
    clock.set(utc(2026, 6, 30, 15, 59, 59))  # 23:59:59 on June 30 in Shanghai
    await fire()
    assert (await state(client, instance))["ready_tasks"] == []
    clock.set(utc(2026, 6, 30, 16))  # 00:00 on July 1
    await fire()
    instance = await state(client, instance)
    task = ready(instance, "declare")
    assert (task["lane"], task["clause"]) == (LANES["unit"], "招远 第七条")
    assert task["due_at"] == "2026-08-31T15:59:59.999999Z"
    opened = await events(client, instance, "timer_fired")
    assert [e["element_id"] for e in opened] == ["declaration_window"]
    assert opened[0]["data"]["due_at"].startswith("2026-06-30T15:59:59.999999")


@pytest.mark.parametrize("now", [
    utc(2026, 6, 30, 16),           # 00:00 on July 1, the window's first instant
    utc(2026, 7, 1, 1),             # 09:00 on July 1
    utc(2026, 8, 31, 15, 59, 59),   # 23:59:59 on August 31, its last second
])
async def test_a_project_started_inside_the_window_is_declared_at_once(client, clock, now):
    clock.set(now)
    instance = await begin(client, f"ZY-WIN-IN-{now:%m%d%H%M}")
    assert keys(instance) == ["declare"]
    assert ready(instance, "declare")["due_at"] == "2026-08-31T15:59:59.999999Z"


async def deferred(client, instance: dict) -> list[dict]:
    return [e for e in await history(client, instance["id"])
            if e["element_id"] == "declaration_deferred"]


@pytest.mark.parametrize("now", [
    utc(2026, 8, 31, 16),      # 00:00 on September 1, the first instant after the window
    utc(2026, 11, 30, 2),      # 10:00 on November 30
    utc(2027, 1, 4, 1),        # January 4 of the plan year itself
    utc(2027, 6, 30, 15, 59),  # 23:59 on June 30 of the plan year
])
async def test_a_project_started_after_its_window_waits_for_the_next_one(client, clock, fire,
                                                                         now):
    """第七条 每年7至8月份申报下一年度项目: a project started after August 31 can no longer be
    declared for its year; it neither ends at once nor opens overdue, but waits, with no task,
    for the next window (July 1) and is declared there for the year after it."""
    clock.set(now)
    instance = await begin(client, f"ZY-WIN-LATE-{now:%Y%m%d%H%M}")
    assert (instance["state"], instance["outcome"], instance["ready_tasks"]) == (
        "running", None, [])
    assert instance["variables"]["plan_year"] == 2028
    assert instance["variables"]["deferred_from_year"] == 2027
    assert len(await deferred(client, instance)) == 1
    clock.set(utc(2027, 6, 30, 15, 59, 59))  # 23:59:59 on June 30, 2027
    await fire()
    assert (await state(client, instance))["ready_tasks"] == []
    clock.set(utc(2027, 6, 30, 16))  # 00:00 on July 1, 2027: the next window opens
    await fire()
    task = ready(await state(client, instance), "declare")
    assert task["due_at"] == "2027-08-31T15:59:59.999999Z"  # due in the new window


async def test_a_project_started_years_late_waits_for_the_next_window_only(client, clock):
    """A plan year long past moves to the first window still to come, not one at a time."""
    clock.set(utc(2028, 9, 15, 1))
    instance = await begin(client, "ZY-WIN-YEARS", plan_year=2026)
    assert (instance["state"], instance["ready_tasks"]) == ("running", [])
    assert instance["variables"]["plan_year"] == 2030  # declared July–August 2029
    assert instance["variables"]["deferred_from_year"] == 2029
    assert len(await deferred(client, instance)) == 4


async def test_an_open_declaration_missed_moves_to_the_next_window(client, clock, fire):
    """第七条: a unit that lets the window close without declaring declares in the next one."""
    clock.set(utc(2026, 8, 28, 1))
    instance = await begin(client, "ZY-WIN-CLOSE")
    clock.set(utc(2026, 8, 31, 15, 59, 59))
    await fire()
    assert keys(await state(client, instance)) == ["declare"]
    clock.set(utc(2026, 8, 31, 16))
    await fire()
    instance = await state(client, instance)
    assert (instance["state"], instance["ready_tasks"]) == ("running", [])
    assert instance["variables"]["plan_year"] == 2028
    closed = await events(client, instance, "deadline_passed")
    assert [e["element_id"] for e in closed] == ["declaration_closed"]
    assert closed[0]["data"]["due_at"].startswith("2026-08-31T15:59:59.999999")
    clock.set(utc(2027, 7, 1, 1))
    await fire()
    assert keys(await state(client, instance)) == ["declare"]


async def test_materials_completed_after_the_window_come_too_late(client, clock, fire):
    clock.set(utc(2026, 8, 31, 1))
    instance = await begin(client, "ZY-WIN-MATERIALS")
    # a declaration without the audit table is refused: the task stays with the unit
    await refused_form(client, instance, "declare", without(MATERIALS, "cloud_resource_audit"),
                       UNIT, "cloud_resource_audit", "required")
    assert keys(await state(client, instance)) == ["declare"]
    clock.set(utc(2026, 8, 31, 16))
    await fire()
    instance = await state(client, instance)
    assert (instance["state"], instance["ready_tasks"]) == ("running", [])
    assert instance["variables"]["plan_year"] == 2028


async def test_a_declaration_made_in_time_is_not_cut_off(client, clock, fire):
    instance = await begin(client, "ZY-WIN-DONE")
    instance = await complete(client, instance, "declare", MATERIALS, UNIT)
    clock.set(utc(2026, 9, 1, 1))
    await fire()
    await assert_not_escalated(client, instance, ["expert_review"])


async def test_a_refused_filing_is_declared_in_the_next_window(client, clock, fire):
    clock.set(utc(2026, 3, 2, 1))
    instance = await begin(client, "ZY-WIN-FILING", higher_level_funded=True)
    instance = await complete(client, instance, "filing_review",
                              NO | {"filing_basis_verified": False}, HUB)
    assert (instance["state"], instance["ready_tasks"]) == ("running", [])
    clock.set(utc(2026, 6, 30, 16))
    await fire()
    assert keys(await state(client, instance)) == ["declare"]


# -- joint review by September 30 (第九条) ---------------------------------------------------

async def _at_joint_review(client, key: str) -> dict:
    instance = await begin(client, key)
    instance = await complete(client, instance, "declare", MATERIALS, UNIT)
    return await complete(client, instance, "expert_review", EXPERT_OK, EXPERT)


async def test_joint_review_overdue_after_september_30_escalates_to_the_hub(client, clock,
                                                                           fire):
    instance = await _at_joint_review(client, "ZY-DL-JOINT")
    assert ready(instance, "joint_review")["due_at"] == "2026-09-30T15:59:59.999999Z"
    clock.set(utc(2026, 9, 30, 15, 59, 59))
    await fire()
    await assert_not_escalated(client, instance, ["joint_review", "joint_review"])
    clock.set(utc(2026, 9, 30, 16))
    await fire()
    instance = await assert_escalated(client, instance, "joint_review",
                                      "招远 第二十四条、第九条", "2026-09-30T15:59:59.999999",
                                      slots=2)
    escalation = ready(instance, "joint_review_escalation")
    assert escalation["name"] == "超期督办：联合评审"
    for refused, headers in (({"measure": "urge"}, HUB), (URGE | {"measure": "fine"}, HUB),
                             (URGE, FINANCE)):
        response = await client.post(f"{API}/tasks/{escalation['id']}/complete",
                                     json={"variables": refused}, headers=headers)
        assert response.status_code == (403 if headers is FINANCE else 422), refused
    instance = await complete(client, instance, "joint_review_escalation", URGE, HUB)
    # the review itself is still to be done, by both bodies
    assert keys(instance) == ["joint_review", "joint_review"]
    instance = await joint(client, instance)
    assert keys(instance) == ["fund_review"]


async def test_joint_review_in_time_is_not_escalated(client, clock, fire):
    instance = await _at_joint_review(client, "ZY-DL-JOINT-OK")
    clock.set(utc(2026, 9, 28, 1))  # done on Monday 2026-09-28, 09:00
    instance = await joint(client, instance)
    clock.set(utc(2026, 10, 8, 1))
    await fire()
    await assert_not_escalated(client, instance, ["fund_review"])


async def test_a_project_rejected_while_escalated_ends_when_the_hub_closes_it(client, clock,
                                                                             fire):
    instance = await _at_joint_review(client, "ZY-DL-JOINT-NO")
    clock.set(utc(2026, 10, 9, 1))
    await fire()
    instance = await joint(client, await state(client, instance), hub=JOINT_OK | NO)
    assert (instance["state"], keys(instance)) == ("running", ["joint_review_escalation"])
    instance = await complete(client, instance, "joint_review_escalation",
                              {"measure": "note", "opinion": "已逾期，记录在案"}, HUB)
    assert (instance["state"], instance["outcome"]) == ("completed", "rejected")


# -- the annual budget by October 31 (第十条) ------------------------------------------------

PLAN: dict = {"projects": []}  # no project passed review for 2027 here: an empty budget


async def test_budget_compilation_and_approval_overdue_after_october_31(client, clock, fire):
    clock.set(utc(2026, 10, 20, 1))
    plan = await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": 2027})
    assert ready(plan, "plan_compilation")["due_at"] == "2026-10-31T15:59:59.999999Z"
    clock.set(utc(2026, 10, 31, 15, 59, 59))
    await fire()
    await assert_not_escalated(client, plan, ["plan_compilation"])
    clock.set(utc(2026, 10, 31, 16))
    await fire()
    plan = await assert_escalated(client, plan, "plan_compilation", "招远 第二十四条、第十条",
                                  "2026-10-31T15:59:59.999999")
    plan = await complete(client, plan, "plan_compilation_escalation", URGE, HUB)
    # compiled late: finance's countersign, then the leading group's approval, are overdue
    # the moment each is asked for
    plan = await complete(client, plan, "plan_compilation", PLAN, HUB)
    assert keys(plan) == ["plan_countersign", "plan_countersign_escalation"]
    escalation = ready(plan, "plan_countersign_escalation")
    assert (escalation["lane"], escalation["clause"]) == (LANES["hub"], "招远 第二十四条、第十条")
    plan = await complete(client, plan, "plan_countersign", COUNTERSIGNED, FINANCE)
    plan = await complete(client, plan, "plan_countersign_escalation", URGE, HUB)
    assert keys(plan) == ["plan_approval", "plan_approval_escalation"]
    escalation = ready(plan, "plan_approval_escalation")
    assert (escalation["lane"], escalation["clause"]) == (LANES["hub"], "招远 第二十四条、第十条")
    plan = await complete(client, plan, "plan_approval", OK, LEADING_GROUP)
    plan = await complete(client, plan, "plan_approval_escalation", URGE, HUB)
    assert (plan["state"], plan["outcome"]) == ("completed", "approved")


async def test_budget_approval_escalates_when_october_31_passes(client, clock, fire):
    clock.set(utc(2026, 10, 26, 1))
    plan = await start(client, TENANT, HUB, process_id="annual_plan",
                       variables={"plan_year": 2027})
    plan = await compiled(client, plan, [])
    task = ready(plan, "plan_approval")
    assert (task["lane"], task["due_at"]) == ("市数字招远建设专项小组",
                                              "2026-10-31T15:59:59.999999Z")
    clock.set(utc(2026, 10, 31, 15, 59, 59))
    await fire()
    await assert_not_escalated(client, plan, ["plan_approval"])
    clock.set(utc(2026, 10, 31, 16))
    await fire()
    await assert_escalated(client, plan, "plan_approval", "招远 第二十四条、第十条",
                           "2026-10-31T15:59:59.999999")


# -- contract filing within 5 working days of signing (第二十一条) ---------------------------

async def _signed(client, clock, key: str, signed: datetime,
                  recorded: datetime | None = None) -> dict:
    """A 2026 project (declared in July 2025) whose contract is signed at ``signed`` and
    recorded in ``procurement`` at ``recorded`` (the same moment unless given)."""
    clock.set(utc(2025, 7, 15, 1))
    instance = await reviewed(client, key, plan_year=2026)
    instance = await message(client, instance, "annual_plan_approved")
    instance = await complete(client, instance, "government_consent", OK, GOVERNMENT)
    clock.set(recorded or signed)
    return await complete(client, instance, "procurement",
                          PROCURED | {"contract_signed_on": f"{signed:%Y-%m-%d}"}, UNIT)


@pytest.mark.parametrize(("signed", "due_at", "before", "after"), [
    # Monday Sep 28 → Sep 29, Sep 30, (Oct 1–7 off) Oct 8, Oct 9, Oct 10 (make-up Saturday)
    (utc(2026, 9, 28, 1), "2026-10-10T15:59:59.999999", utc(2026, 10, 10, 15, 59, 59),
     utc(2026, 10, 10, 16)),
    # Thursday Feb 12 → Feb 13, Feb 14 (make-up Saturday), (Feb 15–23 off) Feb 24, 25, 26
    (utc(2026, 2, 12, 1), "2026-02-26T15:59:59.999999", utc(2026, 2, 26, 15, 59, 59),
     utc(2026, 2, 26, 16)),
], ids=["national_day", "spring_festival"])
async def test_contract_filing_overdue_escalates_to_the_hub(client, clock, fire, signed,
                                                            due_at, before, after):
    instance = await _signed(client, clock, f"ZY-DL-CONTRACT-{signed:%m%d}", signed)
    task = ready(instance, "contract_filing")
    assert (task["lane"], task["clause"]) == (LANES["unit"], "招远 第二十一条")
    assert task["due_at"] == due_at + "Z"
    clock.set(before)
    await fire()
    await assert_not_escalated(client, instance, ["contract_filing"])
    clock.set(after)
    await fire()
    instance = await assert_escalated(client, instance, "contract_filing",
                                      "招远 第二十四条、第二十一条", due_at)
    instance = await complete(client, instance, "contract_filing",
                              {"contract_text": DOC, "filed_on": f"{after:%Y-%m-%d}"},
                              UNIT)
    assert keys(instance) == ["contract_filing_escalation", "implementation"]
    instance = await complete(client, instance, "contract_filing_escalation",
                              {"measure": "rectify", "opinion": "逾期备案，责令整改"}, HUB)
    assert keys(instance) == ["implementation"]


async def test_contract_filing_counts_from_the_signing_not_from_the_recording(client, clock,
                                                                             fire):
    # signed Monday Sep 28, recorded Friday Oct 9: still due Oct 10, the fifth working day
    # after the signing
    instance = await _signed(client, clock, "ZY-DL-CONTRACT-LATE-REC", utc(2026, 9, 28, 1),
                             recorded=utc(2026, 10, 9, 1))
    assert ready(instance, "contract_filing")["due_at"] == "2026-10-10T15:59:59.999999Z"
    clock.set(utc(2026, 10, 10, 15, 59, 59))
    await fire()
    await assert_not_escalated(client, instance, ["contract_filing"])
    clock.set(utc(2026, 10, 10, 16))
    await fire()
    await assert_escalated(client, instance, "contract_filing", "招远 第二十四条、第二十一条",
                           "2026-10-10T15:59:59.999999")


async def test_a_contract_recorded_after_its_filing_deadline_escalates_at_once(client, clock,
                                                                             fire):
    # signed Thursday Feb 12 (due Thursday Feb 26), recorded only on Monday Mar 2
    instance = await _signed(client, clock, "ZY-DL-CONTRACT-RECORDED-LATE",
                             utc(2026, 2, 12, 1), recorded=utc(2026, 3, 2, 1))
    assert ready(instance, "contract_filing")["due_at"] == "2026-02-26T15:59:59.999999Z"
    await fire()
    await assert_escalated(client, instance, "contract_filing", "招远 第二十四条、第二十一条",
                           "2026-02-26T15:59:59.999999")


async def test_contract_filed_in_time_is_not_escalated(client, clock, fire):
    instance = await _signed(client, clock, "ZY-DL-CONTRACT-OK", utc(2026, 9, 28, 1))
    clock.set(utc(2026, 10, 10, 1))  # the fifth working day
    instance = await complete(client, instance, "contract_filing",
                              {"contract_text": DOC, "filed_on": "2026-10-10"}, UNIT)
    clock.set(utc(2026, 10, 12, 1))
    await fire()
    await assert_not_escalated(client, instance, ["implementation"])


# -- progress report by December 31 (第十一条) -----------------------------------------------

async def _building(client, clock, key: str) -> dict:
    instance = await _signed(client, clock, key, utc(2026, 3, 2, 1))
    return await complete(client, instance, "contract_filing",
                          {"contract_text": DOC, "filed_on": "2026-03-04"}, UNIT)


@pytest.mark.parametrize(("opened", "due_at"), [
    (utc(2026, 12, 20, 1), "2026-12-31T15:59:59.999999Z"),
    (utc(2026, 12, 31, 1), "2026-12-31T15:59:59.999999Z"),  # on the day itself: that day
    (utc(2026, 12, 31, 16), "2027-12-31T15:59:59.999999Z"),  # 00:00 on Jan 1: the next one
])
async def test_progress_report_is_due_on_the_next_december_31(client, clock, opened, due_at):
    instance = await _building(client, clock, f"ZY-DL-REPORT-{opened:%Y%m%d%H}")
    clock.set(opened)
    instance = await step(client, instance, "report_progress")
    assert ready(instance, "progress_report")["due_at"] == due_at


async def test_progress_report_overdue_escalates_to_the_hub(client, clock, fire):
    instance = await _building(client, clock, "ZY-DL-REPORT")
    clock.set(utc(2026, 12, 20, 1))
    instance = await step(client, instance, "report_progress")
    clock.set(utc(2026, 12, 31, 15, 59, 59))
    await fire()
    await assert_not_escalated(client, instance, ["progress_report"])
    clock.set(utc(2026, 12, 31, 16))
    await fire()
    instance = await assert_escalated(client, instance, "progress_report",
                                      "招远 第二十四条、第十一条", "2026-12-31T15:59:59.999999")
    instance = await complete(client, instance, "progress_report_escalation", URGE, HUB)
    instance = await complete(client, instance, "progress_report", {
        "construction_progress": "系统上线试运行", "budget_execution": "已支付70%",
        "budget_execution_report": DOC}, UNIT)
    assert keys(instance) == ["implementation"]


async def test_progress_report_in_time_is_not_escalated(client, clock, fire):
    instance = await _building(client, clock, "ZY-DL-REPORT-OK")
    clock.set(utc(2026, 12, 30, 1))
    instance = await step(client, instance, "report_progress")
    instance = await complete(client, instance, "progress_report", {
        "construction_progress": "完成开发", "budget_execution": "已支付50%",
        "budget_execution_report": DOC}, UNIT)
    clock.set(utc(2027, 1, 4, 1))
    await fire()
    await assert_not_escalated(client, instance, ["implementation"])


async def test_the_budget_review_has_no_deadline(client):
    # 第四、十二条 set no date for the budget review: no due date, no timer
    instance = await _at_joint_review(client, "ZY-DL-FUND")
    instance = await joint(client, instance)
    assert ready(instance, "fund_review")["due_at"] is None
    instance = await complete(client, instance, "fund_review", FUND_OK, FINANCE)
    assert instance["ready_tasks"] == []


# -- rectification by the deadline the hub sets (第二十四条 限期整改) ---------------------------

RECTIFIED = {"rectification_report": "已按要求整改"}


async def _rectifying(client, clock, key: str, due: str, finding: str = "rectify") -> dict:
    """A project under construction, inspected on Monday 2026-09-28 and ordered to rectify by
    ``due``."""
    instance = await message(client, await building(client, key), "inspection_started")
    clock.set(utc(2026, 9, 28, 1))
    instance = await complete(client, instance, "inspection",
                              {"finding": finding, "opinion": "数据未接入共享平台"}, HUB)
    return await complete(client, instance, "rectification_order",
                          ORDER | {"rectification_due": due}, HUB)


async def test_rectification_overdue_escalates_to_the_hub(client, clock, fire):
    # a date someone set is the deadline as it is, even inside the National Day holiday
    instance = await _rectifying(client, clock, "ZY-DL-RECT", "2026-10-03")
    task = ready(instance, "rectification")
    assert (task["lane"], task["clause"]) == (LANES["unit"], "招远 第二十二、二十四条")
    assert task["due_at"] == "2026-10-03T15:59:59.999999Z"
    clock.set(utc(2026, 10, 3, 15, 59, 59))
    await fire()
    await assert_not_escalated(client, instance, ["rectification"])
    clock.set(utc(2026, 10, 3, 16))
    await fire()
    instance = await assert_escalated(client, instance, "rectification", "招远 第二十四条",
                                      "2026-10-03T15:59:59.999999")
    escalation = ready(instance, "rectification_escalation")
    assert escalation["name"] == "超期督办：限期整改"
    response = await client.post(f"{API}/tasks/{escalation['id']}/complete", headers=HUB,
                                 json={"variables": URGE | {"measure": "rectify"}})
    assert response.status_code == 422  # lateness is urged or noted; measures follow refusal
    # rectified late and accepted: construction resumes once the hub closes the escalation
    instance = await complete(client, instance, "rectification", RECTIFIED, UNIT)
    instance = await complete(client, instance, "rectification_review", OK, HUB)
    assert keys(instance) == ["rectification_escalation"]
    instance = await complete(client, instance, "rectification_escalation",
                              {"measure": "note", "opinion": "逾期整改，记录在案"}, HUB)
    assert keys(instance) == ["implementation"]


async def test_rectification_in_time_is_not_escalated(client, clock, fire):
    instance = await _rectifying(client, clock, "ZY-DL-RECT-OK", "2026-10-16", "suspend")
    assert ready(instance, "rectification")["due_at"] == "2026-10-16T15:59:59.999999Z"
    clock.set(utc(2026, 10, 16, 1))
    instance = await complete(client, instance, "rectification", RECTIFIED, UNIT)
    clock.set(utc(2026, 10, 19, 1))
    await fire()
    await assert_not_escalated(client, instance, ["rectification_review"])


async def test_each_rectification_round_has_the_deadline_of_its_own_order(client, clock, fire):
    instance = await _rectifying(client, clock, "ZY-DL-RECT-AGAIN", "2026-10-16")
    clock.set(utc(2026, 10, 15, 1))
    instance = await complete(client, instance, "rectification", {
        "rectification_report": "部分接入"}, UNIT)
    instance = await complete(client, instance, "rectification_review", NO, HUB)
    instance = await complete(client, instance, "supervision_measure",
                              {"measure": "defer_funds", "opinion": "暂缓拨付建设资金"}, HUB)
    assert keys(instance) == ["rectification_order"]  # the first deadline is not reused
    instance = await complete(client, instance, "rectification_order",
                              ORDER | {"rectification_due": "2026-10-30"}, HUB)
    assert ready(instance, "rectification")["due_at"] == "2026-10-30T15:59:59.999999Z"
    clock.set(utc(2026, 10, 30, 15, 59, 59))  # long past the first round's deadline
    await fire()
    await assert_not_escalated(client, instance, ["rectification"])
    clock.set(utc(2026, 10, 30, 16))
    await fire()
    await assert_escalated(client, instance, "rectification", "招远 第二十四条",
                           "2026-10-30T15:59:59.999999")


async def test_a_refusal_recorded_in_time_cancels_the_rectification_deadline(client, clock,
                                                                           fire):
    instance = await _rectifying(client, clock, "ZY-DL-RECT-REFUSED", "2026-10-16")
    instance = await message(client, instance, "rectification_refused")  # 拒不整改
    assert keys(instance) == ["supervision_measure"]
    clock.set(utc(2026, 10, 19, 1))
    await fire()
    await assert_not_escalated(client, instance, ["supervision_measure"])


async def test_termination_closes_an_open_rectification_escalation(client, clock, fire):
    instance = await _rectifying(client, clock, "ZY-DL-RECT-TERM", "2026-10-16")
    clock.set(utc(2026, 10, 19, 1))
    await fire()
    await assert_escalated(client, instance, "rectification", "招远 第二十四条",
                           "2026-10-16T15:59:59.999999")
    instance = await message(client, instance, "rectification_refused")
    assert keys(instance) == ["rectification_escalation", "supervision_measure"]
    instance = await complete(client, instance, "supervision_measure",
                              {"measure": "terminate", "opinion": "拒不整改，终止项目"}, HUB)
    assert (instance["state"], instance["outcome"]) == ("completed", "terminated")
    assert instance["ready_tasks"] == []


async def test_the_progress_report_is_asked_for_every_year_of_construction(client, clock, fire):
    """第十一条 应于每年12月底前报告: a yearly duty, not one the unit may choose never to do.
    While the project is under construction, December 1 opens the report (due December 31);
    once reported, construction resumes, and the next December 1 asks again."""
    instance = await _building(client, clock, "ZY-DL-YEARLY")
    assert keys(instance) == ["implementation"]
    clock.set(utc(2026, 11, 30, 15, 59, 59))  # 23:59:59 on November 30
    await fire()
    assert keys(await state(client, instance)) == ["implementation"]
    for year in (2026, 2027):
        clock.set(utc(year, 11, 30, 16))  # 00:00 on December 1
        await fire()
        instance = await state(client, instance)
        assert keys(instance) == ["progress_report"], year
        assert ready(instance, "progress_report")["due_at"] == f"{year}-12-31T15:59:59.999999Z"
        clock.set(utc(year, 12, 2, 1))
        instance = await complete(client, instance, "progress_report", {
            "construction_progress": f"{year}年度建设进度", "budget_execution": "按计划支付",
            "budget_execution_report": DOC},
            UNIT)
        assert keys(instance) == ["implementation"]
        clock.set(utc(year + 1, 1, 4, 1))  # once a year: nothing more this December
        await fire()
        assert keys(await state(client, instance)) == ["implementation"]
    # the December openings, and no report was late
    passed = [e["element_id"] for e in await events(client, instance, "deadline_passed")]
    assert passed == ["progress_report_due", "progress_report_due"]


async def test_an_open_progress_report_escalation_holds_back_the_acceptance(client, clock, fire):
    # the escalation is a branch of construction_process: the stage ends with its last branch
    # (docs/cities/zhaoyuan.md "The split into stages")
    instance = await _building(client, clock, "ZY-DL-REPORT-HOLD")
    clock.set(utc(2026, 12, 20, 1))
    instance = await step(client, instance, "report_progress")
    clock.set(utc(2026, 12, 31, 16))
    await fire()
    instance = await complete(client, instance, "progress_report", {
        "construction_progress": "系统上线试运行", "budget_execution": "已支付90%",
        "budget_execution_report": DOC}, UNIT)
    instance = await step(client, instance, "completed")
    assert keys(instance) == ["progress_report_escalation"]
    instance = await complete(client, instance, "progress_report_escalation", URGE, HUB)
    assert keys(instance) == ["security_crypto_review"]
