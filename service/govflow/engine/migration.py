"""Moving a running instance onto another diagram set: re-binding its task tree.

SpiffWorkflow ties every task to a spec by name, and GovFlow stores tasks as rows that name
their spec (engine/rows.py). Migrating an instance restores it under the old set, re-binds
each task to the target set's spec of the same name (or the one an explicit element map
gives), and writes every row again. Tasks keep their ids, data and state, so task rows,
message subscriptions and timer rows stay keyed the same. Unlike the library's own
``migrate_workflow`` (bpmn/util/diff.py), which resets ready and waiting tasks and so gives
them new ids, nothing that waits is reset here:

- a task that waits (ready, waiting, started) needs a counterpart of the same kind, else
  the instance is refused (``check``) and nothing changes;
- a finished task whose element is gone is spliced out of the tree (its children hang from
  its parent): history keeps what it did;
- predicted tasks below a waiting one are dropped and predicted again from the target's
  flows (the library creates children by prediction), so the instance follows the new
  diagram from there.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    EventBasedGateway,
)
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from .external import ExternalServiceTask, ExternalTask, ready_external
from .rows import RowChanges, RowTracker
from .runtime import EngineInstance
from .specs import DiagramSpecs
from .timers import LegalTimerEventDefinition

ElementMap = Mapping[str, Mapping[str, str]]      # process id -> {old element: new element}
# (timer task id, the task its boundary is attached to or None, deadline, data) -> ISO due
Retime = Callable[[str, str | None, str, dict[str, Any]], str | None]

_WAITS = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_DERIVED = (".BoundaryEventSplit", ".BoundaryEventJoin")


class MigrationFailed(RuntimeError):
    """Re-binding failed in a way ``check`` did not foresee; nothing was stored."""


@dataclass(frozen=True)
class ElementMove:
    """Where one waiting element of an instance goes."""

    process_id: str
    task_id: str
    kind: str
    element_id: str
    target_id: str


@dataclass(frozen=True)
class Refusal:
    """Why an instance cannot move: the element and the reason."""

    process_id: str
    element_id: str | None
    reason: str


@dataclass
class MigrationCheck:
    moves: list[ElementMove] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Migrated:
    """An instance re-bound to the target set, and every row it now has."""

    engine: EngineInstance
    changes: RowChanges
    moves: list[ElementMove]
    warnings: list[str]


def element_kind(spec: Any) -> str:
    """A waiting element's kind: only an element of the same kind can take its place."""
    if hasattr(spec, "human"):
        return "user_task"
    if isinstance(spec, ExternalServiceTask):
        return "external"
    if isinstance(spec, SubWorkflowTask):
        return "call_activity"
    if isinstance(spec, EventBasedGateway):
        return "event_gateway"
    definition = getattr(spec, "event_definition", None)
    if definition is not None:
        children = getattr(definition, "event_definitions", None) or [definition]
        if any(isinstance(d, LegalTimerEventDefinition) for d in children):
            return "timer"
        if any(isinstance(d, MessageEventDefinition) for d in children):
            return "message"
        return "event"
    return "other" if spec.bpmn_id else "internal"


def target_name(mapping: Mapping[str, str], name: str) -> str:
    """The element an old element's task goes to: the map's, else the same id. The tasks
    SpiffWorkflow derives from an element (its boundary split and join) follow it."""
    if name in mapping:
        return mapping[name]
    for suffix in _DERIVED:
        base = name.removesuffix(suffix)
        if base != name and base in mapping:
            return mapping[base] + suffix
    return name


def check(engine: EngineInstance, target: DiagramSpecs, element_map: ElementMap
          ) -> MigrationCheck:
    """Where each waiting element of ``engine`` would go in ``target``, and what refuses the
    move; changes nothing."""
    result = MigrationCheck()
    info = target.processes.get(engine.process_id)
    if info is None:
        result.refusals.append(Refusal(engine.process_id, None, "the target set has no process "
                                       f"'{engine.process_id}'"))
        return result
    for wf, spec_name in _workflows(engine):
        new_spec = _target_spec(info, spec_name)
        if new_spec is None:
            result.refusals.append(Refusal(spec_name, None, "the target set's process "
                                           f"'{engine.process_id}' calls no '{spec_name}'"))
            continue
        mapping = element_map.get(spec_name, {})
        for task in wf.tasks.values():
            _check_task(result, task, spec_name, mapping, new_spec)
    return result


