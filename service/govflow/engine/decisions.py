"""Evaluating one DMN decision on its own, for the decision-evaluation endpoint."""

from dataclasses import dataclass
from typing import Any

from . import datasafe
from .datasafe import UnsafeData
from .dmn_eval import DecisionFailed, evaluate
from .errors import StepError
from .specs import DecisionInfo


@dataclass(frozen=True)
class MatchedRule:
    id: str
    row: int
    annotation: str | None


@dataclass(frozen=True)
class Evaluated:
    outputs: list[dict[str, Any]]  # the decision's result list, after its hit policy
    matched_rules: list[MatchedRule]  # every rule whose inputs matched, in rule order


def evaluate_decision(decision: DecisionInfo, inputs: dict[str, Any]) -> Evaluated:
    """The decision's result for ``inputs`` (its required decisions evaluated first), and
    the rules that matched."""
    try:
        result = evaluate(decision._decisions, decision.id, inputs)
        outputs = [dict(entry) for entry in result.entries]
        datasafe.check({"outputs": outputs})
    except DecisionFailed as exc:
        raise StepError(str(exc), decision.id) from None
    except UnsafeData as exc:
        raise StepError(f"an output of the decision cannot be returned: {exc}",
                        decision.id) from None
    return Evaluated(outputs, [MatchedRule(r.id, r.row, r.annotation) for r in result.matched])
