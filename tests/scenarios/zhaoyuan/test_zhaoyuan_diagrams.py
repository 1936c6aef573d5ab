"""招远's diagram set as files: layout, clauses, outcomes, and what the API serves of it."""

from pathlib import Path

import pytest
from lxml import etree

from tests.scenarios.zhaoyuan.zhaoyuan_walk import HUB, TENANT, deploy_zhaoyuan
from tests.support.api import API
from tests.support.bundled import bundled
from tools.bpmn_builder import NS, validate_layout

ROOT = Path(__file__).resolve().parents[3]
FILES = sorted(bundled(TENANT))
BPMN = [name for name in FILES if name.endswith(".bpmn")]
OUTCOMES = {"rejected", "filed_only", "not_in_plan", "accepted", "terminated", "out_of_scope"}
CITED = ("userTask", "manualTask", "businessRuleTask", "exclusiveGateway", "eventBasedGateway",
         "callActivity")


def _tree(name: str):
    return etree.fromstring(bundled(TENANT)[name])


@pytest.mark.parametrize("name", BPMN)
def test_layout_is_valid(name):
    assert validate_layout(bundled(TENANT)[name]) == []


@pytest.mark.parametrize("name", BPMN)
def test_every_step_cites_its_clause(name):
    root = _tree(name)
    for kind in CITED:
        for el in root.iter(f"{{{NS['bpmn']}}}{kind}"):
            doc = el.findtext(f"{{{NS['bpmn']}}}documentation") or ""
            assert doc.startswith("招远 第"), (el.get("id"), doc)
    for flow in root.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        if flow.find(f"{{{NS['bpmn']}}}conditionExpression") is not None:
            doc = flow.findtext(f"{{{NS['bpmn']}}}documentation") or ""
            assert doc.startswith("招远 第"), (flow.get("id"), doc)


def _outcome(end) -> str | None:
    prop = end.find(".//camunda:property[@name='outcome']", NS)
    return None if prop is None else prop.get("value")


def test_every_end_of_the_main_process_has_an_outcome_but_escalations():
    root = _tree("zhaoyuan_project.bpmn")
    process = root.find(f"{{{NS['bpmn']}}}process")
    assert process.get("id") == "zhaoyuan_project"
    assert process.get("name").startswith("招远市")
    ends = process.findall(f"{{{NS['bpmn']}}}endEvent")
    outcomes = {e.get("id"): _outcome(e) for e in ends}
    assert set(outcomes.values()) == OUTCOMES | {None}
    # an escalation branch closes without an outcome: the deadline does not end the project
    assert {i for i, o in outcomes.items() if o is None} == {
        "joint_review_escalated", "contract_filing_escalated"}


OPENING = {"progress_report_due"}


@pytest.mark.parametrize(("name", "timers"), [
    ("zhaoyuan_project.bpmn", {
        "declaration_window": ("--06-30@plan_year-1", None, None),
        "declaration_closed": ("--08-31@plan_year-1", "declare", "true"),
        "joint_review_overdue": ("--09-30@plan_year-1", "joint_review", "false"),
        "contract_filing_overdue": ("5WD@contract_signed_on", "contract_filing", "false")}),
    ("construction.bpmn", {
        "progress_report_overdue": ("--12-31", "progress_report", "false"),
        # 第十一条 每年12月底前: not a deadline of implementation but the yearly opening of
        # the report (December 1), which interrupts construction for it
        "progress_report_due": ("--11-30", "implementation", "true")}),
    ("annual_plan.bpmn", {
        "plan_compilation_overdue": ("--10-31@plan_year-1", "plan_compilation", "false"),
        "plan_countersign_overdue": ("--10-31@plan_year-1", "plan_countersign", "false"),
        "plan_approval_overdue": ("--10-31@plan_year-1", "plan_approval", "false")}),
    ("inspection.bpmn", {
        "rectification_overdue": ("@rectification_due", "rectification", "false")}),
])
def test_every_timer_has_the_notation_of_its_task_deadline(name, timers):
    """A boundary timer is its task's deadline, but for those that open a duty (OPENING)."""
    root = _tree(name)
    found = {}
    for definition in root.iter(f"{{{NS['bpmn']}}}timerEventDefinition"):
        event = definition.getparent()
        notation = definition.findtext(f"{{{NS['bpmn']}}}timeDuration").strip()
        found[event.get("id")] = (notation, event.get("attachedToRef"),
                                  event.get("cancelActivity", "true")
                                  if event.get("attachedToRef") else None)
        host = event.get("attachedToRef")
        if host and event.get("id") not in OPENING:
            task = root.find(f".//*[@id='{host}']")
            assert task.get(f"{{{NS['camunda']}}}dueDate") == notation, host
    assert found == timers


def _form_field(root, task: str, field: str):
    return root.find(f".//*[@id='{task}']//camunda:formField[@id='{field}']", NS)


def _required(field) -> bool:
    return field.find(".//camunda:constraint[@name='required']", NS) is not None


def test_each_date_a_deadline_counts_from_is_required_in_an_earlier_form():
    # 第二十一条: procurement records the signing; 第二十四条: the hub sets each rectification's
    # deadline when it orders one (the first time and after every failed review).
    signed = _form_field(_tree("zhaoyuan_project.bpmn"), "procurement", "contract_signed_on")
    inspection = _tree("inspection.bpmn")
    due = _form_field(inspection, "rectification_order", "rectification_due")
    for field in (signed, due):
        assert (field.get("type"), _required(field)) == ("date", True)
    assert _form_field(inspection, "inspection", "rectification_due") is None
    flows = inspection.iter(f"{{{NS['bpmn']}}}sequenceFlow")
    into_rectification = {f.get("sourceRef") for f in flows
                          if f.get("targetRef") == "rectification"}
    assert into_rectification == {"rectification_order"}


@pytest.fixture
async def set_id(client):
    diagram_set = await deploy_zhaoyuan(client)
    assert diagram_set["main_process_id"] == f"{TENANT}_project"
    assert sorted(diagram_set["decisions"]) == ["route"]
    return diagram_set["id"]


async def test_the_main_diagram_is_served_as_svg(client, set_id):
    response = await client.get(
        f"{API}/diagram-sets/{set_id}/processes/{TENANT}_project/svg", headers=HUB)
    assert response.status_code == 200, response.text
    assert "项目申报" in response.text
    meta = (await client.get(f"{API}/diagram-sets/{set_id}/processes/{TENANT}_project",
                             headers=HUB)).json()
    assert set(meta["called_processes"]) == {"construction_process", "change_process",
                                             "inspection_process", "acceptance_process"}
