"""The GovFlow bpmnlint plugin knows the `file` field (rule govflow/form-fields): the test
diagram lints clean, and a field type or `accept` value the service would refuse at upload
is an error in the modeler already."""

import shutil
import subprocess

import pytest

from tests.diagrams.test_bpmnlint import PLUGIN, lint
from tests.documents.support import DIAGRAM, NOTE, NOTE_WITH_ACCEPT

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
FIXTURE = "tests/documents/fixtures/acceptance_documents.bpmn"


@pytest.fixture(scope="module")
def cli():
    setup = subprocess.run(["bash", str(PLUGIN / "setup.sh")], capture_output=True, text=True,
                           timeout=600, check=False)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    return PLUGIN / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js"


def lint_text(cli, tmp_path, xml: bytes) -> set[tuple[str, str, str]]:
    path = tmp_path / "case.bpmn"
    path.write_bytes(xml)
    _, rows, _ = lint(cli, path)
    return {(r["id"], r["rule"], r["message"]) for r in rows}


def test_the_file_field_diagram_is_clean(cli, tmp_path):
    assert lint_text(cli, tmp_path, DIAGRAM) == set()


@pytest.mark.parametrize(("old", "new", "says"), [
    ('label="项目验收报告" type="file"', 'label="项目验收报告" type="attachment"',
     'Form field "acceptance_report" has type "attachment"'),
    ('value=".jpg,.png"', 'value=".jpg,.exe"', 'File field "site_photos" accepts ".exe"'),
    (NOTE, NOTE_WITH_ACCEPT, 'Form field "note" has an "accept" property but is not of type file'),
])
def test_a_field_the_service_would_refuse_is_a_lint_error(cli, tmp_path, old, new, says):
    assert old.encode() in DIAGRAM
    found = lint_text(cli, tmp_path, DIAGRAM.replace(old.encode(), new.encode(), 1))
    assert {(i, r) for i, r, _ in found} == {("submit_acceptance", "govflow/form-fields")}
    assert any(says in m for _, _, m in found)


def test_a_file_field_on_a_start_event_is_a_lint_error(cli, tmp_path):
    start = '<bpmn:startEvent id="StartEvent_applied" name="申请验收">'
    with_field = (start + '<bpmn:extensionElements><camunda:formData><camunda:formField '
                  'id="application" label="申请表" type="file" /></camunda:formData>'
                  '</bpmn:extensionElements>')
    found = lint_text(cli, tmp_path, DIAGRAM.replace(start.encode(), with_field.encode(), 1))
    assert {(i, r) for i, r, _ in found} == {("StartEvent_applied", "govflow/form-fields")}
