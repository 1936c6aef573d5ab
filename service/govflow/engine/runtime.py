"""Running one instance: start, complete a task, deliver a message, terminate.

``EngineInstance`` wraps a SpiffWorkflow workflow and its row tracker. Every method runs
the engine to rest and returns a ``StepResult`` of plain data: what changed in the rows,
what happened (history), which human tasks appeared or went away, and the messages thrown.
SpiffWorkflow types do not leave this package.
"""

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    EventBasedGateway,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from . import datasafe
from .datasafe import UnsafeData
from .errors import NotWaiting, StepError
from .event_subprocess import GovflowEventSubprocess, triggers
from .expressions import resolve_assignee, resolve_names
from .external import ExternalTask, ready_external, throw_error
from .gates import GateRefused, failed_gates
from .message_catch import MessageCatchDef
from .multiinstance import SUBMITTED, in_multi_instance, slot_index
from .parser import HumanTaskDef
from .rewind import Rewind, plan_return, plan_withdraw, rewind
from .rows import SERIALIZER_VERSION, RowChanges, RowTracker, check_rows_version, restore
from .sandbox_limits import ScriptLimitExceeded, StepMeter, describe
from .scripting import SCRIPT_ENGINE
from .signals import PREFIX, BroadcastSignal
from .signers import add_signers, check_signers
from .specs import DiagramSpecs
from .taskdata import compute
from .timers import (
    LegalTimerEventDefinition,
    RepeatingTimerEventDefinition,
    Timing,
    current_timing,
    cycle_state,
    due_of,
    timing,
)


@dataclass(frozen=True)
class HumanTask:
    """A ready user or manual task, as the task table stores it."""

    id: str
    process_id: str
    definition: HumanTaskDef
    # Resolved when the task became ready (only for tasks created by the step at hand):
    # assignment expressions, camunda:inputParameters, the slot of a multi-instance.
    assignee: str | None = None
    candidate_groups: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)
    slot: int | None = None


@dataclass(frozen=True)
class StepEvent:
    event: str
    element_id: str | None = None
    element_name: str | None = None
    task_id: str | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class ThrownMessage:
    name: str
    payload: Any
    kind: str = "message"  # or "signal": broadcast to the tenant (signals.py)


@dataclass
class StepResult:
    changes: RowChanges
    events: list[StepEvent]
    created: list[HumanTask]
    finished: dict[str, str]            # task id -> "completed" | "cancelled"
    variables: dict[str, Any]
    completed: bool
    outcome: str | None
    thrown: list[ThrownMessage] = field(default_factory=list)
    waiting_messages: dict[tuple[str, str], str] = field(default_factory=dict)
    timers: dict[str, str] = field(default_factory=dict)  # waiting timer task id -> due (ISO)
    timer_elements: dict[str, str] = field(default_factory=dict)  # ... -> its element id
    external_created: list[ExternalTask] = field(default_factory=list)
    external_finished: list[str] = field(default_factory=list)  # external task ids gone


