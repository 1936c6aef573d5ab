"""高青's review stage (``review.bpmn``) is a called process, and a called process ends only
when every path in it has ended. A late review is therefore reported to the main process
(escalation end ``<task>_overdue_reported``), which opens ``<task>_escalation`` on a
non-interrupting boundary of the ``review`` call activity: the project goes on to the
annual-plan wait (三(二)3) while the hub's escalation is still open, as in the single diagram.
An escalation still open when the project ends keeps the instance running until it is closed,
and the project then ends with its own outcome (also as in the single diagram)."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from govflow.timers.worker import Worker

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_support import (
    DECLARATION,
    DOC,
    EXPERTS,
    FINANCE,
    FUND_OK,
    GOVERNMENT,
    HUB,
    HUB_LANE,
    INITIAL_PASSED,
    JOINT_OK,
    ONSITE_OK,
    TENANT,
    UNIT,
    WRITTEN_OK,
    begin,
    complete,
    in_construction,
    inspect,
    keys,
    message,
    state,
    step,
)
from tests.support.api import API, ready
from tests.support.bundled import bundled

PLAN_YEAR = 2027
SEP_28_0900 = datetime(2026, 9, 28, 1, tzinfo=UTC)   # declared for 2027
DEC_01_0000 = datetime(2026, 11, 30, 16, tzinfo=UTC)  # the reviews' deadline has passed
ESCALATED = {"measure": "urge", "opinion": "已督促限期办结"}
# the review tasks each kind needs (in order), and who signs them
REVIEWS = {"written_review": (WRITTEN_OK, EXPERTS), "onsite_review": (ONSITE_OK, EXPERTS),
           "joint_review": (JOINT_OK, HUB), "fund_review": (FUND_OK, FINANCE)}


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


async def fetch(client: httpx.AsyncClient, instance: dict) -> dict:
    response = await client.get(f"{API}/process-instances/{instance['id']}", headers=HUB)
    assert response.status_code == 200, response.text
    return response.json()


async def overdue(client: httpx.AsyncClient, ctx, key: str, late: str) -> dict:
    """A project whose ``late`` review passes its deadline (November 30, 三(二)1、2); every
    other review is signed in time. The instance just after all reviews are signed."""
    ctx.clock.set(SEP_28_0900)
    onsite = late == "onsite_review"
    instance = await begin(client, key, **({"total_investment": 120} if onsite else {}))
    instance = await complete(client, instance, "declare", DECLARATION, UNIT)
    tasks = ["onsite_review" if onsite else "written_review", "joint_review", "fund_review"]
    for task in tasks[:tasks.index(late)]:
        instance = await complete(client, instance, task, *REVIEWS[task])
    ctx.clock.set(DEC_01_0000)
    await Worker(ctx, "test").fire_due()
    instance = await fetch(client, instance)
    escalation = ready(instance, f"{late}_escalation")
    assert (escalation["lane"], escalation["candidate_groups"]) == (HUB_LANE, ["hub", "finance"])
    for task in tasks[tasks.index(late):]:
        instance = await complete(client, instance, task, *REVIEWS[task])
    return instance


async def candidates(client: httpx.AsyncClient) -> list[str]:
    response = await client.get(f"{API}/tenants/{TENANT}/annual-plans/{PLAN_YEAR}",
                                headers=GOVERNMENT)
    assert response.status_code == 200, response.text
    return [c["business_key"] for c in response.json()["candidates"]]


@pytest.mark.parametrize("late", list(REVIEWS))
async def test_an_open_review_escalation_does_not_hold_the_project_back(client, ctx, late):
    key = f"GQ-ESC-{late}"
    instance = await overdue(client, ctx, key, late)
    # the review stage has ended: the project waits for the plan beside the open escalation
    # (joint and fund review share a deadline: a late joint review's partner is late too)
    open_now = keys(instance)
    assert f"{late}_escalation" in open_now
    assert all(k.endswith("_review_escalation") for k in open_now), open_now
    assert key in await candidates(client)
    # listed in the plan, it goes on to procurement with the escalation still open
    instance = await message(client, instance, "annual_plan_approved")
    assert keys(instance) == sorted(["procurement_documents", *open_now])
    # the escalation is still completable, and closes its branch only
    instance = await complete(client, instance, f"{late}_escalation", ESCALATED, FINANCE)
    assert f"{late}_escalation" not in keys(instance)
    assert "procurement_documents" in keys(instance)
    assert instance["state"] == "running"


async def test_an_escalation_open_when_the_project_ends_keeps_it_running_until_closed(
        client, ctx):
    """A project left out of the plan ends not_in_plan; the open escalation keeps the
    instance running until the hub closes it, as in the single diagram."""
    instance = await overdue(client, ctx, "GQ-ESC-LEFT-OUT", "written_review")
    # the joint and fund reviews, opened after November 30, escalated at once too
    escalations = ["fund_review_escalation", "joint_review_escalation",
                   "written_review_escalation"]
    assert keys(instance) == escalations
    instance = await message(client, instance, "not_in_plan")
    assert keys(instance) == escalations
    for escalation in escalations:
        assert await state(client, instance) == ("running", None)
        instance = await complete(client, instance, escalation, ESCALATED, HUB)
    assert await state(client, instance) == ("completed", "not_in_plan")


# -- rectification (三(三)4、三(四)2、四): called by the stages, reported to the main process --

RECTIFIED = {"rectification_plan": DOC, "rectification_report": DOC}


async def late_rectification(client: httpx.AsyncClient, ctx, instance: dict,
                             due: datetime) -> dict:
    """An inspection with findings during implementation, a rectification ordered for
    ``due`` and left open past it: the instance after the timer fired."""
    instance = await message(client, instance, "inspection_started")
    instance = await inspect(client, instance, {"hub": "problems"})
    instance = await step(client, instance, "rectification_order", {
        "rectification_requirements": "按方案部署", "rectification_due": due.date().isoformat()})
    ctx.clock.set(due + timedelta(days=1))  # 00:00 Shanghai the day after the date
    await Worker(ctx, "test").fire_due()
    return await fetch(client, instance)


async def test_an_open_rectification_escalation_does_not_hold_the_return_to_implementation(
        client, ctx):
    ctx.clock.set(datetime(2025, 9, 1, 1, tzinfo=UTC))
    instance = await in_construction(client, "GQ-ESC-RECT", plan_year=2026)
    instance = await late_rectification(client, ctx, instance, datetime(2026, 10, 2, 16,
                                                                       tzinfo=UTC))
    assert keys(instance) == ["rectification", "rectification_escalation"]
    escalation = ready(instance, "rectification_escalation")
    assert (escalation["lane"], escalation["candidate_groups"]) == (HUB_LANE, ["hub", "finance"])
    # the unit rectifies: the project is back at implementation, the escalation still open
    instance = await step(client, instance, "rectification", RECTIFIED, UNIT)
    assert keys(instance) == ["implementation", "rectification_escalation"]
    instance = await complete(client, instance, "rectification_escalation", ESCALATED, FINANCE)
    assert keys(instance) == ["implementation"]
    assert instance["state"] == "running"


async def test_a_rectification_late_twice_in_one_construction_stage_escalates_twice(
        client, ctx):
    ctx.clock.set(datetime(2025, 9, 1, 1, tzinfo=UTC))
    instance = await in_construction(client, "GQ-ESC-RECT-2", plan_year=2026)
    instance = await late_rectification(client, ctx, instance, datetime(2026, 10, 2, 16,
                                                                       tzinfo=UTC))
    instance = await step(client, instance, "rectification", RECTIFIED, UNIT)
    # a second inspection in the same construction stage, and a second late rectification
    instance = await late_rectification(client, ctx, instance, datetime(2026, 11, 2, 16,
                                                                       tzinfo=UTC))
    assert keys(instance) == ["rectification", "rectification_escalation",
                              "rectification_escalation"]
    instance = await step(client, instance, "rectification", RECTIFIED, UNIT)
    assert keys(instance) == ["implementation", "rectification_escalation",
                              "rectification_escalation"]
    for _ in range(2):
        instance = await complete(client, instance, "rectification_escalation", ESCALATED, HUB)
    assert keys(instance) == ["implementation"]


# -- the initial acceptance (三(四)1): a failed one goes back to the construction stage ---------

COMPLETED = {"next_step": "completed", "completed_on": "2026-04-01"}
FAILED = INITIAL_PASSED | {"initial_result": "failed", "opinion": "功能未完成"}
OCT_08_2400 = datetime(2026, 10, 8, 16, tzinfo=UTC)  # half a year from April 1 has passed


async def late_initial_acceptance(client: httpx.AsyncClient, ctx, key: str) -> dict:
    """A project completed on 2026-04-01 whose initial acceptance is still open after the
    half year (due 2026-10-08 after National Day): the instance after the timers fired."""
    ctx.clock.set(datetime(2025, 9, 1, 1, tzinfo=UTC))
    instance = await in_construction(client, key, plan_year=2026)
    ctx.clock.set(datetime(2026, 4, 3, 1, tzinfo=UTC))
    instance = await step(client, instance, "implementation", COMPLETED)
    ctx.clock.set(OCT_08_2400)
    await Worker(ctx, "test").fire_due()
    instance = await fetch(client, instance)
    assert keys(instance) == ["initial_acceptance", "initial_acceptance_escalation"]
    escalation = ready(instance, "initial_acceptance_escalation")
    assert (escalation["lane"], escalation["candidate_groups"]) == (HUB_LANE, ["hub", "finance"])
    return instance


async def test_an_open_initial_acceptance_escalation_does_not_hold_the_return_to_construction(
        client, ctx):
    instance = await late_initial_acceptance(client, ctx, "GQ-ESC-INIT")
    instance = await complete(client, instance, "initial_acceptance", FAILED, UNIT)
    assert keys(instance) == ["implementation", "initial_acceptance_escalation"]
    assert instance["variables"]["phase"] == "construction"
    instance = await complete(client, instance, "initial_acceptance_escalation", ESCALATED,
                              FINANCE)
    assert keys(instance) == ["implementation"]
    assert instance["state"] == "running"


async def test_an_initial_acceptance_late_twice_in_one_acceptance_stage_escalates_twice(
        client, ctx):
    instance = await late_initial_acceptance(client, ctx, "GQ-ESC-INIT-2")
    # an extension asked and refused: the initial acceptance again, still past its half year
    instance = await complete(client, instance, "initial_acceptance", INITIAL_PASSED | {
        "initial_result": "extension", "opinion": "等待上级平台对接"}, UNIT)
    instance = await complete(client, instance, "acceptance_extension", {
        "approved": False, "opinion": "理由不充分", "special_reason": False}, HUB)
    await Worker(ctx, "test").fire_due()
    instance = await fetch(client, instance)
    assert keys(instance) == ["initial_acceptance", "initial_acceptance_escalation",
                              "initial_acceptance_escalation"]
    instance = await complete(client, instance, "initial_acceptance", FAILED, UNIT)
    assert keys(instance) == ["implementation", "initial_acceptance_escalation",
                              "initial_acceptance_escalation"]
    for _ in range(2):
        instance = await complete(client, instance, "initial_acceptance_escalation", ESCALATED,
                                  HUB)
    assert keys(instance) == ["implementation"]