def _check_task(result: MigrationCheck, task: Any, spec_name: str, mapping: Mapping[str, str],
                new_spec: Any) -> None:
    old = task.task_spec
    if not task.has_state(_WAITS) and not _future_after_finished(task):
        return
    name = target_name(mapping, old.name)
    new = new_spec.task_specs.get(name)
    if new is None:
        reason = (f"element '{old.name}' is mapped to '{name}', which is not in the target"
                  if name != old.name else
                  f"element '{old.name}' is not in the target set and has no mapping")
        result.refusals.append(Refusal(spec_name, old.bpmn_id or old.name, reason))
        return
    if not old.bpmn_id or not task.has_state(_WAITS):
        return
    kind, new_kind = element_kind(old), element_kind(new)
    if kind != new_kind:
        result.refusals.append(Refusal(spec_name, old.bpmn_id, f"element '{old.bpmn_id}' waits "
                                       f"as a {kind}; its counterpart '{name}' is a {new_kind}"))
        return
    if kind == "call_activity" and new.spec != old.spec:
        result.refusals.append(Refusal(spec_name, old.bpmn_id, f"call activity '{old.bpmn_id}' "
                                       f"runs '{old.spec}'; '{name}' would call '{new.spec}'"))
        return
    result.moves.append(ElementMove(spec_name, str(task.id), kind, old.bpmn_id, name))


def external_tasks(engine: EngineInstance) -> list[ExternalTask]:
    """The instance's ready external tasks, each as its (new) element defines it."""
    return list(ready_external(t for wf, _ in _workflows(engine)
                               for t in wf.tasks.values()).values())


def _future_after_finished(task: Any) -> bool:
    """A definite future task under a finished one (a branch not yet reached): it must have a
    counterpart too, or the branch would be lost."""
    parent = task.parent
    return bool(task.has_state(TaskState.FUTURE) and parent is not None
                and parent.has_state(TaskState.FINISHED_MASK))


def migrate(engine: EngineInstance, target: DiagramSpecs, element_map: ElementMap,
            variable_map: Mapping[str, str], retime: Retime | None = None) -> Migrated:
    """Re-bind a freshly loaded instance to ``target`` (``check`` found no refusal) and
    return it restored from its new rows. ``engine`` is consumed. Anything that goes wrong
    is a ``MigrationFailed`` naming it."""
    found = check(engine, target, element_map)
    if found.refusals:
        raise MigrationFailed("; ".join(r.reason for r in found.refusals))
    try:
        return _migrate(engine, target, element_map, variable_map, retime, found)
    except MigrationFailed:
        raise
    except Exception as exc:
        raise MigrationFailed(f"{type(exc).__name__}: {exc}") from exc


def _migrate(engine: EngineInstance, target: DiagramSpecs, element_map: ElementMap,
             variable_map: Mapping[str, str], retime: Retime | None, found: MigrationCheck
             ) -> Migrated:
    info = target.processes[engine.process_id]
    warnings = list(found.warnings)
    deadlines = {t.id: _deadlines(t.task_spec) for wf, _ in _workflows(engine)
                 for t in wf.tasks.values() if t.has_state(TaskState.WAITING)}
    for wf, spec_name in list(_workflows(engine)):
        new_spec = _target_spec(info, spec_name)
        _rebind(wf, new_spec, element_map.get(spec_name, {}))
        wf.spec = new_spec
        _repredict(wf)
    engine.workflow.subprocess_specs = info._subprocess_specs
    _rename_data(engine, variable_map, warnings)
    if retime is not None:
        _retime(engine, retime, deadlines)
    changes = RowTracker().changes(engine.workflow)
    rows = [(r.row_id, r.seq, r.hash, r.body) for r in changes.inserted]
    moved = EngineInstance.load(target, engine.process_id, rows)
    return Migrated(moved, changes, found.moves, warnings)