class EngineInstance:
    """One workflow in memory, with what its rows looked like after the last step."""

    def __init__(self, specs: DiagramSpecs, process_id: str, workflow: BpmnWorkflow,
                 tracker: RowTracker) -> None:
        self.specs = specs
        self.process_id = process_id
        self.workflow = workflow
        self.tracker = tracker
        self.timing: Timing = current_timing()  # set by whoever runs the next step
        self._ready = self._ready_human_tasks()
        self._cycles = self._cycle_firings()
        self._external = ready_external(self._all_tasks())

    @classmethod
    def start(cls, specs: DiagramSpecs, process_id: str, variables: dict[str, Any],
              clock: Timing | None = None, signal: tuple[str, dict[str, Any]] | None = None
              ) -> tuple["EngineInstance", StepResult]:
        """Start an instance and run it to rest; ``signal`` (name, sender) starts it at its
        signal start event of that name, with ``variables`` as the signal's payload."""
        info = specs.processes[process_id]
        workflow = BpmnWorkflow(info._spec, info._subprocess_specs, script_engine=SCRIPT_ENGINE)
        instance = cls(specs, process_id, workflow, RowTracker())
        instance.timing = clock or instance.timing
        started = time.time()
        events = [StepEvent("instance_started", process_id, info.name, data=dict(variables))]
        if signal is None:
            first = workflow.get_next_task(state=TaskState.READY)
            if first is not None:
                first.data.update(variables)
        else:
            try:
                with timing(instance.timing):
                    workflow.do_engine_steps()
            except SpiffWorkflowException as exc:
                raise StepError(_message(exc), _element_of(exc)) from exc
            events.append(instance._send("signal", signal[0], variables, signal[1]))
        result = instance._run(started, events)
        return instance, result

    @classmethod
    def load(cls, specs: DiagramSpecs, process_id: str,
             rows: Sequence[tuple[str, int, str, str]],
             written_with: str = SERIALIZER_VERSION) -> "EngineInstance":
        """Rebuild an instance from its rows; ``written_with`` is the row format they were
        written in (the instance's serializer_version): any other raises RowFormatError."""
        check_rows_version(written_with)
        info = specs.processes[process_id]
        workflow, tracker = restore(info._spec, info._subprocess_specs, rows, SCRIPT_ENGINE)
        return cls(specs, process_id, workflow, tracker)

    def ready_human_tasks(self) -> list[HumanTask]:
        return list(self._ready.values())

    def variables(self) -> dict[str, Any]:
        """What the instance's next steps will see: the data of the tasks it waits at (a side
        branch that ended, an escalation say, does not leak into it), else the last task's."""
        frontier = sorted((t for t in self._all_tasks()
                           if t.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED)
                           and t.data and not in_multi_instance(t)),
                          key=lambda t: t.last_state_change)
        if not frontier:
            last = self.workflow.last_task
            return dict(last.data) if last is not None else {}
        merged: dict[str, Any] = {}
        for task in frontier:
            merged.update(task.data)
        return merged

    def complete_task(self, task_id: str, data: dict[str, Any], actor: str) -> StepResult:
        """Complete a ready human task with the submitted data and run to rest."""
        task = self._ready_human(task_id)
        started = time.time()
        spec = task.task_spec
        _submit(task, spec.human, data)
        event = StepEvent("task_completed", spec.bpmn_id, spec.bpmn_name, task_id, dict(data))
        try:
            with timing(self.timing):
                task.run()
        except SpiffWorkflowException as exc:
            raise StepError(_message(exc), spec.bpmn_id) from exc
        return self._run(started, [event])

    def plan_return(self, task_id: str, to_key: str) -> Rewind:
        """What returning the ready task to the earlier task ``to_key`` would reset (raises
        RewindRefused); engine/rewind.py."""
        return plan_return(self.workflow, task_id, to_key)

    def plan_withdraw(self, task_id: str) -> Rewind:
        return plan_withdraw(self.workflow, task_id)

    def rewind(self, plan: Rewind, event: StepEvent) -> StepResult:
        """Reset to ``plan.target`` (planned on this same workflow, in the same transaction)
        and run to rest; ``event`` (task_returned, task_withdrawn) heads the history."""
        started = time.time()
        new_id = rewind(self.workflow, self.tracker, plan)
        return self._run(started, [replace(event, data={**(event.data or {}),
                                                         "new_task_id": new_id})])

    def _ready_human(self, task_id: str) -> Any:
        """The ready human task with this id; NotWaiting if the instance holds none."""
        task = self.workflow.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY or str(task.id) not in self._ready:
            raise NotWaiting(f"task {task_id} is not ready")
        return task

    def check_gates(self, task_id: str, data: dict[str, Any]) -> None:
        """Raise GateRefused unless every gate of the ready task holds for its data with
        ``data`` submitted (gates.py); changes nothing."""
        task = self._ready_human(task_id)
        human: HumanTaskDef = task.task_spec.human
        if not human.gates:
            return
        inputs = compute(human.inputs, task.data, human.key, "input") if human.inputs else {}
        failed = failed_gates(human.gates, {**task.data, **inputs, **data}, human.key)
        if failed:
            raise GateRefused(human.key, failed)

    def check_signers(self, task_id: str, users: list[str]) -> None:
        """Raise SignersRefused unless ``users`` can be added as slots next to this one."""
        check_signers(self.workflow, task_id, users)

    def add_signers(self, task_id: str, users: list[str], event: StepEvent) -> StepResult:
        """加签: a new slot of the slot's parallel multi-instance task per user, each
        assigned to its user (engine/signers.py)."""
        started = time.time()
        added = add_signers(self.workflow, task_id, users)
        result = self._run(started, [replace(event, data={**(event.data or {}),
                                                          "slots": added})])
        result.created = [replace(t, assignee=added[t.id]) if t.id in added else t
                          for t in result.created]
        return result

    def complete_external(self, task_id: str, data: dict[str, Any], worker: str) -> StepResult:
        """Complete a ready external task with the worker's variables and run to rest."""
        task = self._external_task(task_id)
        started = time.time()
        task.data.update(data)
        spec = task.task_spec
        event = StepEvent("external_task_completed", spec.bpmn_id, spec.bpmn_name, task_id,
                          {"worker_id": worker, "topic": spec.external.topic,
                           "variables": dict(data)})
        try:
            with timing(self.timing):
                task.run()
        except SpiffWorkflowException as exc:
            raise StepError(_message(exc), spec.bpmn_id) from exc
        return self._run(started, [event])

    def throw_external_error(self, task_id: str, code: str, message: str | None,
                             data: dict[str, Any], worker: str) -> StepResult:
        """A worker's BPMN error at a ready external task: the error boundary event that
        catches ``code`` takes over (UncaughtError, a StepError, when none does)."""
        task = self._external_task(task_id)
        started = time.time()
        spec = task.task_spec
        try:
            with timing(self.timing):
                caught_by = throw_error(task, code, data)
        except SpiffWorkflowException as exc:
            raise StepError(_message(exc), spec.bpmn_id) from exc
        event = StepEvent("external_task_bpmn_error", spec.bpmn_id, spec.bpmn_name, task_id,
                          {"worker_id": worker, "topic": spec.external.topic,
                           "error_code": code, "error_message": message,
                           "caught_by": caught_by, "variables": dict(data)})
        return self._run(started, [event])

    def _external_task(self, task_id: str) -> Any:
        task = self.workflow.get_task_from_id(UUID(task_id)) if task_id in self._external \
            else None
        if task is None or task.state != TaskState.READY:
            raise NotWaiting(f"external task {task_id} is not waiting")
        return task

    def message_catches(self, name: str, kind: str = "message") -> list[MessageCatchDef]:
        """The declarations of every element a message (or signal) of this name would reach
        now: waiting catches, and event sub-processes it would start."""
        waiting = self._waiting_for(name, kind)
        if not waiting:
            raise NotWaiting(f"the instance is not waiting for {kind} '{name}'")
        return [_catch_def(spec, name, kind) for spec, _ in waiting]

    def deliver_message(self, name: str, payload: dict[str, Any],
                        sender: dict[str, Any] | None = None, kind: str = "message"
                        ) -> StepResult:
        """Deliver a message (or signal) to the catch events waiting for it; ``sender`` (who
        sent it, as the caller checked) goes into the history beside the payload."""
        started = time.time()
        event = self._send(kind, name, payload, sender)
        return self._run(started, [event])

    def _send(self, kind: str, name: str, payload: dict[str, Any],
              sender: dict[str, Any] | None) -> StepEvent:
        waiting = self._waiting_for(name, kind)
        if not waiting:
            raise NotWaiting(f"the instance is not waiting for {kind} '{name}'")
        spec, definition = waiting[0]
        try:
            with timing(self.timing):
                self.workflow.send_event(BpmnEvent(definition, payload=payload))
        except SpiffWorkflowException as exc:
            raise StepError(_message(exc), spec.bpmn_id) from exc
        data = {kind: name, "payload": payload, "sender": sender}
        return StepEvent(f"{kind}_received", spec.bpmn_id, name, data=data)

    def waiting_messages(self) -> dict[tuple[str, str], str]:
        """(task id, message name) -> message name, for every message a task waits for
        (an event-based gateway waits for several) and every one that would start an event
        sub-process (under the root task's id); signals under ``signal:<name>``."""
        found = {}
        catching = [(str(t.id), t.task_spec) for t in self.workflow.event_manager.tasks.values()]
        root = str(self.workflow.task_tree.id)
        catching += [(root, s) for s in triggers(self.workflow)]
        for task_id, spec in catching:
            for name in sorted(_messages(spec)):
                found[(task_id, name)] = name
            for name in sorted(_messages(spec, BroadcastSignal)):
                found[(task_id, PREFIX + name)] = PREFIX + name
        return found

    def waiting_timers(self) -> dict[str, str]:
        """Waiting timer task id -> its due moment (ISO, UTC); a repeating timer's next
        occurrence (none once its repetitions are spent)."""
        return {str(t.id): due_of(t) or "" for t in self.workflow.event_manager.tasks.values()
                if _timers(t) and not _spent(t)}

    def timer_elements(self) -> dict[str, str]:
        """Waiting timer task id -> the element that waits (for incidents)."""
        return {str(t.id): t.task_spec.bpmn_id for t in self.workflow.event_manager.tasks.values()
                if _timers(t) and not _spent(t)}

    def fire_timers(self) -> StepResult:
        """Let every timer that is due at ``timing.now`` fire, and run on."""
        due = [tid for tid, at in self.waiting_timers().items()
               if at and datetime.fromisoformat(at) < self.timing.now]
        if not due:
            raise NotWaiting("no timer of this instance is due")
        started = time.time()
        try:
            with timing(self.timing):
                self.workflow.refresh_timers()
        except SpiffWorkflowException as exc:
            raise StepError(_message(exc), _element_of(exc)) from exc
        return self._run(started, [])

    def terminate(self, reason: str) -> StepResult:
        """Cancel every open task; the instance ends as terminated."""
        started = time.time()
        self.workflow.cancel()
        return self._run(started, [StepEvent("instance_terminated", data={"reason": reason})],
                         run_engine=False)

    def _waiting_for(self, name: str, kind: str = "message") -> list[tuple[Any, Any]]:
        """(catching spec, its definition) of every catch the event would reach now."""
        cls = BroadcastSignal if kind == "signal" else MessageEventDefinition
        specs = [t.task_spec for t in self.workflow.event_manager.tasks.values()]
        specs += triggers(self.workflow)
        return [(s, _messages(s, cls)[name]) for s in specs if name in _messages(s, cls)]

    def _run(self, started: float, events: list[StepEvent], run_engine: bool = True
             ) -> StepResult:
        if run_engine:
            meter = _Meter()
            try:
                with timing(self.timing):
                    self.workflow.do_engine_steps(will_complete_task=meter)
            except SpiffWorkflowException as exc:
                raise StepError(_message(exc), _element_of(exc)) from exc
            except ScriptLimitExceeded as exc:
                raise StepError(str(exc), meter.last) from None
            except RecursionError:  # data nested past what the engine's own code walks
                raise StepError("the instance's data is nested too deeply to process",
                                meter.last) from None
            except Exception as exc:  # noqa: BLE001 - diagram code the library ran itself
                # (a correlation property's retrievalExpression, say): the step fails.
                raise StepError(f"{type(exc).__name__}: {describe(exc)}", meter.last) from None
        thrown = [ThrownMessage(e.event_definition.name, e.payload,
                                "signal" if isinstance(e.event_definition, BroadcastSignal)
                                else "message")
                  for e in self.workflow.get_events()
                  if isinstance(e.event_definition, MessageEventDefinition | BroadcastSignal)]
        self._check_data(started, thrown)
        events.extend(self._cycles_fired())
        events.extend(self._completed_since(started))
        before, self._ready = self._ready, self._ready_human_tasks()
        created = [self._resolved(t) for tid, t in self._ready.items() if tid not in before]
        finished = {tid: self._final_state(tid) for tid in before if tid not in self._ready}
        events.extend(self._cancelled_slots(finished, before))
        for t in created:
            events.append(StepEvent("task_created", t.definition.key, t.definition.name, t.id))
        was, self._external = self._external, ready_external(self._all_tasks())
        external_created = [t for tid, t in self._external.items() if tid not in was]
        external_finished = [tid for tid in was if tid not in self._external]
        for e in external_created:
            events.append(StepEvent("external_task_created", e.definition.element_id,
                                    e.definition.element_name, e.id,
                                    {"topic": e.definition.topic}))
        completed = self.workflow.completed
        outcome = self._outcome() if completed else None
        if completed:
            events.append(StepEvent("instance_completed", data={"outcome": outcome}))
        return StepResult(self.tracker.changes(self.workflow), events, created, finished,
                          self.variables(), completed, outcome, thrown, self.waiting_messages(),
                          self.waiting_timers(), self.timer_elements(), external_created,
                          external_finished)

    def _check_data(self, started: float, thrown: list[ThrownMessage]) -> None:
        """Everything the step wrote must be storable JSON, before anything is serialised:
        the data of each task that moved, each workflow's data objects, thrown payloads."""
        moved = sorted((t for t in self._all_tasks() if t.last_state_change >= started),
                       key=lambda t: t.last_state_change)
        try:
            for task in moved:
                where = task.task_spec.bpmn_id
                datasafe.check(task.data)
            where = None
            for wf in (self.workflow, *self.workflow.subprocesses.values()):
                datasafe.check(wf.data)
            for message in thrown:
                where = message.name
                datasafe.check({"payload": message.payload})
        except UnsafeData as exc:
            raise StepError(str(exc), where) from None

    def _all_tasks(self) -> Iterator[Any]:
        yield from self.workflow.tasks.values()
        for sp in self.workflow.subprocesses.values():
            yield from sp.tasks.values()

    def _ready_human_tasks(self) -> dict[str, HumanTask]:
        return {str(t.id): HumanTask(str(t.id), t.workflow.spec.name, t.task_spec.human)
                for t in self._all_tasks()
                if t.state == TaskState.READY and hasattr(t.task_spec, "human")}

    def _resolved(self, human: HumanTask) -> HumanTask:
        """The task's inputs, assignee and candidates, from its own data (a multi-instance
        slot's element variable included)."""
        task = self.workflow.get_task_from_id(UUID(human.id))
        d = human.definition
        inputs = compute(d.inputs, task.data, d.key, "input")
        data = {**task.data, **inputs}
        return replace(
            human, inputs=inputs, slot=slot_index(task),
            assignee=resolve_assignee(d.assignee, data, d.key),
            candidate_groups=resolve_names(d.candidate_groups, data, d.key,
                                           "camunda:candidateGroups"),
            candidate_users=resolve_names(d.candidate_users, data, d.key,
                                          "camunda:candidateUsers"))

    def _cancelled_slots(self, finished: dict[str, str], before: dict[str, HumanTask]
                         ) -> list[StepEvent]:
        """Slots of a multi-instance cancelled because its completion condition held."""
        events = []
        for tid, state in finished.items():
            task = self._find(tid)
            # Not when the whole multi-instance was cancelled (an interrupting boundary
            # event, termination): only the slots its completion condition closed.
            if state == "cancelled" and task is not None and in_multi_instance(task) \
                    and task.parent.state != TaskState.CANCELLED:
                d = before[tid].definition
                events.append(StepEvent("task_cancelled", d.key, d.name, tid,
                                        {"reason": "completionCondition", "slot":
                                         slot_index(task)}))
        return events

    def _find(self, task_id: str) -> Any:
        """The task, or None once the engine dropped it (the slots of a cancelled
        multi-instance task leave the tree)."""
        try:
            return self.workflow.get_task_from_id(UUID(task_id))
        except TaskNotFoundException:
            return None

    def _final_state(self, task_id: str) -> str:
        task = self._find(task_id)
        return "completed" if task is not None and task.state == TaskState.COMPLETED \
            else "cancelled"

    def _completed_since(self, started: float) -> list[StepEvent]:
        done = [t for t in self._all_tasks()
                if t.state == TaskState.COMPLETED and t.last_state_change >= started
                and t.task_spec.bpmn_id is not None and not hasattr(t.task_spec, "human")
                and not hasattr(t.task_spec, "external")]
        done.sort(key=lambda t: t.last_state_change)
        return [StepEvent(_completion_kind(t), t.task_spec.bpmn_id, t.task_spec.bpmn_name,
                          str(t.id), {"due_at": _api_time(due_of(t))} if _timer_fired(t) else None)
                for t in done]

    def _cycle_firings(self) -> dict[str, int]:
        return {str(t.id): state["fired"] for t in self.workflow.event_manager.tasks.values()
                if (state := cycle_state(t)) is not None}

    def _cycles_fired(self) -> list[StepEvent]:
        """A ``timer_fired`` event for each occurrence of a repeating timer since the last
        step (the waiting event stays; its path ran once more)."""
        before, self._cycles = self._cycles, self._cycle_firings()
        fired = []
        for tid, count in self._cycles.items():
            if count > before.get(tid, 0):
                task = self.workflow.get_task_from_id(UUID(tid))
                state = cycle_state(task) or {}
                fired.append(StepEvent("timer_fired", task.task_spec.bpmn_id,
                                       task.task_spec.bpmn_name, tid,
                                       {"due_at": _api_time(state.get("due")),
                                        "occurrence": count}))
        return fired

    def _outcome(self) -> str | None:
        # The process's own end events, and those of its event sub-processes.
        tops = [self.workflow, *(sp for sp in self.workflow.subprocesses.values()
                                 if _is_event_sub(sp))]
        ends = [t for wf in tops for t in wf.tasks.values()
                if isinstance(t.task_spec, EndEvent) and t.state == TaskState.COMPLETED]
        # An end event that names an outcome wins over one that merely closes a side branch
        # (an escalation, say), whichever completed last.
        named = [t for t in ends if _named_outcome(t.task_spec)]
        if not (named or ends):
            return None
        last = max(named or ends, key=lambda t: t.last_state_change).task_spec
        return _named_outcome(last) or last.bpmn_id


