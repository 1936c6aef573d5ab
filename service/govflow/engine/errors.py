"""Errors the engine raises; the application layer maps them to domain errors."""

from dataclasses import dataclass
from typing import Any


@dataclass
class DiagramProblem:
    """What is wrong, and where: file, line and element id, as far as known."""

    file: str
    message: str
    line: int | None = None
    element: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "element": self.element, "msg": self.message}


class DiagramError(Exception):
    """A diagram set that cannot be deployed. Carries every problem found."""

    def __init__(self, problems: list[DiagramProblem]) -> None:
        self.problems = problems
        first = problems[0]
        where = ", ".join(
            p for p in (first.file, f"line {first.line}" if first.line else "",
                        f"element '{first.element}'" if first.element else "") if p
        )
        super().__init__(f"{where}: {first.message}" if where else first.message)


class StepError(Exception):
    """A step failed while running a diagram (script error, refused script, bad condition)."""

    def __init__(self, message: str, element: str | None = None) -> None:
        super().__init__(message)
        self.element = element


class NotWaiting(Exception):
    """The instance is not waiting for the message or task it was sent."""


class ScriptRefused(ValueError):
    """An expression or script uses something the restricted environment does not allow."""
