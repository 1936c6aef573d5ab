"""Event sub-processes and signal starts survive the row round trip: an instance rebuilt
from its rows after each step goes on as the one in memory (a worker or another replica
loads it from rows, not from the cache)."""

from pathlib import Path

from govflow.engine.runtime import EngineInstance
from govflow.engine.specs import parse_diagram_set

from tests.engine.test_rows import apply

DIAGRAMS = Path(__file__).parent.parent / "instances" / "constructs"


def specs_of(*names: str):
    return parse_diagram_set({n: (DIAGRAMS / n).read_bytes() for n in names})


def rebuilt(specs, process_id: str, rows: dict) -> EngineInstance:
    engine = EngineInstance.load(specs, process_id, list(rows.values()))
    assert not engine.tracker.changes(engine.workflow).inserted  # nothing to write
    return engine


def test_event_subprocesses_go_on_from_rows():
    specs = specs_of("event_subprocess.bpmn")
    engine, result = EngineInstance.start(specs, "case", {})
    rows: dict = {}
    apply(rows, result.changes)
    engine = rebuilt(specs, "case", rows)
    apply(rows, engine.deliver_message("note_added", {"note": "a"}).changes)
    engine = rebuilt(specs, "case", rows)
    assert sorted(t.definition.key for t in engine.ready_human_tasks()) == ["read_note", "work"]
    apply(rows, engine.deliver_message("case_withdrawn", {"reason": "x"}).changes)
    engine = rebuilt(specs, "case", rows)
    assert [t.definition.key for t in engine.ready_human_tasks()] == ["confirm_withdrawal"]
    assert engine.waiting_messages() == {}  # interrupted: nothing more starts
    [task] = engine.ready_human_tasks()
    result = engine.complete_task(task.id, {}, "u")
    assert result.completed
    assert result.outcome == "terminated"


def test_a_fresh_instance_is_not_changed_by_an_earlier_trigger():
    """Triggering once must not change the shared spec: the next instance starts plain."""
    specs = specs_of("event_subprocess.bpmn")
    first, _ = EngineInstance.start(specs, "case", {})
    first.deliver_message("note_added", {"note": "a"})
    second, _ = EngineInstance.start(specs, "case", {})
    assert [t.definition.key for t in second.ready_human_tasks()] == ["work"]
    [task] = second.ready_human_tasks()
    assert second.complete_task(task.id, {}, "u").completed


def test_signal_start_and_boundary_from_rows():
    specs = specs_of("signal_listener.bpmn", "signal_start.bpmn")
    engine, result = EngineInstance.start(specs, "alarm_response", {"level": 2},
                                          signal=("flood_alarm", {"as": "admin"}))
    assert [t.definition.key for t in engine.ready_human_tasks()] == ["respond"]
    assert result.variables == {"level": 2}
    listener, result = EngineInstance.start(specs, "alarm_listener", {})
    rows: dict = {}
    apply(rows, result.changes)
    listener = rebuilt(specs, "alarm_listener", rows)
    assert set(listener.waiting_messages().values()) == {"signal:flood_alarm"}
    result = listener.deliver_message("flood_alarm", {"level": 1}, kind="signal")
    assert [t.definition.key for t in result.created] == ["evacuate"]
