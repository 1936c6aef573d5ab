"""河源's deadlines (all 原则上, in principle) as due dates and escalation timers.

Every review with a deadline (密码应用审核 5 working days 第十一条(二), 初步审核 10 第十一条(四),
资金审核 12 第十一条(五), 立项批复 5 第十一条(六), 验收前符合性审查 10 第二十四条) is due that many
working days after it becomes ready: the submission to that reviewer. When the due moment
(the end of the due day in Asia/Shanghai) passes, a non-interrupting boundary timer opens
an escalation task in the 市政务服务数据管理局 lane; the review stays open and nothing ends.

Every expected due moment below is counted by hand from the State Council's arrangements:
- 2024 National Day: Oct 1–7 off, Sep 29 (Sun) and Oct 12 (Sat) worked. From Fri 2024-09-27:
  Sep 29, 30, Oct 8, 9, 10 (5th), 11, 12, 14, 15, 16 (10th), 17, 18 (12th) — the digest's
  reference (5 WD → 10-10, 10 → 10-16, 12 → 10-18).
- 2026 National Day: Oct 1–7 off, Sep 20 (Sun) and Oct 10 (Sat) worked. From Mon 2026-09-28:
  Sep 29, 30, Oct 8, 9, 10 (5th, a make-up Saturday), 12, 13, 14, 15, 16 (10th), 19, 20 (12th).
- 2026 Spring Festival: Feb 15–23 off, Feb 14 (Sat) and Feb 28 (Sat) worked. From Wed
  2026-02-11: Feb 12, 13, 14, 24, 25 (5th), 26, 27, 28, Mar 2, 3 (10th), 4, 5 (12th).
The due moment is 23:59:59.999999 on the due day in Shanghai, i.e. 15:59:59.999999Z.
"""

from datetime import UTC, datetime, timedelta

import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.scenarios.heyuan.heyuan_support import (
    ACCEPTED,
    APPROVAL_OK,
    ARCHIVE_OK,
    CRYPTO,
    CRYPTO_DECLARATION,
    CRYPTO_OK,
    DECLARATION,
    FINANCE_ACCEPTED,
    FUND_OK,
    HUB,
    HUB_LANE,
    INITIAL_OK,
    OK,
    TASKS,
    TENANT,
    UNIT,
    begin,
    fetch,
    keys,
    review,
    step,
)
from tests.support.api import API, history, ready
from tests.support.bundled import bundled

REFERENCE_START = datetime(2024, 9, 27, 1, 0, tzinfo=UTC)  # Fri 09:00 in Shanghai
NATIONAL_DAY_2026 = datetime(2026, 9, 28, 1, 0, tzinfo=UTC)  # Mon 09:00 in Shanghai
SPRING_FESTIVAL_2026 = datetime(2026, 2, 11, 1, 0, tzinfo=UTC)  # Wed 09:00 in Shanghai
PROCURED = {"procurement_result": "公开招标", "contracts_signed": True}
ESCALATED = {"measure": "urge", "opinion": "已督促尽快出具审核意见"}

# the escalation task's name, after the host task's name
NAMES = {"crypto_review": "超期督办：密码应用审核", "initial_review": "超期督办：初步审核",
         "fund_review": "超期督办：资金审核", "approval": "超期督办：立项批复",
         "conformity_review": "超期督办：验收前符合性审查"}
# the clause the escalation cites: the deadline's clause, then the supervision (第二十六条)
CLAUSES = {"crypto_review": "河源 第十一条(二)、第二十六条",
           "initial_review": "河源 第十一条(四)、第二十六条",
           "fund_review": "河源 第十一条(五)、第二十六条",
           "approval": "河源 第十一条(六)、第二十六条",
           "conformity_review": "河源 第二十四条、第二十六条"}


# what each review submits when it passes
DATA = {"crypto_review": CRYPTO_OK, "initial_review": INITIAL_OK, "fund_review": FUND_OK,
        "approval": APPROVAL_OK, "conformity_review": OK}


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


