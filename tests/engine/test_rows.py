"""Row storage: a workflow rebuilt from its rows behaves like the one in memory, and a step
writes the same few rows whatever the instance's length."""

from govflow.engine.runtime import EngineInstance
from govflow.engine.specs import parse_diagram_set

from tests.support.sample import linear, sample_set


def apply(rows: dict, changes) -> None:
    for r in changes.inserted + changes.updated:
        rows[r.row_id] = tuple(r)
    for row_id in changes.deleted:
        del rows[row_id]


def test_rebuilt_workflow_continues_like_the_original():
    specs = parse_diagram_set(sample_set())
    engine, result = EngineInstance.start(specs, "project", {})
    rows: dict = {}
    apply(rows, result.changes)
    steps = [("declare", {"project_name": "x", "total_investment": 150, "plan_year": 2026,
                          "crypto_relevant": True}),
             ("onsite_review", {"approved": True, "opinion": "ok"}),
             ("fund_review", {"approved": True, "opinion": "ok"}),
             ("technical_review", {"approved": True, "opinion": "ok"})]
    for key, data in steps:
        task = next(t for t in engine.ready_human_tasks() if t.definition.key == key)
        apply(rows, engine.complete_task(task.id, data, "u").changes)
        rebuilt = EngineInstance.load(specs, "project", list(rows.values()))
        assert sorted(t.id for t in rebuilt.ready_human_tasks()) == \
            sorted(t.id for t in engine.ready_human_tasks())
        assert rebuilt.variables() == engine.variables()
        assert rebuilt.waiting_messages() == engine.waiting_messages()
        assert not rebuilt.tracker.changes(rebuilt.workflow).inserted  # nothing to write
    rebuilt = EngineInstance.load(specs, "project", list(rows.values()))
    result = rebuilt.deliver_message("annual_plan_approved", {"in_plan": True})
    assert {t.definition.key for t in result.created} == {"crypto_review",
                                                          "cloud_resource_request"}


def test_step_writes_do_not_grow_with_the_instance():
    specs = parse_diagram_set({"l.bpmn": linear(60)})
    engine, _ = EngineInstance.start(specs, "linear", {"project_name": "x"})
    written = []
    while engine.ready_human_tasks():
        task = engine.ready_human_tasks()[0]
        changes = engine.complete_task(task.id, {"approved": True}, "u").changes
        written.append((len(changes.inserted) + len(changes.updated), changes.bytes_written))
    assert engine.workflow.completed
    middle = written[1:-1]
    assert max(n for n, _ in middle) == min(n for n, _ in middle)  # same rows each step
    assert max(b for _, b in middle) < 1.2 * min(b for _, b in middle)


def _nested_set() -> dict[str, bytes]:
    """outer calls middle, which calls inner: a user task two calls deep."""
    from tools.bpmn_builder import ProcessBuilder

    files = {}
    for pid, called in (("outer", "middle"), ("middle", "inner"), ("inner", None)):
        b = ProcessBuilder(pid, name=pid, lanes=[("unit", "单位")])
        b.start(f"{pid}_start", lane="unit")
        if called:
            b.call_activity(f"call_{called}", called, called=called, lane="unit")
        else:
            b.user_task("work", "办理", lane="unit", candidate_groups=["unit"])
        b.end(f"{pid}_end", lane="unit")
        step = f"call_{called}" if called else "work"
        b.flow(f"{pid}_start", step)
        b.flow(step, f"{pid}_end")
        files[f"{pid}.bpmn"] = b.to_xml()
    return files


def test_a_task_two_calls_deep_is_rebuilt_from_its_rows():
    # a called process's own call activity lives in another sub-workflow, whose tasks the
    # rows restore after the nested sub-workflow itself (a migration or a cold load)
    specs = parse_diagram_set(_nested_set(), main_process="outer")
    engine, result = EngineInstance.start(specs, "outer", {})
    rows: dict = {}
    apply(rows, result.changes)
    ready = [t.id for t in engine.ready_human_tasks()]
    assert len(ready) == 1
    rebuilt = EngineInstance.load(specs, "outer", list(rows.values()))
    assert [t.id for t in rebuilt.ready_human_tasks()] == ready
    assert rebuilt.variables() == engine.variables()
    result = rebuilt.complete_task(ready[0], {}, "u")
    assert result.completed
