"""The row format is tied to one SpiffWorkflow release, and rows of another format are
refused by name instead of being half-read."""

from importlib.metadata import version

import pytest
from govflow.engine.rows import (
    ROWS_WRITTEN_FOR,
    SERIALIZER_VERSION,
    RowFormatError,
    check_rows_version,
)
from govflow.engine.runtime import EngineInstance
from govflow.engine.specs import parse_diagram_set
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as LIBRARY_SERIALIZER

from tests.support.sample import linear


def test_installed_spiffworkflow_is_the_release_the_row_format_was_checked_against():
    installed = version("SpiffWorkflow")
    assert installed == ROWS_WRITTEN_FOR, (
        f"SpiffWorkflow {installed} is installed, but the engine rows (engine/rows.py) were "
        f"checked against {ROWS_WRITTEN_FOR}. Before moving the pin: compare the library's "
        "TaskConverter, WorkflowConverter, DefaultRegistry and event-definition converters "
        "and its serializer migrations (SpiffWorkflow/bpmn/serializer/) between the two "
        "releases; run tests/engine/test_rows.py against rows written by the old release. "
        "If a row would read differently, bump ROW_FORMAT (older rows are then refused, see "
        "docs/development-engine.md); either way set ROWS_WRITTEN_FOR to the new release.")


def test_the_row_format_names_the_library_serializer_it_follows():
    assert SERIALIZER_VERSION.startswith(f"spiff-{LIBRARY_SERIALIZER}/rows-")


def test_rows_of_another_format_are_refused_naming_both_formats():
    specs = parse_diagram_set({"l.bpmn": linear(3)})
    _, result = EngineInstance.start(specs, "linear", {})
    rows = [tuple(r) for r in result.changes.inserted]
    with pytest.raises(RowFormatError) as refused:
        EngineInstance.load(specs, "linear", rows, "spiff-1.4/rows-0")
    assert "spiff-1.4/rows-0" in str(refused.value)
    assert SERIALIZER_VERSION in str(refused.value)
    # Rows in this build's format load as before.
    assert EngineInstance.load(specs, "linear", rows, SERIALIZER_VERSION).ready_human_tasks()


def test_check_accepts_only_this_builds_format():
    check_rows_version(SERIALIZER_VERSION)
    with pytest.raises(RowFormatError):
        check_rows_version(SERIALIZER_VERSION.replace("rows-", "rows-9"))