async def walk_to(client, key: str, task: str) -> dict:
    """Start a project and walk it, at the current clock, until ``task`` is ready. A crypto
    project of 120万 (full review), professional class. The reviews run in the order of
    第十一条: crypto, initial, fund, approval; each is done at once until ``task``."""
    instance = await begin(client, key, amount=120, crypto=True)
    instance = await step(client, instance, "declare", CRYPTO_DECLARATION)
    if task == "crypto_review":
        return instance
    instance = await step(client, instance, "crypto_review", CRYPTO_OK, check_due=False)
    if task == "initial_review":
        return instance
    instance = await step(client, instance, "initial_review", INITIAL_OK, check_due=False)
    if task == "fund_review":
        return instance
    instance = await step(client, instance, "fund_review", FUND_OK, check_due=False)
    if task == "approval":
        return instance
    for done, data in (("approval", APPROVAL_OK), ("procurement", PROCURED),
                       ("implementation", {"next_step": "completed"}),
                       ("initial_acceptance", OK), ("archive_acceptance", ARCHIVE_OK)):
        instance = await step(client, instance, done, data, check_due=False)
    assert task == "conformity_review"
    return instance


async def fire(ctx, client, instance: dict, at: datetime) -> dict:
    """Move the clock to ``at``, fire every due timer, and reload the instance."""
    ctx.clock.set(at)
    await Worker(ctx, "test").fire_due()
    return await fetch(client, instance)


def passed(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["element_id"], e["data"]["due_at"]) for e in events
            if e["event"] == "deadline_passed"]


def due_moment(day: str) -> datetime:
    """The last microsecond of ``day`` in Shanghai, in UTC (``day`` is the due day)."""
    return datetime.fromisoformat(f"{day}T15:59:59.999999+00:00")


async def escalates_at(client, ctx, instance: dict, task: str, day: str) -> dict:
    """``task`` is due at the end of ``day``: nothing happens just before; right after, the
    bureau gets the escalation and the task stays open."""
    assert ready(instance, task)["due_at"] == f"{day}T15:59:59.999999Z"
    before = await fire(ctx, client, instance, due_moment(day) - timedelta(seconds=1))
    assert keys(before) == keys(instance)
    assert passed(await history(client, instance["id"])) == []
    after = await fire(ctx, client, instance, due_moment(day) + timedelta(microseconds=1))
    assert keys(after) == sorted([*keys(instance), f"{task}_escalation"])
    assert after["state"] == "running"
    escalation = ready(after, f"{task}_escalation")
    assert (escalation["lane"], escalation["clause"], escalation["candidate_groups"],
            escalation["name"]) == (HUB_LANE, CLAUSES[task], ["hub"], NAMES[task])
    # history writes the due moment with an explicit offset (the task's due_at ends in Z)
    assert passed(await history(client, instance["id"])) == [
        (f"{task}_overdue", f"{day}T15:59:59.999999Z")]
    assert ready(after, task)["id"] == ready(instance, task)["id"]  # the same task, still open
    return after


# -- the digest's reference: from 2024-09-27, 5 WD → 10-10, 10 → 10-16, 12 → 10-18 ---------

REFERENCE = [("crypto_review", "2024-10-10"), ("initial_review", "2024-10-16"),
             ("fund_review", "2024-10-18"), ("approval", "2024-10-10"),
             ("conformity_review", "2024-10-16")]


@pytest.mark.parametrize(("task", "day"), REFERENCE)
async def test_reference_deadlines_from_2024_09_27_escalate(client, ctx, task, day):
    ctx.clock.set(REFERENCE_START)
    instance = await walk_to(client, f"REF-{task}", task)
    assert ready(instance, task)["due_estimated"] is False
    instance = await escalates_at(client, ctx, instance, task, day)
    # the bureau records its measure; the branch just ends, the review is still open
    instance = await step(client, instance, f"{task}_escalation", ESCALATED)
    assert task in keys(instance)
    assert f"{task}_escalation" not in keys(instance)
    assert (await fetch(client, instance))["state"] == "running"


# -- 2026: National Day and Spring Festival ----------------------------------------------

NATIONAL_DAY = [("crypto_review", "2026-10-10"), ("initial_review", "2026-10-16"),
                ("fund_review", "2026-10-20"), ("approval", "2026-10-10"),
                ("conformity_review", "2026-10-16")]


@pytest.mark.parametrize(("task", "day"), NATIONAL_DAY)
async def test_deadlines_across_national_day_2026_escalate(client, ctx, task, day):
    ctx.clock.set(NATIONAL_DAY_2026)
    instance = await walk_to(client, f"ND26-{task}", task)
    await escalates_at(client, ctx, instance, task, day)