class _Meter(StepMeter):
    """Remembers the last task it let run, to name it when the step's time runs out."""

    last: str | None = None

    def __call__(self, task: Any) -> None:
        super().__call__(task)
        self.last = task.task_spec.bpmn_id


def _submit(task: Any, human: HumanTaskDef, data: dict[str, Any]) -> None:
    """Put a submission into the task's data: only its camunda:outputParameters when it
    declares some; in a multi-instance slot, also as the slot's output (which goes to the
    collection, never over the process's variables)."""
    outputs = dict(data)
    if human.outputs:
        inputs = compute(human.inputs, task.data, human.key, "input")
        outputs = compute(human.outputs, {**task.data, **inputs, **data}, human.key, "output")
    if in_multi_instance(task):
        task.data.update(data)
        task.internal_data[SUBMITTED] = outputs
    task.data.update(outputs)


def _messages(spec: Any, kind: type[Any] = MessageEventDefinition) -> dict[str, Any]:
    """The message (or signal) definitions a catching spec catches, by name (an event-based
    gateway or a multiple event catches several)."""
    definition = spec.event_definition
    children = getattr(definition, "event_definitions", None) or [definition]
    return {d.name: d for d in children if isinstance(d, kind)}


def _catch_def(spec: Any, name: str, kind: str = "message") -> MessageCatchDef:
    attribute = f"{kind}_catch"
    if getattr(spec, attribute, None) is None:
        # An event-based gateway waits on behalf of the catch events after it: the one
        # that catches this message carries the declaration.
        # (SpiffWorkflow moves their event definitions onto the gateway.)
        for after in getattr(spec, "outputs", ()):
            declaration = getattr(after, attribute, None)
            if declaration is not None and name in declaration.messages:
                return declaration
    # Every catching element gets one at parse time; a spec without one (none expected)
    # is treated as declaring nothing: administrators and the process only, no payload.
    return getattr(spec, attribute, None) or MessageCatchDef(
        spec.bpmn_id, spec.bpmn_name, (), ())


