"""高青's bundled files as files: clean layout, what the drafting script writes, a clause on
every task, gateway, business rule task and conditional flow, an outcome on every end event of
the main process, lanes as the contract names them, and no form id that SpiffWorkflow could
take for a flow node. The project is a main process calling one process per stage of the
text (STAGES); what is asked of "the project" is asked of them together."""

import pytest
from lxml import etree

from tests.support.bundled import bundled
from tools.bpmn_builder import NS, validate_layout

TENANT = "gaoqing"
STAGES = ["declaration.bpmn", "review.bpmn", "procurement.bpmn", "construction.bpmn",
          "acceptance.bpmn", "rectification.bpmn"]
PROJECT = ["gaoqing_project.bpmn", *STAGES]
BPMN = [*PROJECT, "annual_plan.bpmn"]
CITED = {"userTask", "manualTask", "businessRuleTask", "exclusiveGateway", "inclusiveGateway",
         "parallelGateway", "eventBasedGateway", "callActivity", "boundaryEvent",
         "intermediateCatchEvent", "intermediateThrowEvent"}
# timers whose stage reports the overdue task to the main process (escalation end event
# `<task>_overdue_reported`, caught on the call activity by `<task>_overdue_caught`)
REPORTED = ("written_review", "onsite_review", "joint_review", "fund_review", "rectification",
            "initial_acceptance", "initial_acceptance_extended")
# the call activities of the main process a stage's report reaches (rectification is called
# by the construction and the acceptance stage, and reports through them)
CAUGHT_ON = {"rectification": ["acceptance", "construction"],
             "initial_acceptance": ["acceptance"], "initial_acceptance_extended": ["acceptance"]}
OUTCOMES = {"rejected", "filed_only", "not_in_plan", "accepted", "terminated", "out_of_scope"}
ROLES = {"unit", "hub", "finance", "experts", "approval", "government", "audit", "secrecy"}


def tree(name: str) -> etree._Element:
    return etree.fromstring(bundled(TENANT)[name])


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


@pytest.mark.parametrize("name", BPMN)
def test_layout_is_clean(name):
    assert validate_layout(bundled(TENANT)[name]) == []


@pytest.mark.parametrize("name", BPMN)
def test_every_rule_bearing_element_cites_a_gaoqing_clause(name):
    root = tree(name)
    missing = []
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace != NS["bpmn"]:
            continue
        conditional = local(el) == "sequenceFlow" and \
            el.find("bpmn:conditionExpression", NS) is not None
        if local(el) in CITED or conditional:
            doc = el.find("bpmn:documentation", NS)
            if doc is None or not doc.text.startswith("高青 "):
                missing.append(el.get("id"))
    assert missing == []


def outcome(end: etree._Element) -> str | None:
    prop = end.find(".//camunda:property[@name='outcome']", NS)
    return None if prop is None else prop.get("value")


def test_every_end_of_the_main_process_has_a_contract_outcome_but_escalations():
    root = tree("gaoqing_project.bpmn")
    ends = root.findall(".//bpmn:process/bpmn:endEvent", NS)
    outcomes = {end.get("id"): outcome(end) for end in ends}
    # the reviews' escalations are opened in the main process (a stage's open escalation
    # must not hold the next stage); their branches end with no outcome
    escalated = {e: o for e, o in outcomes.items() if e.endswith("_escalated")}
    assert escalated == {f"{task}_escalated": None for task in REPORTED}
    outcomes = {e: o for e, o in outcomes.items() if e not in escalated}
    # each contract outcome, and only those
    assert set(outcomes.values()) == OUTCOMES
    assert [e for e, o in outcomes.items() if o == "rejected"] == ["end_not_approved",
                                                                  "end_rejected"]
    # a stage's ends name no outcome (only the main process's count); an escalation branch
    # closes its stage's side path
    stage_ends = {end.get("id"): outcome(end) for name in STAGES
                  for end in tree(name).findall(".//bpmn:process/bpmn:endEvent", NS)}
    assert set(stage_ends.values()) == {None}
    assert {e for e in stage_ends if e.endswith("_escalated")} == {
        f"{task}_escalated" for task in ("acceptance_application", "final_acceptance")}


