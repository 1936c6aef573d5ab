"""A non-interrupting escalation boundary event catches every escalation its activity reports.

SpiffWorkflow 3.2.0 runs a boundary event's task once: after a non-interrupting one fired,
nothing waits for the next event of its kind, and a second escalation thrown by the same
call is dropped. BPMN keeps a non-interrupting boundary event armed while its activity
runs. A called stage that reports each late task to the main process needs that (招远's
construction stage reports every late yearly progress report: docs/cities/zhaoyuan.md).
So when such an event fires, a fresh waiting copy takes its place beside the activity; the
boundary join cancels it with the others when the activity ends. Only escalations: a
message or signal on a non-interrupting boundary keeps the library's once.
"""

from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    EscalationEventDefinition,
)
from SpiffWorkflow.util.task import TaskState


class RearmingBoundaryEvent(BoundaryEvent):
    """A boundary event; a non-interrupting escalation catch re-arms after it fires."""

    def _run_hook(self, my_task: Any) -> Any:
        result = super()._run_hook(my_task)
        if self.cancel_activity or not isinstance(self.event_definition,
                                                  EscalationEventDefinition):
            return result
        split = my_task.parent
        activity = next((t for t in split.children
                         if not isinstance(t.task_spec, BoundaryEvent)), None)
        if activity is not None and not activity.has_state(TaskState.FINISHED_MASK):
            fresh = split._add_child(self, TaskState.WAITING)
            self._predict(fresh, mask=TaskState.NOT_FINISHED_MASK)  # its path, to run on firing
            self._update(fresh)  # waits in the event manager, like the one that fired
        return result
