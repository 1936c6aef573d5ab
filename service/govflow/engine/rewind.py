"""Going back in an instance: return (退回) a ready task to an earlier user task on its
path, and withdraw (撤回) a completed task while nothing after it was acted on.

Both reset the branch from the earlier task (SpiffWorkflow's ``reset_from_task_id``: its
descendants leave the tree, so the ready tasks on that path are cancelled, and the earlier
task is ready again with the data it had before it ran). The reset task then gets a new
id: the old one names its completed round in the task list and history, and the new
round is a new task row. Only tasks of the same (sub)process, and never a multi-instance
slot, are rewound to; a task may restrict where it is returned to with the camunda
property ``return_to`` (comma-separated task keys).
"""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from .multiinstance import in_multi_instance
from .rows import RowTracker

RETURN_TO = "return_to"


class RewindRefused(Exception):
    """Why the instance cannot go back there; ``reason`` is a stable word for the caller:
    ``not_earlier`` (no completed task of that key on the path), ``not_allowed`` (the
    diagram's return_to leaves it out), ``acted_on`` (a task after it was completed),
    ``not_rewindable`` (a multi-instance slot, or no such completed task)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Rewind:
    """What going back to ``target`` would do: the id of the completed task to reset, and
    the ready human tasks (ids) it cancels."""

    target: str
    target_key: str
    cancels: tuple[str, ...] = field(default=())


def _task(workflow: Any, task_id: str) -> Any:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return None


def _human(task: Any) -> bool:
    return hasattr(task.task_spec, "human")


def _ready_below(task: Any) -> tuple[str, ...]:
    return tuple(str(t.id) for t in task if t is not task and _human(t)
                 and t.state == TaskState.READY)


def plan_return(workflow: Any, current_id: str, to_key: str) -> Rewind:
    """Return the ready human task ``current_id`` to the latest completed human task
    ``to_key`` above it on its path."""
    current = _task(workflow, current_id)
    if current is None or current.state != TaskState.READY or not _human(current):
        raise RewindRefused("not_rewindable", f"task {current_id} is not a ready user task")
    allowed = (getattr(current.task_spec, "extensions", None) or {}).get(RETURN_TO)
    if allowed is not None and to_key not in [k.strip() for k in allowed.split(",")]:
        raise RewindRefused("not_allowed", f"task '{current.task_spec.bpmn_id}' may be "
                            f"returned only to {allowed or 'no task'} (its return_to)")
    node = current.parent
    while node is not None:
        if node.task_spec.bpmn_id == to_key and _human(node) \
                and node.state == TaskState.COMPLETED:
            if in_multi_instance(node):
                raise RewindRefused("not_rewindable", f"'{to_key}' is a multi-instance "
                                    "task: its slots cannot be returned to")
            return Rewind(str(node.id), to_key, _ready_below(node))
        node = node.parent
    raise RewindRefused("not_earlier", f"no completed task '{to_key}' comes before task "
                        f"'{current.task_spec.bpmn_id}' in this instance")


def plan_withdraw(workflow: Any, completed_id: str) -> Rewind:
    """Withdraw the completed human task ``completed_id``: refused once a human or external
    task after it was completed, or a sub-process after it started."""
    task = _task(workflow, completed_id)
    if task is None or not _human(task) or task.state != TaskState.COMPLETED:
        raise RewindRefused("not_rewindable", f"task {completed_id} is not a completed user "
                            "task of this running instance")
    if in_multi_instance(task):
        raise RewindRefused("not_rewindable", "a multi-instance slot cannot be withdrawn")
    for later in task:
        if later is task:
            continue
        if (_human(later) or hasattr(later.task_spec, "external")) \
                and later.state == TaskState.COMPLETED:
            raise RewindRefused("acted_on", f"task '{later.task_spec.bpmn_id}' after it was "
                                "completed already")
        if later.id in workflow.subprocesses:
            raise RewindRefused("acted_on", f"sub-process '{later.task_spec.bpmn_id}' after "
                                "it has started")
    return Rewind(str(task.id), task.task_spec.bpmn_id, _ready_below(task))


def rewind(workflow: Any, tracker: RowTracker, plan: Rewind) -> str:
    """Give ``plan.target`` a new id (returned), then reset the branch from it.

    Renamed first, so the tasks the reset predicts below it come after it in the
    workflow's order and get later rows: a task's data is stored as a delta from its
    parent's, and rows are restored in order."""
    task = workflow.get_task_from_id(UUID(plan.target))
    owner = task.workflow
    old, new = task.id, uuid4()
    del owner.tasks[old]
    task.id = new
    owner.tasks[new] = task
    parent = task.parent
    if parent is not None:
        parent._children = [new if c == old else c for c in parent._children]
        tracker.invalidate(str(parent.id))  # its children list names the new id
    for child in task.children:
        child._parent = new
    if owner.last_task is not None and owner.last_task.id == old:
        owner.last_task = task
    workflow.reset_from_task_id(new)
    _forget_dropped(workflow)
    return str(new)


def _forget_dropped(workflow: Any) -> None:
    """Waiting events of tasks the reset dropped from the tree no longer wait."""
    manager = workflow.event_manager
    for tid, waiting in list(manager.tasks.items()):
        if waiting.workflow.tasks.get(tid) is not waiting:
            manager.tasks.pop(tid, None)
