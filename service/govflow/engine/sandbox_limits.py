"""The resource limits of one evaluation: CPU time, and what it may build.

Every evaluation (a script, a condition, a DMN entry, a message payload) runs under a
``Budget``: a CPU-time deadline checked every few ``tick`` calls (the compiled code ticks at
each loop iteration and function entry), and a count of the cells it may place in the
containers it builds (each element of a list, tuple, set or dict, a string weighing one cell
per 16 characters). Operations that could make a huge value in one C call -- ``**``, ``*``,
``<<``, ``+``, ``%``, padding and joining strings -- check the size of their result before
they compute it. Exceeding a limit raises ``ScriptLimitExceeded``, which a script cannot
catch: it derives from ``BaseException`` and bare ``except:`` is refused at compile time.

CPU time here is the thread's CPU time less what the cyclic garbage collector spent on it: a
full collection walks the whole process's heap (hundreds of milliseconds in a big one), and
it is the process's housekeeping, not the diagram's work -- counted, it failed an innocent
step that happened to allocate when a collection fell due.
"""

import gc
import threading
import time
from dataclasses import dataclass
from typing import Any


class ScriptLimitExceeded(BaseException):
    """An evaluation went over one of its limits; the step fails."""


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 1.0
    max_int_bits: int = 10_000
    max_sequence: int = 1_000_000   # cells an evaluation may build, in all
    max_string: int = 1_000_000     # characters of any one string it builds
    step_cpu_seconds: float = 10.0  # CPU time of one step, all its evaluations together

    def exceeded(self, what: str, setting: str, limit: object) -> ScriptLimitExceeded:
        return ScriptLimitExceeded(f"{what} exceeds the limit of {limit} "
                                   f"(setting {setting})")


CHECK_EVERY = 64  # ticks between two reads of the thread's CPU clock
SCALARS = (type(None), bool, int, float, complex)
CONTAINERS = (list, tuple, dict, set, frozenset)
STRINGS = (str, bytes)


class Budget:
    """What one evaluation may still spend."""

    __slots__ = ("cells", "countdown", "deadline", "limits")

    def __init__(self, limits: Limits) -> None:
        self.reset(limits)

    def reset(self, limits: Limits) -> None:
        self.limits = limits
        # Read the CPU clock at the first check, not now: it costs a system call, and most
        # evaluations (a condition, a DMN entry) never loop at all. What runs before the
        # first check is a few dozen ticks' worth.
        self.deadline: float | None = None
        self.countdown = CHECK_EVERY
        self.cells = limits.max_sequence

    def check_time(self) -> None:
        self.countdown = CHECK_EVERY
        now = cpu_time()
        if self.deadline is None:
            self.deadline = now + self.limits.cpu_seconds
        elif now > self.deadline:
            raise self.limits.exceeded("the evaluation's CPU time", "script_cpu_seconds",
                                       f"{self.limits.cpu_seconds} s")

    def spend(self, cells: int) -> None:
        self.cells -= cells
        if self.cells < 0:
            self.cells = -1
            raise self.limits.exceeded("the data the evaluation builds", "script_max_sequence",
                                       f"{self.limits.max_sequence} cells")

    def weight(self, value: Any) -> int:
        """Cells of ``value`` counted as a tree (a list repeated counts each time), walking no
        further than the cells left: a value too heavy to place raises."""
        left = self.cells
        total = 0
        stack = [value]
        while stack:
            item = stack.pop()
            kind = type(item)
            if kind in STRINGS:
                total += 1 + len(item) // 16
            elif kind is dict:
                total += 1 + len(item)
                stack.extend(item.keys())
                stack.extend(item.values())
            elif kind in CONTAINERS:
                total += 1 + len(item)
                stack.extend(item)
            elif isinstance(item, BaseException):  # str() of it prints its arguments
                total += 1 + len(item.args)
                stack.extend(item.args)
            else:
                total += 1
            if total > left:
                self.spend(total)
        return total


_local = threading.local()
_limits = Limits()


def cpu_time() -> float:
    """This thread's CPU time, less the time the garbage collector ran on it."""
    return time.thread_time() - getattr(_local, "collected", 0.0)


def _on_collection(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _local.collection_started = time.thread_time()
        return
    started = getattr(_local, "collection_started", None)
    if started is not None:
        _local.collected = getattr(_local, "collected", 0.0) + time.thread_time() - started
        _local.collection_started = None


gc.callbacks.append(_on_collection)


def configure(limits: Limits) -> None:
    """Set the limits every later evaluation runs under (from the service's settings)."""
    global _limits
    _limits = limits


def current_limits() -> Limits:
    return _limits


def begin() -> Budget:
    """A fresh budget for an evaluation that starts now, on this thread."""
    found = getattr(_local, "budget", None)
    if found is None:
        found = _local.budget = Budget(_limits)
    else:
        found.reset(_limits)
    return found


def budget() -> Budget:
    found = getattr(_local, "budget", None)
    if found is None:
        return begin()
    return found


def tick() -> None:
    b = _local.budget
    b.countdown -= 1
    if b.countdown <= 0:
        b.check_time()


class StepMeter:
    """Called before each task an engine step runs: a diagram that loops back on itself
    through tasks and gateways (each evaluation well within its own limit) stops here."""

    def __init__(self) -> None:
        self.limits = _limits
        self.deadline = cpu_time() + self.limits.step_cpu_seconds

    def __call__(self, task: Any) -> None:
        if cpu_time() > self.deadline:
            raise self.limits.exceeded("the step's CPU time", "script_step_cpu_seconds",
                                       f"{self.limits.step_cpu_seconds} s")


_PLAIN = (str, int, float, bool, type(None))


def describe(exc: BaseException, size: int = 300) -> str:
    """An exception diagram code raised, as text, without printing what it may carry (an
    argument can be a structure whose text would be huge): plain arguments only."""
    if all(type(a) in _PLAIN for a in exc.args) and sum(
            len(a) if type(a) is str else 1 for a in exc.args) <= 100_000:
        try:
            text = str(exc)
        except ValueError:  # an integer too long to print
            text = ""
    else:
        text = "(a value that is not shown)"
    return text if len(text) <= size else text[:size] + "..."
