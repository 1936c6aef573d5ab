"""Whether a parsed set's ids and names fit the columns a running instance writes them to.

A diagram may be valid BPMN and still carry a 300-character id or candidate group: it would
deploy, and every start would then fail in the database (PostgreSQL checks VARCHAR lengths,
SQLite does not). Checked at upload, such a set is refused naming the file and element.
"""

from dataclasses import dataclass
from typing import Any

from .errors import DiagramProblem
from .specs import DiagramSpecs


@dataclass(frozen=True)
class ColumnSizes:
    """Longest values the store holds (store/tables.py)."""

    element_id: int = 200  # process ids, task keys, history element ids, lanes, assignees
    element_name: int = 300  # task and history element names
    group: int = 100  # task_candidates.group_name, task_candidate_users.user_name
    message: int = 200  # message_subscriptions.message_name


def oversized(specs: DiagramSpecs, sizes: ColumnSizes = ColumnSizes()) -> list[DiagramProblem]:
    """One problem per id, name, lane, group or message longer than its column."""
    problems: list[DiagramProblem] = []
    for info in specs.processes.values():
        if len(info.id) > sizes.element_id:
            problems.append(_problem(info.file, info.id, "process id", sizes.element_id))
        for spec in (info._spec, *info._subprocess_specs.values()):
            for task_spec in spec.task_specs.values():
                problems.extend(_task_problems(info.file, task_spec, sizes))
    return problems


def _task_problems(file: str, task_spec: Any, sizes: ColumnSizes) -> list[DiagramProblem]:
    element = getattr(task_spec, "bpmn_id", None)
    if element is None:  # the engine's own bookkeeping tasks
        return []
    checks: list[tuple[str, str | None, int]] = [
        ("element id", element, sizes.element_id),
        ("name", getattr(task_spec, "bpmn_name", None), sizes.element_name),
    ]
    human = getattr(task_spec, "human", None)
    if human is not None:
        checks += [("lane", human.lane, sizes.element_id),
                   ("assignee", human.assignee, sizes.element_id)]
        checks += [("candidate group", g, sizes.group) for g in human.candidate_groups]
        checks += [("candidate user", u, sizes.group) for u in human.candidate_users]
    event = getattr(task_spec, "event_definition", None)
    checks.append(("message name", getattr(event, "name", None), sizes.message))
    return [_problem(file, element, what, limit) for what, value, limit in checks
            if isinstance(value, str) and len(value) > limit]


def _problem(file: str, element: str, what: str, limit: int) -> DiagramProblem:
    shown = element if len(element) <= 60 else element[:57] + "..."
    return DiagramProblem(file, f"the {what} is longer than {limit} characters", None, shown)