@pytest.mark.parametrize(("names", "timers"), [
    (PROJECT, {
        # interrupting: a declaration not made by September 30 moves to the next cycle (三(一))
        "declaration_closed": ("--09-30@declaration_year", "declare"),
        "written_review_overdue": ("--11-30@declaration_year", "written_review"),
        "onsite_review_overdue": ("--11-30@declaration_year", "onsite_review"),
        "joint_review_overdue": ("--11-30@declaration_year", "joint_review"),
        "fund_review_overdue": ("--11-30@declaration_year", "fund_review"),
        # 附件7 一: the application within the half year (or the extension, the rectification)
        "acceptance_application_overdue": ("P1D@application_due_from", "acceptance_application"),
        # counted from the completion date the unit records in implementation (三(四)1)
        "initial_acceptance_overdue": ("P6M@completed_on", "initial_acceptance"),
        "trial_run": ("P3M@completed_on", None),
        # the date the hub granted (附件7 一) or set for a rectification (三(三)4、三(四)2、四)
        "initial_acceptance_extended_overdue": ("@extended_until", "initial_acceptance_extended"),
        "rectification_overdue": ("@rectification_due", "rectification"),
        "final_acceptance_overdue": ("20WD", "final_acceptance")}),
    (["annual_plan.bpmn"], {
        "plan_compilation_overdue": ("--12-31@plan_year-1", "plan_compilation"),
        "plan_approval_overdue": ("--12-31@plan_year-1", "plan_approval")}),
])
def test_every_deadline_has_a_non_interrupting_timer_with_its_notation(names, timers):
    found = {}
    due = set()
    for name in names:
        found |= timers_of(tree(name))
        due |= {t.get("id") for t in tree(name).iterfind(".//bpmn:userTask", NS)
                if t.get(f"{{{NS['camunda']}}}dueDate")}
    assert found == timers
    assert due == {host for _, host in timers.values() if host}  # every deadline escalates


def timers_of(root: etree._Element) -> dict[str, tuple[str, str | None]]:
    """The timers of one file, each checked against its task (the escalation beside it)."""
    found = {}
    for definition in root.iter(f"{{{NS['bpmn']}}}timerEventDefinition"):
        event = definition.getparent()
        notation = definition.findtext("bpmn:timeDuration", namespaces=NS).strip()
        host = event.get("attachedToRef")
        found[event.get("id")] = (notation, host)
        if host:
            task = root.find(f".//bpmn:userTask[@id='{host}']", NS)
            assert task.get(f"{{{NS['camunda']}}}dueDate") == notation, host
            if event.get("id") == "declaration_closed":
                assert event.get("cancelActivity") != "false"  # the only interrupting one
                continue
            assert event.get("cancelActivity") == "false", host  # escalates, never interrupts
            escalation = root.find(f".//bpmn:userTask[@id='{host}_escalation']", NS)
            if host in REPORTED:  # reported to the main process, which opens the escalation
                assert escalation is None, host
                assert reports(root, event) == f"{host}_overdue"
                escalation = opened_in_main(f"{host}_overdue")
            assert escalation.get(f"{{{NS['camunda']}}}candidateGroups") == "hub,finance"
    return found


def reports(root: etree._Element, timer: etree._Element) -> str:
    """The escalation code the timer's branch throws: it leads straight to an escalation end."""
    flow = root.find(f".//bpmn:sequenceFlow[@sourceRef='{timer.get('id')}']", NS)
    end = root.find(f".//bpmn:endEvent[@id='{flow.get('targetRef')}']", NS)
    ref = end.find("bpmn:escalationEventDefinition", NS).get("escalationRef")
    return root.find(f"bpmn:escalation[@id='{ref}']", NS).get("escalationCode")


def opened_in_main(code: str) -> etree._Element:
    """The user task that the main process opens when the stage reports `code`: a
    non-interrupting escalation boundary on the stage's call activity leads to it."""
    root = tree("gaoqing_project.bpmn")
    ref = root.find(f"bpmn:escalation[@escalationCode='{code}']", NS).get("id")
    catches = [d.getparent() for d in root.iter(f"{{{NS['bpmn']}}}escalationEventDefinition")
               if d.get("escalationRef") == ref]
    task = code.removesuffix("_overdue")
    assert sorted(c.get("attachedToRef") for c in catches) == CAUGHT_ON.get(task, ["review"])
    opened = set()
    for catch in catches:
        assert (local(catch), catch.get("cancelActivity")) == ("boundaryEvent", "false")
        target = root.find(f".//bpmn:sequenceFlow[@sourceRef='{catch.get('id')}']", NS) \
            .get("targetRef")
        if root.find(f".//bpmn:exclusiveGateway[@id='{target}']", NS) is not None:  # a merge
            target = root.find(f".//bpmn:sequenceFlow[@sourceRef='{target}']", NS) \
                .get("targetRef")
        opened.add(target)
    assert opened == {f"{task}_escalation"}
    return root.find(f".//bpmn:userTask[@id='{task}_escalation']", NS)
