"""Signals: a throw reaches every catch of its name in the tenant.

SpiffWorkflow delivers a thrown signal inside its own instance and hands it out
(``workflow.get_events()``) only when nothing there caught it, with the thrower's whole
task data as its payload. A BPMN signal is a broadcast, and a payload should carry only
what the catch declares: ``BroadcastSignal`` throws an empty payload and always hands the
signal out, so the service delivers it to the tenant's other waiting instances and starts
the processes of the active set that a signal start event of that name begins
(commands/signals.py). Catches declare ``senders`` and ``payload`` as message catches do
(engine/message_catch.py).
"""

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent

# Subscriptions of signal catches share the message table under this prefix.
PREFIX = "signal:"


class BroadcastSignal(SignalEventDefinition):
    """A signal that carries no payload when thrown and is always handed out."""

    def throw(self, my_task: Any) -> None:
        top = my_task.workflow.top_workflow
        event = BpmnEvent(self, payload={})
        top.catch(event)
        if not any(e is event for e in top.bpmn_events):
            top.bpmn_events.append(event)


def subscription(name: str) -> str:
    return PREFIX + name
