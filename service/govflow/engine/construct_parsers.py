"""Parsers for the standard BPMN constructs GovFlow adds to SpiffWorkflow's Camunda parser:
call activity mappings (call_mappings.py) and event sub-processes (event_subprocess.py)."""

from typing import Any

from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.task_spec import CallActivityParser, SubWorkflowParser

from . import event_subprocess
from .call_mappings import MappedCallActivity, MappingError, read_mappings
from .event_subprocess import GovflowEventSubprocess


class MappedCallActivityParser(CallActivityParser):
    def create_task(self) -> MappedCallActivity:
        spec = MappedCallActivity(self.spec, self.bpmn_id,
                                  subworkflow_spec=SubprocessParser.get_call_activity_spec(self),
                                  **self.bpmn_attributes)
        try:
            spec.in_mappings = read_mappings(self.node, "in")
            spec.out_mappings = read_mappings(self.node, "out")
        except MappingError as exc:
            raise ValidationException(str(exc), node=self.node, file_name=self.filename) \
                from exc
        return spec


class EventAwareSubprocessParser(SubWorkflowParser):
    """An embedded sub-process; one with ``triggeredByEvent`` is an event sub-process (the
    Camunda parser made every sub-process a call activity)."""

    def create_task(self) -> Any:
        if self.node.get("triggeredByEvent") != "true":
            return super().create_task()
        sub_spec = SubprocessParser.get_subprocess_spec(self)
        return GovflowEventSubprocess(self.spec, self.bpmn_id, subworkflow_spec=sub_spec,
                                      **self.bpmn_attributes)


class GovflowProcessParser(ProcessParser):
    def add_tasks(self) -> None:
        super().add_tasks()
        event_subprocess.prepare(self.spec)


