"""Timers in legal time: the deadline notation instead of Python, an injected clock.

SpiffWorkflow's timer events evaluate a Python expression to an ISO date or duration and
compare it with the wall clock. GovFlow's diagrams write deadlines as the regulations do
(``10WD``, ``P3M``, ``--07-01@plan_year-1``), computed on the working-day calendar, and
tests move a clock instead of sleeping. The engine stays free of the calendar: whoever runs
a step supplies a ``Timing`` (now, and how to resolve a deadline).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent

from .iso_timers import next_occurrence, parse_cycle

# (deadline notation, start, variables) -> (due moment in UTC, estimated?)
DueResolver = Callable[[str, datetime, dict[str, Any]], tuple[datetime, bool]]


@dataclass(frozen=True)
class Timing:
    now: datetime
    resolve: DueResolver


def _no_resolver(spec: str, start: datetime, variables: dict[str, Any]) -> tuple[datetime, bool]:
    raise RuntimeError(f"no deadline resolver for timer '{spec}': run steps inside timing()")


_TIMING: ContextVar[Timing | None] = ContextVar("govflow_timing", default=None)


@contextmanager
def timing(value: Timing) -> Iterator[None]:
    token = _TIMING.set(value)
    try:
        yield
    finally:
        _TIMING.reset(token)


def current_timing() -> Timing:
    return _TIMING.get() or Timing(datetime.now(UTC), _no_resolver)


class LegalTimerEventDefinition(TimerEventDefinition):
    """A timer whose expression is a deadline in GovFlow's notation, not Python."""

    def has_fired(self, my_task: Any) -> bool:
        clock = current_timing()
        due = my_task._get_internal_data("event_value")
        if due is None:
            try:
                at, estimated = clock.resolve(self.expression, clock.now, dict(my_task.data))
            except ValueError as exc:  # a deadline counted from a variable the step lacks
                raise WorkflowTaskException(str(exc), task=my_task) from exc
            due = at.astimezone(UTC).isoformat()
            my_task._set_internal_data(event_value=due, due_estimated=estimated)
        # Due is the last instant of the due day; the deadline has passed once it is later.
        if datetime.fromisoformat(due) < clock.now:
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))

    def details(self, my_task: Any) -> PendingBpmnEvent:
        return PendingBpmnEvent(self.name, "TimerEventDefinition",
                                my_task._get_internal_data("event_value"))


class RepeatingTimerEventDefinition(CycleTimerEventDefinition):
    """A ``timeCycle`` (``R3/PT1H``, ``R/PT1H``, ``R3/<date-time>/PT1H``) on a
    non-interrupting boundary event: each occurrence runs the boundary path once, while the
    task waits; the waiting event's ``event_value`` is always the next occurrence.

    The library's cycle reads the wall clock and fires missed occurrences one per refresh;
    this one reads the step's clock, fires at most once per step and skips occurrences
    missed while nothing fired, so a worker that was down does not send a burst. Each
    firing counts against the repetitions: ``R3`` fires exactly three times."""

    def cycle_complete(self, my_task: Any) -> bool:
        now = current_timing().now
        state = my_task._get_internal_data("cycle")
        if state is None:
            try:
                cycle = parse_cycle(self.expression)
            except ValueError as exc:
                raise WorkflowTaskException(str(exc), task=my_task) from exc
            first = cycle.first or now + cycle.interval
            state = {"left": -1 if cycle.count is None else cycle.count, "fired": 0,
                     "interval": cycle.interval.total_seconds(),
                     "next": first.astimezone(UTC).isoformat()}
        fired = False
        if state["left"] != 0 and state["next"] and datetime.fromisoformat(state["next"]) < now:
            fired = True
            state = dict(state, fired=state["fired"] + 1, due=state["next"],
                         left=state["left"] - 1 if state["left"] > 0 else -1)
            following = next_occurrence(datetime.fromisoformat(state["next"]),
                                        timedelta(seconds=state["interval"]), now)
            state["next"] = following.isoformat() if state["left"] != 0 else None
        my_task._set_internal_data(cycle=state, event_value=state["next"])
        return fired

    def details(self, my_task: Any) -> PendingBpmnEvent:
        return PendingBpmnEvent(self.name, "TimerEventDefinition",
                                my_task._get_internal_data("event_value"))


def cycle_state(task: Any) -> dict[str, Any] | None:
    """A repeating timer's count of firings (``fired``) and the moment it last fired
    (``due``), once it waits."""
    state: dict[str, Any] | None = task._get_internal_data("cycle")
    return state


def due_of(task: Any) -> str | None:
    """The ISO due moment of a waiting timer task, once computed (a repeating timer: its
    next occurrence; None once its repetitions are spent)."""
    return task._get_internal_data("event_value")
