"""An instance as rows: one per task and one per (sub)workflow, each written only when it changes.

SpiffWorkflow's own serializer writes a whole instance as one JSON document; rewriting it at
every step costs time and bytes that grow with the instance's length. Here each task is
converted on its own by the library's task converter (``to_dict(task)`` /
``from_dict(dct, workflow=...)``), and a cheap signature (state, children, last state change)
picks the tasks worth converting again after a step. Specs are never stored: they come
from the parsed diagram set.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.task import Task

from .parser import PayloadMessageEventDefinition
from .timers import LegalTimerEventDefinition

ROW_FORMAT = 1
SERIALIZER_VERSION = f"spiff-{SPIFF_SERIALIZER_VERSION}/rows-{ROW_FORMAT}"
TOP = "top"


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
    return BpmnWorkflowSerializer.configure(config)


_SERIALIZER = BpmnWorkflowSerializer(registry=_registry())


@dataclass
class RowState:
    seq: int
    hash: str
    signature: tuple[Any, ...]


@dataclass
class RowChanges:
    """What a step changed: rows to insert, rows to update, row ids to delete."""

    inserted: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def bytes_written(self) -> int:
        return sum(len(r["body"]) for r in self.inserted + self.updated)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, sort_keys=True,
                      cls=_SERIALIZER._encoder_cls)


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


def _signature(task: Task) -> tuple[Any, ...]:
    return (task._state, len(task._children), task.last_state_change, task.triggered,
            len(task.data), len(task.internal_data))


class RowTracker:
    """Remembers each row's hash as loaded, to tell what a step changed."""

    def __init__(self, known: dict[str, RowState] | None = None) -> None:
        self.known: dict[str, RowState] = known or {}
        self._next_seq = max((s.seq for s in self.known.values()), default=0) + 1

    def changes(self, workflow: BpmnWorkflow) -> RowChanges:
        """Diff the workflow against the rows as last written, and remember the new state."""
        changes = RowChanges()
        seen: set[str] = set()
        registry = _SERIALIZER.registry
        registry._encoder_mode = True
        try:
            for wf_key, wf in _workflows(workflow):
                self._visit(changes, seen, f"wf:{wf_key}", None, lambda w=wf: _workflow_body(w))
                for task in wf.tasks.values():
                    self._visit(changes, seen, str(task.id), _signature(task),
                                lambda t=task, k=wf_key: {"kind": "task", "wf": k,
                                                          **registry.convert(t)})
        finally:
            registry._encoder_mode = False
        for row_id in [r for r in self.known if r not in seen]:
            del self.known[row_id]
            changes.deleted.append(row_id)
        return changes

    def _visit(self, changes: RowChanges, seen: set[str], row_id: str, signature: tuple[Any, ...] | None,
               make_body: Any) -> None:
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
            changes.inserted.append({"row_id": row_id, "seq": state.seq, "hash": digest,
                                     "body": body})
        elif state.hash != digest:
            state.hash, state.signature = digest, signature or ()
            changes.updated.append({"row_id": row_id, "seq": state.seq, "hash": digest,
                                    "body": body})
        else:
            state.signature = signature or ()


def _workflows(workflow: BpmnWorkflow) -> Iterator[tuple[str, Any]]:
    yield TOP, workflow
    for task_id, sp in workflow.subprocesses.items():
        yield str(task_id), sp


def restore(spec: Any, subprocess_specs: dict[str, Any], rows: list[tuple[str, int, str, str]],
            script_engine: Any) -> tuple[BpmnWorkflow, RowTracker]:
    """Rebuild a workflow from its rows (row_id, seq, hash, body), ordered by seq."""
    registry = _SERIALIZER.registry
    top = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine, deserializing=True)
    workflows: dict[str, Any] = {TOP: top}
    pending: dict[str, dict[str, Any]] = {}
    known: dict[str, RowState] = {}
    for row_id, seq, digest, raw in sorted(rows, key=lambda r: r[1]):
        body = json.loads(raw)
        kind = body.pop("kind")
        known[row_id] = RowState(seq, digest, ())
        if kind == "workflow":
            key = row_id[3:]
            if key != TOP:
                parent_id = UUID(body["parent_task_id"])
                workflows[key] = BpmnSubWorkflow(subprocess_specs[body["spec"]], parent_id, top,
                                                 deserializing=True)
            pending[key] = body
            continue
        wf = workflows[body.pop("wf")]
        task = registry.restore(body, workflow=wf)
        known[row_id].signature = _signature(task)
    for key, wf in workflows.items():
        _apply_workflow_attrs(wf, pending[key])
        if key != TOP:
            parent_task = top.get_task_from_id(UUID(key))
            top.subprocesses[parent_task.id] = wf
            wf.completed_event.connect(parent_task.task_spec._on_subworkflow_completed,
                                       parent_task)
    return top, RowTracker(known)


def _apply_workflow_attrs(wf: Any, body: dict[str, Any]) -> None:
    registry = _SERIALIZER.registry
    wf.task_tree = wf.tasks[UUID(body["root"])]
    wf.success = body["success"]
    wf.completed = body["completed"]
    wf.correlations = body.get("correlations") or {}
    wf.last_task = wf.tasks.get(UUID(body["last_task"])) if body["last_task"] else None
    wf.data = registry.restore(body["data"])
