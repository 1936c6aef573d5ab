"""An instance as rows: one per task and one per (sub)workflow, each written only when it changes.

SpiffWorkflow's own serializer writes a whole instance as one JSON document; rewriting it at
every step costs time and bytes that grow with the instance's length. Here each task is
converted on its own by the library's task converter (``to_dict(task)`` /
``from_dict(dct, workflow=...)``), and a cheap signature (state, children, last state change)
picks the tasks worth converting again after a step. Specs are never stored: they come
from the parsed diagram set.

The library's serializer registry does the converting: ``_registry()`` configures it with
the library's Camunda converters plus ours (a task row converter, and converters for
GovFlow's message and timer event definitions, which an event-based gateway keeps in its
task's internal data). What stays hand-written is the (sub)workflow row: the library's
workflow converter would convert every task into one document. Two library internals
remain, both used the way the library's own ``serialize_json`` uses them: the registry's
``_encoder_mode`` (leave nested data to the JSON encoder instead of converting it twice)
and a sub-workflow's ``_on_subworkflow_completed`` hook, re-connected on restore as the
library's ``subprocesses_from_dict`` does.

The row format is ``SERIALIZER_VERSION``; an instance records the version its rows were
written with, and ``check_rows_version`` refuses any this build does not read. Format 2
writes a task row compactly (``_task_row``: short keys, no field that repeats the row id or
holds a default) and restores it without the registry's dispatch (``_restore_task``); a
format-1 row (the library's own task dict) still reads, row by row, so an instance written
before keeps running and its rows move to format 2 as they change. ``ROWS_WRITTEN_FOR`` is the
SpiffWorkflow release the format was checked against: tests/engine/test_rows_pin.py fails
when the installed release differs (see docs/development-engine.md).
"""

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from .parser import PayloadMessageEventDefinition
from .timers import LegalTimerEventDefinition, RepeatingTimerEventDefinition

ROW_FORMAT = 2
# What an instance's rows were written with (process_instances.serializer_version).
SERIALIZER_VERSION = f"spiff-{SPIFF_SERIALIZER_VERSION}/rows-{ROW_FORMAT}"
# Formats this build reads: format 1's task rows are the library's own task dicts.
READABLE = (SERIALIZER_VERSION, f"spiff-{SPIFF_SERIALIZER_VERSION}/rows-1")
# The SpiffWorkflow release this row format was checked against (see the module docstring).
ROWS_WRITTEN_FOR = "3.2.0"
TOP = "top"


class RowFormatError(RuntimeError):
    """An instance's rows were written in a format this build does not read."""


def check_rows_version(written_with: str) -> None:
    """Refuse rows written in a format this build does not read, naming both, before
    anything is restored."""
    if written_with not in READABLE:
        raise RowFormatError(
            f"the instance's engine rows were written as '{written_with}', this build reads "
            f"'{SERIALIZER_VERSION}' (and '{READABLE[1]}') only: run the instance on a build "
            "that reads its rows, or migrate them (docs/development-engine.md)")


class StoredRow(NamedTuple):
    """One engine row as stored (store/engine_rows.py): id, write order, hash, JSON body."""

    row_id: str
    seq: int
    hash: str
    body: str


class _TaskRowConverter(TaskConverter):
    # A predicted task has no data yet; the stock delta would list every key of its parent
    # as deleted, which goes stale whenever the parent's data moves. Store it as empty.
    def to_dict(self, task: Task) -> dict[str, Any]:
        if not task.data and task.parent is not None:
            dct = super().to_dict(task)
            dct["delta"] = {}
            return dct
        return super().to_dict(task)


def _registry() -> Any:
    config = dict(CAMUNDA_CONFIG)
    config[Task] = _TaskRowConverter
    config[PayloadMessageEventDefinition] = MessageEventDefinitionConverter
    # An event-based gateway keeps the events it saw, definitions included, in its task's
    # internal data: a timer among them is written like the library's own timers.
    config[LegalTimerEventDefinition] = TimerConditionalEventDefinitionConverter
    config[RepeatingTimerEventDefinition] = TimerConditionalEventDefinitionConverter
    return BpmnWorkflowSerializer.configure(config)


_SERIALIZER = BpmnWorkflowSerializer(registry=_registry())
_ENCODER = create_encoder(_SERIALIZER.registry)


Signature = tuple[int, int, float, bool, int, int]


@dataclass
class RowState:
    seq: int
    hash: str
    signature: Signature | tuple[()]