def _rebind(wf: Any, new_spec: Any, mapping: Mapping[str, str]) -> None:
    for task in list(wf.tasks.values()):
        if task.id not in wf.tasks:  # dropped with a predicted parent
            continue
        new = new_spec.task_specs.get(target_name(mapping, task.task_spec.name))
        if new is not None:
            task.task_spec = new
        elif task.has_state(TaskState.FINISHED_MASK):
            _splice(wf, task)
        else:  # predicted: the target's flows predict it again
            wf._remove_task(task.id)


def _splice(wf: Any, task: Any) -> None:
    """Take a finished task whose element is gone out of the tree, keeping its children."""
    parent = task.parent
    if parent is None:
        raise MigrationFailed(f"the root task '{task.task_spec.name}' has no counterpart")
    at = parent._children.index(task.id)
    parent._children[at:at + 1] = list(task._children)
    for child in task.children:
        child._parent = parent.id
    del wf.tasks[task.id]
    if wf.last_task is task:
        wf.last_task = parent


def _repredict(wf: Any) -> None:
    """SpiffWorkflow creates a task's children by prediction, ahead of time: below each task
    that waits (and each future task under a finished one), drop what was predicted from the
    old diagram and predict again from the target's flows, as the library does at start."""
    for task in list(wf.tasks.values()):
        if task.id not in wf.tasks:
            continue
        if not (task.has_state(_WAITS) or _future_after_finished(task)):
            continue
        for child in list(task.children):
            if child.has_state(TaskState.PREDICTED_MASK | TaskState.FUTURE):
                wf._remove_task(child.id)
        if not any(c.has_state(TaskState.NOT_FINISHED_MASK) for c in task.children):
            task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)


def _rename_data(engine: EngineInstance, variable_map: Mapping[str, str],
                 warnings: list[str]) -> None:
    if not variable_map:
        return
    clashes: set[str] = set()
    for wf, _ in _workflows(engine):
        _rename(wf.data, variable_map, clashes)
        for task in wf.tasks.values():
            _rename(task.data, variable_map, clashes)
    warnings.extend(f"variable '{new}' existed and was replaced by '{old}'"
                    for old, new in variable_map.items() if new in clashes)


def _rename(data: dict[str, Any], variable_map: Mapping[str, str], clashes: set[str]) -> None:
    for old, new in variable_map.items():
        if old in data:
            if new in data:
                clashes.add(new)
            data[new] = data.pop(old)


def _deadlines(spec: Any) -> list[str]:
    definition = getattr(spec, "event_definition", None)
    children = getattr(definition, "event_definitions", None) or [definition]
    return [d.expression for d in children if isinstance(d, LegalTimerEventDefinition)]


def _retime(engine: EngineInstance, retime: Retime, before: dict[Any, list[str]]) -> None:
    """A waiting timer whose deadline the target writes differently is due anew."""
    for wf, _ in _workflows(engine):
        for task in wf.tasks.values():
            now = _deadlines(task.task_spec)
            if not task.has_state(TaskState.WAITING) or not now or now == before.get(task.id):
                continue
            if task._get_internal_data("event_value") is None:
                continue
            due = retime(str(task.id), _attached(task), now[0], dict(task.data))
            if due is not None:
                task._set_internal_data(event_value=due, event_fired=False)


def _attached(task: Any) -> str | None:
    """The id of the task a boundary timer watches (its sibling under the boundary split)."""
    parent = task.parent
    if not isinstance(task.task_spec, BoundaryEvent) or parent is None:
        return None
    return next((str(c.id) for c in parent.children
                 if not isinstance(c.task_spec, BoundaryEvent)), None)


def _workflows(engine: EngineInstance) -> Iterator[tuple[Any, str]]:
    yield engine.workflow, engine.process_id
    for sp in engine.workflow.subprocesses.values():
        yield sp, sp.spec.name


def _target_spec(info: Any, spec_name: str) -> Any:
    return info._spec if spec_name == info.id else info._subprocess_specs.get(spec_name)