def _is_event_sub(subworkflow: Any) -> bool:
    holder = subworkflow.top_workflow.get_task_from_id(subworkflow.parent_task_id)
    return holder is not None and holder.workflow is subworkflow.top_workflow and \
        isinstance(holder.task_spec, GovflowEventSubprocess)


def _api_time(iso: str | None) -> str | None:
    """UTC written as the API writes every other time: ...Z."""
    return iso.replace("+00:00", "Z") if iso else iso


def _completion_kind(task: Any) -> str:
    """A timer on a task's boundary firing is that task's deadline passing: the notification
    supervisors look for, whichever step noticed it. Other timers just end a wait."""
    if not _timer_fired(task):
        return "element_completed"
    return "deadline_passed" if isinstance(task.task_spec, BoundaryEvent) else "timer_fired"


def _named_outcome(spec: Any) -> str | None:
    return (getattr(spec, "extensions", None) or {}).get("outcome")


def _timers(task: Any) -> list[Any]:
    definition = getattr(task.task_spec, "event_definition", None)
    children = getattr(definition, "event_definitions", None) or [definition]
    return [d for d in children
            if isinstance(d, LegalTimerEventDefinition | RepeatingTimerEventDefinition)]


def _spent(task: Any) -> bool:
    """A repeating timer whose repetitions are all fired: it waits for nothing more."""
    state = cycle_state(task)
    return state is not None and state["left"] == 0


def _timer_fired(task: Any) -> bool:
    """Whether a completed catching task ended its wait because a timer fired. An event-based
    gateway holds the definitions of the events it races, in the order of its outgoing flows,
    and keeps only the branch that won as its child."""
    spec = task.task_spec
    if not isinstance(spec, EventBasedGateway):
        return bool(_timers(task))
    raced = spec.event_definition.event_definitions
    won = [spec.outputs.index(c.task_spec) for c in task.children if c.task_spec in spec.outputs]
    return any(isinstance(raced[i], LegalTimerEventDefinition) for i in won)


def _message(exc: Exception) -> str:
    notes = getattr(exc, "__notes__", None) or []
    return " ".join([str(exc).split("\n")[0], *notes]).strip()


def _element_of(exc: Exception) -> str | None:
    task = getattr(exc, "task", None)
    return getattr(getattr(task, "task_spec", None), "bpmn_id", None) if task else None
