"""The Camunda Modeler element templates of modeler/element-templates/ (docs/modeler.md) are
valid Camunda 7 templates and write what GovFlow reads: the JSON schema the modeler validates
them with (npm @camunda/element-templates-json-schema, pinned in
tools/bpmnlint-plugin-govflow), and the bindings and input checks each kind needs."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from govflow.calendar.due import validate_due_spec

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "modeler" / "element-templates").glob("*.json"))
PLUGIN = ROOT / "tools" / "bpmnlint-plugin-govflow"
SCHEMA_URL = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json"


def load(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "modeler" / "element-templates" / f"govflow-{name}.json")
                      .read_text(encoding="utf-8"))


def bindings(template: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["binding"]["type"], p["binding"].get("name", "")): p
            for p in template["properties"]}


def pattern(prop: dict[str, Any]) -> re.Pattern[str]:
    return re.compile(prop["constraints"]["pattern"]["value"])


@pytest.fixture(scope="session")
def schema() -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the schema comes from npm")
    setup = subprocess.run(["bash", str(PLUGIN / "setup.sh")], capture_output=True, text=True,
                           timeout=600, check=False)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    path = PLUGIN / "node_modules/@camunda/element-templates-json-schema/resources/schema.json"
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_there_is_a_template_for_each_govflow_task_kind():
    assert {json.loads(p.read_text(encoding="utf-8"))["id"] for p in TEMPLATES} == {
        "govflow.review-task", "govflow.countersign", "govflow.external-task",
        "govflow.message-catch", "govflow.deadline-timer"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_a_template_is_valid_against_the_modelers_schema(schema, path):
    template = json.loads(path.read_text(encoding="utf-8"))
    assert template["$schema"] == SCHEMA_URL
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(template)]
    assert errors == []


def test_the_schema_refuses_a_broken_template(schema):
    no_target = load("external-task")
    del no_target["appliesTo"]
    boolean_property = load("external-task")
    boolean_property["properties"].append(
        {"type": "Boolean", "binding": {"type": "camunda:property", "name": "outputs"}})
    for broken in (no_target, boolean_property):
        assert not jsonschema.Draft7Validator(schema).is_valid(broken)


def test_review_task_asks_for_groups_and_a_deadline_in_govflow_notation():
    review = load("review-task")
    assert review["elementType"] == {"value": "bpmn:UserTask"}
    props = bindings(review)
    groups = props[("property", "camunda:candidateGroups")]
    assert groups["constraints"]["notEmpty"] is True
    assert pattern(groups).match("hub,finance")
    assert pattern(groups).match("${reviewers}")
    assert not pattern(groups).match("hub finance")
    due = pattern(props[("property", "camunda:dueDate")])
    for good in ["10WD", "P20D", "P1M", "--09-30@plan_year-1", "5WD@contract_signed_on",
                 "@rectification_due", "--12-31@plan_year+P1M", "PT2H", ""]:
        assert due.fullmatch(good), good
    for bad in ["10 days", "${deadline}", "tomorrow"]:
        assert not due.fullmatch(bad), bad
        with pytest.raises(ValueError, match="Invalid deadline"):
            validate_due_spec(bad)
    # where the modeler's schema cannot bind (documentation, form fields), the panel shows
    # every entry and the description says what to fill in
    assert review["entriesVisible"] is True
    assert "Documentation" in review["description"]
    assert "`approved`" in review["description"]


def test_countersign_assigns_each_slot_to_its_signer():
    props = bindings(load("countersign"))
    assert props[("property", "camunda:assignee")]["value"] == "${signer}"
    assert props[("property", "camunda:candidateGroups")]["constraints"]["notEmpty"] is True
    description = load("countersign")["description"]
    for word in ("Collection", "Element variable = signer", "Completion condition"):
        assert word in description


def test_external_task_is_an_external_service_task_with_topic_and_outputs():
    template = load("external-task")
    assert template["elementType"] == {"value": "bpmn:ServiceTask"}
    props = bindings(template)
    assert props[("property", "camunda:type")] == {
        "type": "Hidden", "value": "external",
        "binding": {"type": "property", "name": "camunda:type"}}
    topic = props[("property", "camunda:topic")]
    assert topic["constraints"]["notEmpty"] is True
    assert not pattern(topic).match("a b")
    outputs = pattern(props[("camunda:property", "outputs")])
    assert outputs.match("voucher_no,paid_on")
    assert not outputs.match("voucher-no")


def test_message_catch_declares_senders_and_payload():
    props = bindings(load("message-catch"))
    senders = pattern(props[("camunda:property", "senders")])
    assert senders.match("hub,finance,audit")
    assert not senders.match("hub;finance")
    payload = pattern(props[("camunda:property", "payload")])
    assert payload.match("findings,inspected_on")
    assert not payload.match("a b")


def test_deadline_timer_is_non_interrupting():
    template = load("deadline-timer")
    assert template["appliesTo"] == ["bpmn:BoundaryEvent"]
    interrupting = bindings(template)[("property", "cancelActivity")]
    assert interrupting["value"] is False
    assert interrupting["editable"] is False