@dataclass
class RowChanges:
    """What a step changed: rows to insert, rows to update, row ids to delete."""

    inserted: list[StoredRow] = field(default_factory=list)
    updated: list[StoredRow] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def bytes_written(self) -> int:
        return sum(len(r.body) for r in self.inserted + self.updated)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=True,
                      cls=_ENCODER)


def _digest(body: str) -> str:
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


def _workflow_body(wf: Any) -> dict[str, Any]:
    registry = _SERIALIZER.registry
    body: dict[str, Any] = {
        "kind": "workflow",
        "data": registry.convert(registry.clean(wf.data)),
        "correlations": wf.correlations,
        "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
        "success": wf.success,
        "completed": wf.completed,
        "root": str(wf.task_tree.id),
    }
    if isinstance(wf, BpmnSubWorkflow):
        body["parent_task_id"] = str(wf.parent_task_id)
        body["spec"] = wf.spec.name
    return body


def _task_row(task: Task, wf_key: str) -> dict[str, Any]:
    """A task as a format-2 row: what the library's task converter (and _TaskRowConverter)
    writes, less the id (the row id), the typename and every field at its default. The
    keys: s state, t task spec, l last state change, p parent id, c children ids, g
    triggered, i internal data, d data (the root task), u / x the data's delta against the
    parent (updated keys / deleted keys), w the sub-workflow (absent: the top one)."""
    registry = _SERIALIZER.registry
    row: dict[str, Any] = {"s": task._state, "t": task.task_spec.name,
                           "l": task.last_state_change}
    parent = task.parent
    if parent is not None:
        row["p"] = str(task._parent)
    if task._children:
        row["c"] = [str(child) for child in task._children]
    if task.triggered:
        row["g"] = True
    internal = registry.convert(task.internal_data)
    if internal:
        row["i"] = internal
    if parent is None:
        if task.data:
            row["d"] = task.data
    elif task.data:  # a predicted task has no data: no delta (see _TaskRowConverter)
        row["u"] = DeepMerge.get_updated_keys(parent.data, task.data)
        deleted = DeepMerge.get_deleted_keys(parent.data, task.data)
        if deleted:
            row["x"] = deleted
    if wf_key != TOP:
        row["w"] = wf_key
    return row


def _restore_task(row_id: str, row: dict[str, Any], workflows: dict[str, Any],
                  ids: dict[str, UUID]) -> Task:
    """A format-2 row back into a task of its workflow, as the library's TaskConverter
    restores its own dict; ``ids`` parses each task id once (a child's id is met first in
    its parent's row)."""
    registry = _SERIALIZER.registry
    wf = workflows[row.get("w", TOP)]
    spec = wf.spec.task_specs.get(row["t"])
    task = Task(wf, spec, state=row["s"], id=_uuid(ids, row_id))
    parent_id = row.get("p")
    task._parent = _uuid(ids, parent_id) if parent_id is not None else None
    task._children = [_uuid(ids, child) for child in row.get("c", ())]
    task.last_state_change = row["l"]
    task.triggered = row.get("g", False)
    internal = row.get("i")
    task.internal_data = registry.restore(internal) if internal else {}
    if isinstance(spec, CatchingEvent) and task.has_state(TaskState.WAITING):
        wf.top_workflow.event_manager.add_task(task)
    parent = wf.tasks.get(task._parent) if "u" in row else None
    if parent is not None:
        data = DeepMerge.merge({}, parent.data)
        data.update(registry.restore(row["u"]))
        for key in row.get("x", ()):
            data.pop(key, None)
    else:
        data = registry.restore(row["d"]) if "d" in row else {}
    task.data = data
    return task


def _uuid(ids: dict[str, UUID], text: str) -> UUID:
    found = ids.get(text)
    if found is None:
        found = ids[text] = UUID(text)
    return found


def _signature(task: Task) -> Signature:
    return (task.state, len(task.children), task.last_state_change, task.triggered,
            len(task.data), len(task.internal_data))


