"""The `file` form field as a process owner writes it in Camunda Modeler's Forms tab: what
the diagram set's upload accepts and refuses, and the schema front ends get."""

import pytest

from tests.conftest import ADMIN, deploy
from tests.documents.support import DIAGRAM, NOTE, NOTE_WITH_ACCEPT
from tests.support.api import API

ACCEPT = '<camunda:property id="accept" value=".pdf,.ofd" />'


async def test_a_file_field_is_a_document_id_with_the_types_it_accepts(client):
    response = await deploy(client, "demo", {"a.bpmn": DIAGRAM})
    assert response.status_code == 201, response.text
    process = await client.get(
        f"{API}/diagram-sets/{response.json()['id']}/processes/acceptance_documents",
        headers=ADMIN)
    task = next(t for t in process.json()["tasks"] if t["key"] == "submit_acceptance")
    assert task["form"]["properties"]["acceptance_report"] == {
        "type": "string", "format": "uuid", "title": "项目验收报告",
        "x-govflow-document": {"accept": ["application/pdf", "application/ofd"]}}
    assert task["form"]["properties"]["site_photos"]["x-govflow-document"] == {
        "accept": ["image/jpeg", "image/png"]}
    assert task["ui_schema"]["acceptance_report"]["ui:options"] == {
        "document": True, "accept": "application/pdf,application/ofd"}
    filing = next(t for t in process.json()["tasks"] if t["key"] == "file_acceptance")
    assert filing["form"]["properties"]["filing_receipt"]["x-govflow-document"] == {
        "accept": []}  # any type the service accepts


@pytest.mark.parametrize(("edit", "says"), [
    ((ACCEPT, '<camunda:property id="accept" value=".exe" />'), "accepts '.exe'"),
    ((NOTE, NOTE_WITH_ACCEPT), "is not a file field"),
    (('label="项目验收报告" type="file"', 'label="项目验收报告" type="file" defaultValue="x"'),
     "cannot have a default value"),
])
async def test_a_file_field_the_service_cannot_check_refuses_the_set(client, edit, says):
    old, new = edit
    assert old.encode() in DIAGRAM
    response = await deploy(client, "demo", {"a.bpmn": DIAGRAM.replace(old.encode(),
                                                                       new.encode(), 1)})
    assert response.status_code == 422
    assert response.json()["code"] == "diagram.invalid"
    assert says in response.text


async def test_a_file_field_on_the_start_form_refuses_the_set(client):
    start = '<bpmn:startEvent id="StartEvent_applied" name="申请验收">'
    with_field = (start + '<bpmn:extensionElements><camunda:formData><camunda:formField '
                  'id="application" label="申请表" type="file" /></camunda:formData>'
                  '</bpmn:extensionElements>')
    assert start.encode() in DIAGRAM
    response = await deploy(client, "demo", {"a.bpmn": DIAGRAM.replace(
        start.encode(), with_field.encode(), 1)})
    assert response.status_code == 422
    assert "start form field 'application' is a file field" in response.text
