"""Event sub-processes started by a message, signal or error, as Camunda 7 runs them.

SpiffWorkflow 3.2.0 parses an event sub-process whose start event catches a message,
signal or error into a *trigger spec* of its process (``spec.start.trigger_specs``) and
creates it only when its workflow's event manager sees a matching event with no target
(``EventManager.update_collaboration``). Three things kept that from working as GovFlow
drives it:

1. GovFlow delivers a message only to a task that waits for it (``event_manager.tasks``),
   and keeps subscriptions only for those: an event sub-process is not a waiting task until
   it is triggered, so the API answered 409 and tenant-wide correlation never found it.
   ``triggers`` lists the start events that can be triggered now; the runtime treats them
   as waiting catches.
2. ``BpmnStartTask.trigger_wf`` connects the process's start task to the event
   sub-process *in the spec*: specs are parsed once per diagram set and shared by every
   instance, so after one instance triggered it, every new instance would start the event
   sub-process at once (and never complete while it waits). ``TriggeringStart`` adds the
   triggered task without touching the spec; the sub-process is connected to the end join
   once, at parse time.
3. The library has no interrupting semantics: an interrupting start (``isInterrupting``,
   default true; error starts always) now cancels the rest of its enclosing process, so its
   task rows leave the inbox and further triggers end. It also copies the enclosing
   process's current variables into the sub-process (the library copies only the start
   task's data).

Timer starts on event sub-processes are refused at upload (see ``unsupported_starts``):
the library would start them with the process and its end would wait for them.
"""

from typing import Any

from SpiffWorkflow.bpmn.specs.control import BpmnStartTask
from SpiffWorkflow.bpmn.specs.defaults import EventSubprocess, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

INTERRUPTED = "govflow_interrupted_by"


class TriggeringStart(BpmnStartTask):
    """The process's start task, creating a triggered event sub-process without connecting
    it in the (shared) spec."""

    def trigger_wf(self, my_task: Any, spec_name: str) -> Any:
        spec = self._wf_spec.task_specs.get(spec_name)
        child = my_task._add_child(spec, TaskState.FUTURE)
        child.triggered = True
        # Its way to the end join (the library predicted it through the start task).
        spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
        child.task_spec._update(child)
        return child.id


class GovflowEventSubprocess(EventSubprocess):
    """Starts with the enclosing process's current variables."""

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        start = subworkflow.get_next_task(spec_name="Start")
        start.set_data(**current_data(my_task.workflow))


class GovflowStartEvent(StartEvent):
    """A start event; inside an event sub-process, an interrupting one cancels the rest of
    the enclosing process once it fires."""

    interrupting = True

    def _run_hook(self, my_task: Any) -> Any:
        result = super()._run_hook(my_task)
        parent_id = my_task.workflow.parent_task_id
        if self.interrupting and parent_id is not None:
            holder = my_task.workflow.top_workflow.get_task_from_id(parent_id)
            if isinstance(holder.task_spec, EventSubprocess):
                interrupt(holder)
        return result


def prepare(spec: Any) -> None:
    """After a process spec is parsed: its start task triggers without changing the spec,
    and each event sub-process flows into the end join."""
    spec.start.__class__ = TriggeringStart
    for name in spec.start.trigger_specs:
        task_spec = spec.task_specs[name]
        if spec.end not in task_spec.outputs:
            task_spec.connect(spec.end)
        if spec.start.name not in task_spec._inputs:
            # One way only: the task spec needs an input to run, the start task must not
            # start it with every instance.
            task_spec._inputs.append(spec.start.name)


def interrupt(holder: Any) -> None:
    """Cancel everything of ``holder``'s workflow but ``holder`` (the event sub-process that
    interrupts) and what follows it; no further event sub-process is triggered there."""
    workflow = holder.workflow
    root = workflow.task_tree
    root.internal_data[INTERRUPTED] = holder.task_spec.bpmn_id or holder.task_spec.name
    for child in list(root.children):
        if child is not holder:
            child.cancel()


def current_data(workflow: Any) -> dict[str, Any]:
    """The variables a workflow's next steps would see: the data of the tasks it waits at,
    merged oldest first; else its last task's."""
    frontier = sorted((t for t in workflow.get_tasks(
        state=TaskState.READY | TaskState.WAITING | TaskState.STARTED) if t.data),
        key=lambda t: t.last_state_change)
    merged: dict[str, Any] = {}
    for task in frontier:
        merged.update(task.data)
    if not merged and workflow.last_task is not None:
        merged.update(workflow.last_task.data)
    return merged


def triggers(workflow: Any) -> list[Any]:
    """The start events of the event sub-processes that an event can trigger now (the top
    workflow's own; none once one interrupted it or it finished)."""
    if workflow.completed or workflow.task_tree.internal_data.get(INTERRUPTED):
        return []
    found = []
    for name in workflow.spec.start.trigger_specs:
        sp_spec = workflow.subprocess_specs.get(name)
        if sp_spec is not None:
            found.extend(sp_spec.bpmn_start_events)
    return found


def unsupported_starts(spec: Any) -> list[Any]:
    """Start events of event sub-processes that GovFlow refuses (timer starts)."""
    return [s for s in getattr(spec, "bpmn_start_events", ())
            if isinstance(s.event_definition, TimerEventDefinition)]