class RowTracker:
    """Remembers each row's hash as loaded, to tell what a step changed."""

    def __init__(self, known: dict[str, RowState] | None = None) -> None:
        self.known: dict[str, RowState] = known or {}
        self._next_seq = max((s.seq for s in self.known.values()), default=0) + 1

    def invalidate(self, row_id: str) -> None:
        """Compare this row by its content at the next diff (a change its signature does not
        show: a child renamed)."""
        if (state := self.known.get(row_id)) is not None:
            state.signature = ()

    def changes(self, workflow: BpmnWorkflow) -> RowChanges:
        """Diff the workflow against the rows as last written, and remember the new state."""
        changes = RowChanges()
        seen: set[str] = set()
        registry = _SERIALIZER.registry
        registry._encoder_mode = True
        try:
            for wf_key, wf in _workflows(workflow):
                self._visit(changes, seen, f"wf:{wf_key}", None, partial(_workflow_body, wf))
                for task in wf.tasks.values():
                    self._visit(changes, seen, str(task.id), _signature(task),
                                partial(_task_row, task, wf_key))
        finally:
            registry._encoder_mode = False
        for row_id in [r for r in self.known if r not in seen]:
            del self.known[row_id]
            changes.deleted.append(row_id)
        return changes

    def _visit(self, changes: RowChanges, seen: set[str], row_id: str,
               signature: Signature | None, make_body: Callable[[], dict[str, Any]]) -> None:
        seen.add(row_id)
        state = self.known.get(row_id)
        if state is not None and signature is not None and state.signature == signature:
            return
        body = _dumps(make_body())
        digest = _digest(body)
        if state is None:
            state = RowState(self._next_seq, digest, signature or ())
            self._next_seq += 1
            self.known[row_id] = state
            changes.inserted.append(StoredRow(row_id, state.seq, digest, body))
        elif state.hash != digest:
            state.hash, state.signature = digest, signature or ()
            changes.updated.append(StoredRow(row_id, state.seq, digest, body))
        else:
            state.signature = signature or ()


def _workflows(workflow: BpmnWorkflow) -> Iterator[tuple[str, Any]]:
    yield TOP, workflow
    for task_id, sp in workflow.subprocesses.items():
        yield str(task_id), sp


def restore(spec: Any, subprocess_specs: dict[str, Any],
            rows: Sequence[tuple[str, int, str, str]], script_engine: Any
            ) -> tuple[BpmnWorkflow, RowTracker]:
    """Rebuild a workflow from its rows (row_id, seq, hash, body), ordered by seq."""
    registry = _SERIALIZER.registry
    top = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    workflows: dict[str, Any] = {TOP: top}
    pending: dict[str, dict[str, Any]] = {}
    known: dict[str, RowState] = {}
    ids: dict[str, UUID] = {}
    loads = json.loads
    for row_id, seq, digest, raw in sorted(rows, key=lambda r: r[1]):
        body = loads(raw)
        kind = body.pop("kind", None)
        if kind is None:  # a format-2 task row
            task = _restore_task(row_id, body, workflows, ids)
            known[row_id] = RowState(seq, digest, _signature(task))
            continue
        known[row_id] = RowState(seq, digest, ())
        if kind == "workflow":
            key = row_id[3:]
            if key != TOP:
                parent_id = UUID(body["parent_task_id"])
                workflows[key] = _subworkflow(subprocess_specs[body["spec"]], parent_id, top)
            pending[key] = body
            continue
        wf = workflows[body.pop("wf")]  # a format-1 task row: the library's own dict
        task = registry.restore(body, workflow=wf)
        known[row_id].signature = _signature(task)
    for key, wf in workflows.items():
        _apply_workflow_attrs(wf, pending[key])
        if key != TOP:
            top.subprocesses[UUID(key)] = wf
    # Only now is every parent task findable: a called process's own call activity (a
    # nested call) lives in another sub-workflow, restored in any order.
    for key, wf in workflows.items():
        if key != TOP:
            parent_task = top.get_task_from_id(UUID(key))
            wf.depth = wf._calculate_depth()
            wf.completed_event.connect(parent_task.task_spec._on_subworkflow_completed,
                                       parent_task)
    return top, RowTracker(known)


class _RestoringSubWorkflow(BpmnSubWorkflow):
    """Built before its parent task is restored: the depth is set once every task is."""

    def _calculate_depth(self) -> int:
        return 0


def _subworkflow(spec: Any, parent_id: UUID, top: BpmnWorkflow) -> BpmnSubWorkflow:
    wf = _RestoringSubWorkflow(spec, parent_id, top, deserializing=True)
    wf.__class__ = BpmnSubWorkflow
    return wf


def _apply_workflow_attrs(wf: Any, body: dict[str, Any]) -> None:
    registry = _SERIALIZER.registry
    wf.task_tree = wf.tasks[UUID(body["root"])]
    wf.success = body["success"]
    wf.completed = body["completed"]
    wf.correlations = body.get("correlations") or {}
    wf.last_task = wf.tasks.get(UUID(body["last_task"])) if body["last_task"] else None
    wf.data = registry.restore(body["data"])
