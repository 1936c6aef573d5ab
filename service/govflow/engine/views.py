"""What the rest of GovFlow may know of a parsed diagram: plain frozen dataclasses.

SpiffWorkflow's specs, decision tables and tasks stay inside ``engine/``; everything that
leaves it is one of these (or another plain value), read once at parse time.
tests/engine/test_boundary.py keeps it so.
"""

from dataclasses import dataclass

from .external import ExternalTaskDef
from .message_catch import MessageCatchDef
from .parser import HumanTaskDef

__all__ = ["DecisionInput", "DecisionOutput", "DecisionRule", "ExternalTaskDef",
           "HumanTaskDef", "MessageCatchDef", "TimerDef"]


@dataclass(frozen=True)
class DecisionInput:
    id: str
    label: str | None
    expression: str | None
    type: str | None


@dataclass(frozen=True)
class DecisionOutput:
    id: str
    label: str | None
    name: str | None
    type: str | None


@dataclass(frozen=True)
class DecisionRule:
    id: str
    row: int
    annotation: str | None   # the rule's description: the clause it cites
    inputs: tuple[str, ...]  # one entry per input ("-" or "" matches anything)
    outputs: tuple[str, ...]  # one expression per output


@dataclass(frozen=True)
class TimerDef:
    """A timer event of a process: where it waits and its value (legal-day notation, exact
    ISO 8601 time, or a repeating cycle)."""

    element_id: str
    element_name: str | None
    deadline: str
    boundary: bool  # on a task's boundary: that task's deadline
