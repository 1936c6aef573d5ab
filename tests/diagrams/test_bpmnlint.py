"""What a process owner edits is linted as the modeler lints it: the bpmnlint CLI, with the
repository's .bpmnlintrc (bpmnlint:recommended and the GovFlow plugin in
tools/bpmnlint-plugin-govflow), finds no error and no warning in any bundled diagram; and each
GovFlow rule catches the mistake it is there for, naming itself (docs/modeler.md).

Needs node; the pinned npm packages are installed by tools/bpmnlint-plugin-govflow/setup.sh
(run here when they are missing). Without node the tests skip.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from govflow.calendar.due import validate_due_spec

from tools.bpmn_builder import ProcessBuilder

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "tools" / "bpmnlint-plugin-govflow"
CONFIG = ROOT / ".bpmnlintrc"
DIAGRAMS = sorted((ROOT / "bpmn").glob("*/*.bpmn"))
NODE = shutil.which("node")
ROW = re.compile(r"^\s+(?P<id>\S+)\s+(?P<level>error|warning)\s+(?P<message>.+?)\s+(?P<rule>\S+)\s*$")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


@pytest.fixture(scope="session")
def bpmnlint() -> Path:
    setup = subprocess.run(["bash", str(PLUGIN / "setup.sh")], capture_output=True, text=True,
                           timeout=600, check=False)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    return PLUGIN / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js"


def lint(cli: Path, *files: Path) -> tuple[int, list[dict[str, str]], str]:
    """Run the CLI as an owner would (from the plugin's folder, so plugin:govflow resolves);
    returns the exit code, the reported rows and the raw output."""
    done = subprocess.run([str(NODE), str(cli), "--config", str(CONFIG), *map(str, files)],
                          cwd=PLUGIN, capture_output=True, text=True, timeout=120, check=False)
    output = done.stdout + done.stderr
    rows = [m.groupdict() for line in output.splitlines() if (m := ROW.match(line))]
    return done.returncode, rows, output


def test_every_bundled_diagram_is_clean(bpmnlint):
    assert DIAGRAMS, "no bundled diagrams found"
    code, rows, output = lint(bpmnlint, *DIAGRAMS)
    assert rows == [], output
    assert code == 0, output


def process(*, clause: str | None = "测试 第一条", groups: tuple[str, ...] = ("hub",),
            due: str | None = "10WD", timer: str | None = "10WD", timer_kind="timeDuration",
            cancel: bool = False, outcome: str | None = "accepted") -> bytes:
    """A main process as the modeler writes it: start -> review (clause, groups, due date,
    boundary timer -> escalation -> escalated end) -> end with an outcome."""
    b = ProcessBuilder("lint_case", "检查", lanes=[("hub", "大数据局")], main=True)
    b.start("start", "申报")
    b.user_task("review", "审查", clause=clause, candidate_groups=groups, due=due)
    b.end("done", "办结", clause="测试 第二条", outcome=outcome)
    if timer is not None:
        b.boundary_timer("review_overdue", "超期", attached_to="review", duration=timer,
                         kind=timer_kind, cancel=cancel, clause="测试 第三条")
        b.user_task("review_escalation", "督办", clause="测试 第三条", candidate_groups=["hub"])
        b.end("review_escalated", "督办完毕", clause="测试 第三条")
        b.flow("review_overdue", "review_escalation")
        b.flow("review_escalation", "review_escalated")
    b.flow("start", "review")
    b.flow("review", "done")
    return b.to_xml()


def lint_one(cli: Path, tmp_path: Path, xml: bytes) -> list[dict[str, str]]:
    path = tmp_path / "case.bpmn"
    path.write_bytes(xml)
    code, rows, output = lint(cli, path)
    assert (code == 0) == (rows == []), output
    return rows


def problems(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(row["id"], row["rule"]) for row in rows}


def test_a_diagram_following_the_conventions_is_clean(bpmnlint, tmp_path):
    assert lint_one(bpmnlint, tmp_path, process()) == []


def test_a_task_without_a_clause_is_an_error(bpmnlint, tmp_path):
    rows = lint_one(bpmnlint, tmp_path, process(clause=None))
    assert problems(rows) == {("review", "govflow/clause-required")}
    assert rows[0]["level"] == "error"
    assert "clause" in rows[0]["message"]


def test_a_user_task_without_candidate_groups_is_an_error(bpmnlint, tmp_path):
    rows = lint_one(bpmnlint, tmp_path, process(groups=()))
    assert problems(rows) == {("review", "govflow/candidate-groups-required")}
    assert "camunda:candidateGroups" in rows[0]["message"]


def test_an_end_of_the_main_process_without_outcome_is_an_error(bpmnlint, tmp_path):
    rows = lint_one(bpmnlint, tmp_path, process(outcome=None))
    # the escalation branch's end (after a non-interrupting timer) needs none
    assert problems(rows) == {("done", "govflow/end-outcome-required")}


def test_an_outcome_outside_the_contract_is_an_error(bpmnlint, tmp_path):
    rows = lint_one(bpmnlint, tmp_path, process(outcome="approved_with_changes"))
    assert problems(rows) == {("done", "govflow/end-outcome-required")}
    assert "approved_with_changes" in rows[0]["message"]


def test_an_end_after_an_interrupting_timer_needs_an_outcome(bpmnlint, tmp_path):
    rows = lint_one(bpmnlint, tmp_path, process(cancel=True))
    assert problems(rows) == {("review_escalated", "govflow/end-outcome-required")}


@pytest.mark.parametrize("bad", ["10 days", "${deadline}", "10wd5", "P0D", "0WD", "--02-29",
                                 "--13-01", "5WD@", "PT2H@x", "2026-13-01T09:00:00", "P1H"])
def test_a_bad_deadline_is_an_error_on_the_task_and_on_the_timer(bpmnlint, tmp_path, bad):
    rows = lint_one(bpmnlint, tmp_path, process(due=bad, timer=bad))
    assert problems(rows) == {("review", "govflow/deadline-notation"),
                              ("review_overdue", "govflow/deadline-notation")}
    assert all(bad in row["message"] for row in rows)


GOOD = ["10WD", "P20D", "P1M", "P3Y", "P2W", "--09-30", "--09-30@plan_year-1",
        "--12-31@plan_year+P1M", "5WD@contract_signed_on", "P6M@completed_on",
        "@rectification_due"]
EXACT = ["PT2H", "PT10M", "P1DT12H", "2026-12-01T09:00:00+08:00", "2026-12-01T09:00:00Z",
         "2026-12-01T09:00:00"]


@pytest.mark.parametrize("good", GOOD + EXACT)
def test_govflow_deadline_notation_is_accepted(bpmnlint, tmp_path, good):
    assert lint_one(bpmnlint, tmp_path, process(due=good, timer=good)) == []


@pytest.mark.parametrize("notation", GOOD + ["10 days", "0WD", "P0D", "--02-29", "--13-01",
                                             "5WD@", "--09-30@plan_year@x", "P1M@--09-30"])
def test_the_rule_reads_legal_days_as_the_service_does(notation):
    """The lint rule's grammar is the service's (calendar/due.py): what one accepts the other
    does (the GOOD list lints clean above, the rest is refused by both)."""
    try:
        validate_due_spec(notation)
    except ValueError:
        accepted = False
    else:
        accepted = True
    assert accepted == (notation in GOOD)


@pytest.mark.parametrize(("cycle", "ok"), [("R3/PT1H", True), ("R/PT1H", True),
                                           ("R3/2026-12-01T09:00:00+08:00/PT1H", True),
                                           ("R3/PT30S", False), ("R0/PT1H", False),
                                           ("R3/P1M", False), ("every hour", False)])
def test_a_timer_cycle_is_checked_on_a_non_interrupting_boundary(bpmnlint, tmp_path, cycle, ok):
    rows = lint_one(bpmnlint, tmp_path, process(timer=cycle, timer_kind="timeCycle"))
    assert problems(rows) == (set() if ok else {("review_overdue", "govflow/deadline-notation")})


def test_a_timer_cycle_elsewhere_is_an_error(bpmnlint, tmp_path):
    rows = lint_one(bpmnlint, tmp_path, process(timer="R3/PT1H", timer_kind="timeCycle",
                                                cancel=True))
    assert ("review_overdue", "govflow/deadline-notation") in problems(rows)


def test_a_conditional_flow_and_a_deciding_gateway_need_clauses(bpmnlint, tmp_path):
    b = ProcessBuilder("lint_gateway", "检查", lanes=[("hub", "大数据局")], main=True)
    b.start("start", "申报")
    b.exclusive_gateway("gw", "通过?")
    b.end("yes", "通过", clause="测试 第一条", outcome="accepted")
    b.end("no", "不通过", clause="测试 第一条", outcome="rejected")
    b.flow("start", "gw")
    b.flow("gw", "yes", name="是", condition="approved")
    b.flow("gw", "no", name="否", condition="not approved")
    rows = lint_one(bpmnlint, tmp_path, b.to_xml())
    assert problems(rows) == {("gw", "govflow/clause-required"),
                              ("Flow_gw_yes", "govflow/clause-required"),
                              ("Flow_gw_no", "govflow/clause-required")}


def test_bpmnlint_recommended_rules_apply(bpmnlint, tmp_path):
    """The owner's diagram also meets bpmnlint:recommended: a gateway that joins and forks
    is reported (the bundled diagrams use a join gateway followed by a fork gateway)."""
    b = ProcessBuilder("lint_join_fork", "检查", lanes=[("hub", "大数据局")], main=True)
    b.start("start", "申报")
    b.user_task("fix", "整改", clause="测试 第一条", candidate_groups=["hub"])
    b.exclusive_gateway("gw", "通过?", clause="测试 第一条")
    b.end("yes", "通过", clause="测试 第一条", outcome="accepted")
    b.flow("start", "gw")
    b.flow("fix", "gw")
    b.flow("gw", "yes", name="是", condition="approved", clause="测试 第一条")
    b.flow("gw", "fix", name="否", condition="not approved", clause="测试 第一条")
    rows = lint_one(bpmnlint, tmp_path, b.to_xml())
    assert ("gw", "no-gateway-join-fork") in problems(rows)


def gated(name: str, value: str, on: str = "review") -> bytes:
    xml = process()
    if on == "review":
        return xml.replace(b'camunda:dueDate="10WD">',
                           b'camunda:dueDate="10WD"><bpmn:extensionElements><camunda:properties>'
                           b'<camunda:property name="' + name.encode() + b'" value="'
                           + value.encode() + b'"/></camunda:properties>'
                           b'</bpmn:extensionElements>', 1)
    return xml.replace(b'<camunda:property name="main" value="true"/>',
                       b'<camunda:property name="main" value="true"/><camunda:property name="'
                       + name.encode() + b'" value="' + value.encode() + b'"/>', 1)


@pytest.mark.parametrize(("name", "value", "on", "clean"), [
    ("gate: 测试 第一条 通过评估后方可验收", "${passed}", "review", True),
    ("gate:", "${passed}", "review", False),
    ("gate: 测试 第一条", "", "review", False),
    ("separationOfDuties", "true", "process", True),
    ("separationOfDuties", "yes", "process", False),
])
def test_gates_and_duties_are_well_formed(bpmnlint, tmp_path, name, value, on, clean):
    xml = gated(name, value, on)
    assert name.encode() in xml
    rules = {row["rule"] for row in lint_one(bpmnlint, tmp_path, xml)}
    assert rules == (set() if clean else {"govflow/gate-well-formed"})
