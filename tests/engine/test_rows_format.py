"""Row format 2 (compact task rows) and the format-1 rows instances were written with before:
both read, an instance written in format 1 continues like one that never left memory, and
its rows move to format 2 as they change."""

import json

import pytest
from govflow.engine.rows import (
    _SERIALIZER,
    READABLE,
    SERIALIZER_VERSION,
    TOP,
    RowFormatError,
    _digest,
    _dumps,
    _workflow_body,
)
from govflow.engine.runtime import EngineInstance
from govflow.engine.specs import parse_diagram_set

from tests.engine.test_rows import apply
from tests.support.sample import sample_set

ROWS_1 = READABLE[1]
DECLARATION = {"project_name": "x", "total_investment": 150, "plan_year": 2026,
               "crypto_relevant": True}
OK = {"approved": True, "opinion": "ok"}


def format_1_rows(engine: EngineInstance) -> list[tuple[str, int, str, str]]:
    """The instance's rows as the format-1 writer wrote them: the library's task dict."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        bodies = [("wf:" + TOP, _workflow_body(engine.workflow))]
        bodies += [(str(t.id), {"kind": "task", "wf": TOP, **registry.convert(t)})
                   for t in engine.workflow.tasks.values()]
    finally:
        registry._encoder_mode = False
    # The workflow row first, then the tasks parents before children (as written).
    return [(row_id, seq, _digest(_dumps(body)), _dumps(body))
            for seq, (row_id, body) in enumerate(bodies, 1)]


def walk_to_reviews() -> tuple[object, EngineInstance, dict]:
    specs = parse_diagram_set(sample_set())
    engine, result = EngineInstance.start(specs, "project", {})
    rows: dict = {}
    apply(rows, result.changes)
    for key, data in [("declare", DECLARATION), ("onsite_review", OK)]:
        task = next(t for t in engine.ready_human_tasks() if t.definition.key == key)
        apply(rows, engine.complete_task(task.id, data, "u").changes)
    return specs, engine, rows


def test_an_instance_written_in_format_1_continues_like_the_original():
    specs, engine, _ = walk_to_reviews()
    stored = {r[0]: r for r in format_1_rows(engine)}
    old = EngineInstance.load(specs, "project", list(stored.values()), ROWS_1)
    assert sorted(t.id for t in old.ready_human_tasks()) == \
        sorted(t.id for t in engine.ready_human_tasks())
    assert old.variables() == engine.variables()
    task = next(t for t in engine.ready_human_tasks() if t.definition.key == "fund_review")
    ours = engine.complete_task(task.id, OK, "u")
    theirs = old.complete_task(task.id, OK, "u")
    assert [t.definition.key for t in theirs.created] == [t.definition.key for t in ours.created]
    assert theirs.variables == ours.variables
    # What the step changed is written in format 2; the rows that did not change stay in
    # format 1, and the mix reads back.
    rewritten = [json.loads(r.body) for r in theirs.changes.inserted + theirs.changes.updated]
    assert rewritten
    assert all("kind" not in b for b in rewritten if "t" in b)
    apply(stored, theirs.changes)
    assert any("kind" in json.loads(body) for _, _, _, body in stored.values())
    again = EngineInstance.load(specs, "project", list(stored.values()), ROWS_1)
    assert again.variables() == old.variables()
    assert sorted(t.id for t in again.ready_human_tasks()) == \
        sorted(t.id for t in old.ready_human_tasks())


def test_format_2_task_rows_are_a_fraction_of_format_1():
    _, engine, rows = walk_to_reviews()
    compact = sum(len(body) for row_id, _, _, body in rows.values() if row_id[:3] != "wf:")
    full = sum(len(body) for row_id, _, _, body in format_1_rows(engine) if row_id[:3] != "wf:")
    assert compact < 0.6 * full, (compact, full)
    assert all(json.loads(body).get("typename") is None for _, _, _, body in rows.values())


def test_formats_this_build_does_not_read_are_refused():
    specs, _, rows = walk_to_reviews()
    with pytest.raises(RowFormatError) as refused:
        EngineInstance.load(specs, "project", list(rows.values()), "spiff-1.5/rows-3")
    assert SERIALIZER_VERSION in str(refused.value)
    assert ROWS_1 in str(refused.value)