SPRING_FESTIVAL = [("crypto_review", "2026-02-25"), ("initial_review", "2026-03-03"),
                   ("fund_review", "2026-03-05"), ("approval", "2026-02-25"),
                   ("conformity_review", "2026-03-03")]


@pytest.mark.parametrize(("task", "day"), SPRING_FESTIVAL)
async def test_deadlines_across_spring_festival_2026_escalate(client, ctx, task, day):
    ctx.clock.set(SPRING_FESTIVAL_2026)
    instance = await walk_to(client, f"SF26-{task}", task)
    await escalates_at(client, ctx, instance, task, day)


# -- in time: no escalation --------------------------------------------------------------

@pytest.mark.parametrize(("task", "day"), REFERENCE)
async def test_a_review_done_in_time_is_never_escalated(client, ctx, task, day):
    ctx.clock.set(REFERENCE_START)
    instance = await walk_to(client, f"ONTIME-{task}", task)
    ctx.clock.set(due_moment(day) - timedelta(hours=1))  # the last hour of the due day
    instance = await step(client, instance, task, DATA[task], check_due=False)
    instance = await fire(ctx, client, instance, due_moment(day) + timedelta(days=30))
    assert f"{task}_escalation" not in keys(instance)
    # (a review done in time hands over to the next one, whose own clock runs on)
    assert [e for e, _ in passed(await history(client, instance["id"]))
            if e == f"{task}_overdue"] == []


async def test_the_filing_review_has_no_deadline(client, ctx):
    """第十二条 sets no period for the filing review: no due date, nothing escalates."""
    ctx.clock.set(REFERENCE_START)
    instance = await begin(client, "FILING-NO-DEADLINE", amount=50)
    instance = await step(client, instance, "declare", DECLARATION)
    assert ready(instance, "filing_review")["due_at"] is None
    instance = await fire(ctx, client, instance, REFERENCE_START + timedelta(days=400))
    assert keys(instance) == ["filing_review"]
    assert passed(await history(client, instance["id"])) == []


# -- escalation never ends or changes the project ---------------------------------------

async def test_escalated_reviews_still_decide_and_the_project_is_accepted(client, ctx):
    ctx.clock.set(REFERENCE_START)
    instance = await walk_to(client, "ESC-WHOLE", "initial_review")
    # the initial review is overdue after 10-16; done on 10-17, the fund review's 12 WD
    # start then (第十一条(五): the submission to finance) and it is overdue after 11-04
    instance = await fire(ctx, client, instance, due_moment("2024-10-16") + timedelta(hours=1))
    assert keys(instance) == ["initial_review", "initial_review_escalation"]
    instance = await step(client, instance, "initial_review_escalation",
                          {"measure": "note", "opinion": "初审超期，已记录"})
    instance = await step(client, instance, "initial_review", INITIAL_OK, check_due=False)
    # from Thu 10-17: Oct 18, 21..25, 28..31, Nov 1, 4 (12th)
    assert ready(instance, "fund_review")["due_at"] == "2024-11-04T15:59:59.999999Z"
    instance = await fire(ctx, client, instance, due_moment("2024-11-04") + timedelta(hours=1))
    assert keys(instance) == ["fund_review", "fund_review_escalation"]
    instance = await step(client, instance, "fund_review",
                          FUND_OK | {"opinion": "资金已落实"}, check_due=False)
    # the escalation's opinion stays on its own branch: the approval sees the reviews' own
    assert keys(instance) == ["approval", "fund_review_escalation"]
    approval = await fetch(client, instance)
    assert {k: approval["variables"].get(k) for k in (
        "initial_review_opinion", "fund_review_opinion")} == {
        "initial_review_opinion": "同意", "fund_review_opinion": "资金已落实"}
    instance = await step(client, instance, "approval", APPROVAL_OK, check_due=False)
    for task, data in (("procurement", PROCURED), ("implementation", {"next_step": "completed"}),
                       ("initial_acceptance", OK), ("archive_acceptance", ARCHIVE_OK),
                       ("conformity_review", OK), ("final_acceptance", ACCEPTED),
                       ("finance_acceptance", FINANCE_ACCEPTED),
                       ("crypto_acceptance_filing", {"report_received": True}),
                       ("acceptance_filing", {"report_received": True,
                                              "post_evaluation": False})):
        instance = await step(client, instance, task, data, check_due=False)
    # the main path has ended; the open escalation keeps the instance running until closed
    assert keys(instance) == ["fund_review_escalation"]
    assert instance["state"] == "running"
    instance = await step(client, instance, "fund_review_escalation",
                          {"measure": "rectify", "opinion": "限期整改资金审核流程"})
    assert (instance["state"], instance["outcome"], instance["ready_tasks"]) == (
        "completed", "accepted", [])


