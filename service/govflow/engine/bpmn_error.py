"""``bpmn_error(code, message)``: a script task throws a BPMN error, as a Camunda 7 script
throws ``BpmnError``.

The error is caught, as an error end event's would be, by an error boundary event (on the
script task, or on a sub-process or call activity around it) or an error event
sub-process whose ``errorCode`` is the code (or that names no code). Caught, the script
task ends there (its changes to the variables are dropped) and the catching path runs.
Not caught, the step fails: 422 naming the code and the script task, nothing stored.

``BpmnScriptError`` is a ``BaseException``, so a diagram's own ``except Exception`` cannot
swallow it; called anywhere but a script task (a condition, a DMN entry) it fails the step.
"""

import re
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent

_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
MAX_MESSAGE = 1000


class BpmnScriptError(BaseException):
    """Raised by ``bpmn_error`` inside the sandbox; the script engine throws it as a BPMN
    error event."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def bpmn_error(code: Any, message: Any = "") -> None:
    """The sandbox builtin: throw the BPMN error ``code`` (letters, digits, ``_.:-``, up to
    200) with an optional message (a string, up to 1,000 characters)."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError("bpmn_error() takes an error code of letters, digits, '_', '.', ':' "
                         "or '-' (up to 200 characters)")
    if not isinstance(message, str):
        raise TypeError("bpmn_error()'s message must be a string")
    raise BpmnScriptError(code, message[:MAX_MESSAGE])


def throw(task: Any, error: BpmnScriptError) -> None:
    """Throw the error from ``task`` (a script task). Returns when something caught it; else
    raises a task error naming the code, for the step to fail with."""
    top = task.workflow.top_workflow
    definition = ErrorEventDefinition(error.code, error.code)
    event = BpmnEvent(definition, payload={}, target=task.workflow)
    top.catch(event)
    if any(e is event for e in top.bpmn_events):  # nothing in the instance caught it
        top.bpmn_events = [e for e in top.bpmn_events if e is not event]
        said = f" ({error.message})" if error.message else ""
        raise WorkflowTaskException(
            f"BPMN error '{error.code}'{said} thrown by the script was not caught: no error "
            "boundary event or error event sub-process catches this code", task=task)
