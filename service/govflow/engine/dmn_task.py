"""A business rule task (``camunda:decisionRef``) that evaluates with GovFlow's DMN engine
(dmn_eval) and writes its result as Camunda 7 does.

With ``camunda:resultVariable`` the result goes into that one variable, mapped by
``camunda:mapDecisionResult`` (``resultList`` when not given). Without it, GovFlow's own
default: the decision's outputs become variables (dmn_eval.variables_without_result_variable),
which is what the cities' diagrams rely on.
"""

from typing import Any, NoReturn

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask

from .dmn_eval import (
    MAPPINGS,
    DecisionFailed,
    evaluate,
    map_result,
    nest_dotted,
    variables_without_result_variable,
)
from .dmn_model import Decision
from .forms import CAMUNDA


class DecisionTask(BusinessRuleTask):
    """Evaluates its decision against the task's data when it runs."""

    def __init__(self, wf_spec: Any, bpmn_id: str, decisions: dict[str, Decision],
                 decision_ref: str, result_variable: str | None, mapping: str,
                 **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, dmnEngine=None, **kwargs)
        self.decisions = decisions
        self.decision_ref = decision_ref
        self.result_variable = result_variable
        self.mapping = mapping

    def _run_hook(self, my_task: Any) -> bool:
        try:
            result = evaluate(self.decisions, self.decision_ref, my_task.data)
            if self.result_variable:
                my_task.data[self.result_variable] = map_result(result, self.mapping)
            else:
                nest_dotted(variables_without_result_variable(
                    self.decisions[self.decision_ref], result), my_task.data)
        except DecisionFailed as exc:
            raise WorkflowTaskException(str(exc), task=my_task) from None
        return True


class DecisionTaskParser(CamundaTaskParser):
    def create_task(self) -> DecisionTask:
        decisions: dict[str, Decision] = getattr(self.process_parser.parser,
                                                 "govflow_decisions", {})
        ref = self.node.get(f"{{{CAMUNDA}}}decisionRef")
        if not ref:
            self._refuse("a business rule task needs camunda:decisionRef "
                                            "(the id of a decision in the set)")
        if ref not in decisions:
            self._refuse(
                f"decision '{ref}' is not in the set (decisions: "
                f"{', '.join(sorted(decisions)) or 'none'})")
        variable = self.node.get(f"{{{CAMUNDA}}}resultVariable") or None
        mapping = self.node.get(f"{{{CAMUNDA}}}mapDecisionResult")
        if mapping is not None and variable is None:
            self._refuse("camunda:mapDecisionResult needs "
                                            "camunda:resultVariable (the variable it fills)")
        if mapping is not None and mapping not in MAPPINGS:
            self._refuse(f"camunda:mapDecisionResult '{mapping}' is not one "
                                            f"of {', '.join(MAPPINGS)}")
        return DecisionTask(self.spec, self.bpmn_id, decisions, ref, variable,
                            mapping or "resultList", **self.bpmn_attributes)

    @staticmethod
    def get_decision_ref(node: Any) -> str | None:
        """What SpiffWorkflow's parser lists as the process's DMN dependency."""
        value = node.get(f"{{{CAMUNDA}}}decisionRef")
        return str(value) if value else None

    def _refuse(self, message: str) -> NoReturn:
        raise ValidationException(message, node=self.node, file_name=self.filename)
