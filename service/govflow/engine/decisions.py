"""Evaluating one DMN decision table on its own, for the decision-evaluation endpoint."""

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import datasafe
from .datasafe import UnsafeData
from .errors import StepError
from .sandbox_limits import ScriptLimitExceeded, describe
from .scripting import RestrictedScriptEngine
from .specs import DecisionInfo


@dataclass(frozen=True)
class MatchedRule:
    id: str
    row: int
    annotation: str | None
    outputs: dict[str, Any]


class _StandaloneEngine(RestrictedScriptEngine):
    """Evaluates without a workflow task: errors name the expression, not a task."""

    def evaluate(self, task: Any, expression: str, external_context: dict[str,
                 Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ScriptLimitExceeded as exc:
            raise SpiffWorkflowException(f"cannot evaluate '{expression}': {exc}") from None
        except NameError as exc:
            raise SpiffWorkflowException(f"input variable missing: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - described, not chained (see scripting)
            error = SpiffWorkflowException(f"cannot evaluate '{expression}': {describe(exc)}")
        # A SpiffWorkflowException passes through DMNEngine, which adds the rule's row.
        raise error


_ENGINE = _StandaloneEngine()


def evaluate_decision(decision: DecisionInfo, inputs: dict[str, Any]) -> list[MatchedRule]:
    """The rules of the decision's table that match ``inputs``, with the outputs each one
    yields."""
    table = decision._table
    # DMNEngine only reads task.data and task.workflow.script_engine.
    task = SimpleNamespace(data=dict(inputs), workflow=SimpleNamespace(script_engine=_ENGINE))
    engine = DMNEngine(table)
    try:
        rules = engine.decide(task)
        matched = [MatchedRule(rule.id, rule.row_number,
                               (rule.description or "").strip() or None,
                               dict(rule.output_as_dict(task))) for rule in rules]
        for rule in matched:
            datasafe.check(rule.outputs)
        return matched
    except UnsafeData as exc:
        raise StepError(f"an output of the decision cannot be returned: {exc}",
                        table.id) from None
    except SpiffWorkflowException as exc:
        notes = " ".join(getattr(exc, "__notes__", []) or [])
        raise StepError(f"{str(exc).splitlines()[0]} {notes}".strip(), table.id) from exc