async def test_escalation_form_needs_a_measure_and_an_opinion(client, ctx):
    ctx.clock.set(REFERENCE_START)
    instance = await walk_to(client, "ESC-FORM", "crypto_review")
    instance = await fire(ctx, client, instance, due_moment("2024-10-10") + timedelta(hours=1))
    task = ready(instance, "crypto_review_escalation")
    for bad in ({"opinion": "督促"}, {"measure": "urge"}, {"measure": "urge", "opinion": ""},
                {"measure": "terminate", "opinion": "终止"}):
        response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                     json={"variables": bad}, headers=HUB)
        assert response.status_code == 422, bad
    for other in (CRYPTO, UNIT):  # only the bureau escalates
        response = await client.post(f"{API}/tasks/{task['id']}/complete",
                                     json={"variables": ESCALATED}, headers=other)
        assert response.status_code == 403


# -- a resubmission starts a new clock ------------------------------------------------

async def test_a_resubmitted_conformity_review_has_a_new_deadline(client, ctx):
    """第二十五条: after rectification the unit resubmits; the new review is due 10 WD after
    the resubmission, and escalates again if late."""
    ctx.clock.set(REFERENCE_START)
    instance = await walk_to(client, "RESUBMIT", "conformity_review")
    instance = await escalates_at(client, ctx, instance, "conformity_review", "2024-10-16")
    instance = await step(client, instance, "conformity_review", review(False), check_due=False)
    assert keys(instance) == ["conformity_review_escalation", "rectification"]
    # resubmitted on Mon 2024-10-21 at 10:00 Shanghai: Oct 22..25, 28..31, Nov 1, 4 (10th)
    ctx.clock.set(datetime(2024, 10, 21, 2, 0, tzinfo=UTC))
    instance = await step(client, instance, "rectification", {"rectification_report": "已整改"})
    instance = await step(client, instance, "conformity_review_escalation", ESCALATED)
    assert keys(instance) == ["conformity_review"]
    assert ready(instance, "conformity_review")["due_at"] == "2024-11-04T15:59:59.999999Z"
    instance = await fire(ctx, client, instance, due_moment("2024-11-04") - timedelta(seconds=1))
    assert keys(instance) == ["conformity_review"]
    instance = await fire(ctx, client, instance, due_moment("2024-11-04") + timedelta(seconds=1))
    assert keys(instance) == ["conformity_review", "conformity_review_escalation"]
    assert passed(await history(client, instance["id"])) == [
        ("conformity_review_overdue", "2024-10-16T15:59:59.999999Z"),
        ("conformity_review_overdue", "2024-11-04T15:59:59.999999Z")]


async def test_a_refused_crypto_review_restarts_on_resubmission(client, ctx):
    """A refused crypto review returns to the scheme (第十一条(二)); the new submission gets
    its own 5 WD, and the old timer is gone with the finished task."""
    ctx.clock.set(REFERENCE_START)
    instance = await walk_to(client, "CRYPTO-AGAIN", "crypto_review")
    instance = await step(client, instance, "crypto_review",
                          review(False, ("crypto_compliant", "")) | {"copied_to_hub": True},
                          check_due=False)
    ctx.clock.set(datetime(2024, 10, 9, 1, 0, tzinfo=UTC))  # Wed: Oct 10, 11, 12, 14, 15
    instance = await step(client, instance, "declare", CRYPTO_DECLARATION)
    assert ready(instance, "crypto_review")["due_at"] == "2024-10-15T15:59:59.999999Z"
    instance = await fire(ctx, client, instance, due_moment("2024-10-10") + timedelta(hours=1))
    assert keys(instance) == ["crypto_review"]  # the first submission's deadline is void
    await escalates_at(client, ctx, instance, "crypto_review", "2024-10-15")


def test_every_escalation_is_in_the_support_table():
    for task in NAMES:
        assert TASKS[f"{task}_escalation"][:2] == (HUB_LANE, CLAUSES[task])
