"""A parallel join that knows its rounds, so a joint sign-off (会签) can sit in a rework loop.

SpiffWorkflow 3's parallel gateway has two faults when the flow loops back in front of the
fork, as a joint review that sends the project back for 整改 does:

- **It fires early in the second round.** It counts an incoming flow as arrived when any
  join task of its spec has a completed parent on that flow, including the first round's
  join tasks that were cancelled when the round closed: in round two the first branch to
  arrive finds round one's arrivals and fires while the other bodies' tasks stay open.
- **A stale answer wins.** Every branch carries a full copy of the data as it was at the
  fork, and the join merges the branches' whole data with the last to arrive winning: its
  copy of the other branches' variables is the previous round's (a refusal that caused the
  loop), so the gateway after the join reads the old refusal over the new approval.

GovflowParallelGateway counts and merges only this round's join tasks (those after the
latest earlier firing of the same join on the arriving task's lineage), and merges what
each branch changed since the fork rather than its whole copy; the arriving branch's own
changes win a conflict, as before.
"""

import copy
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import ParallelGateway
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState


def _round_start(spec: Any, my_task: Any) -> Any:
    """The latest earlier firing of this join on ``my_task``'s lineage (None in round one)."""
    task = my_task.parent
    while task is not None:
        if task.task_spec == spec:
            return task
        task = task.parent
    return None


def _this_round(start: Any, task: Any) -> bool:
    return start is None or task.is_descendant_of(start)


def _fork_of(a: Any, b: Any) -> Any:
    """The lowest common ancestor of two tasks: where their branches split."""
    lineage = set()
    task = a
    while task is not None:
        lineage.add(task.id)
        task = task.parent
    task = b
    while task is not None and task.id not in lineage:
        task = task.parent
    return task


def _changes(end: Any, fork: Any) -> dict[str, Any]:
    if fork is None:
        return dict(end.data)
    before = fork.data
    return {k: v for k, v in end.data.items() if k not in before or before[k] != v}


class GovflowParallelGateway(ParallelGateway):
    def _check_threshold_unstructured(self, my_task: Any) -> bool:
        start = _round_start(self, my_task)
        waiting_inputs = set(self.inputs)

        def remove_ancestor(task: Any) -> None:
            if task.task_spec in waiting_inputs:
                waiting_inputs.remove(task.task_spec)
            elif task.parent is not None:
                remove_ancestor(task.parent)

        for task in my_task.workflow.get_tasks(spec_name=self.name):
            if not _this_round(start, task):
                continue  # an earlier round's arrival (cancelled when that round closed)
            if task.is_descendant_of(my_task):
                remove_ancestor(task)
            elif my_task.is_descendant_of(task):
                continue
            elif task.parent.state == TaskState.COMPLETED and task.parent.task_spec in waiting_inputs:
                waiting_inputs.remove(task.parent.task_spec)
        return len(waiting_inputs) == 0

    def _run_hook(self, my_task: Any) -> bool:
        start = _round_start(self, my_task)
        mine = my_task.parent
        merged = copy.deepcopy(mine.data)
        others = [t for t in my_task.workflow.tasks.values()
                  if t.task_spec == self and t is not my_task
                  and t.has_state(TaskState.FINISHED_MASK)
                  and not my_task.is_descendant_of(t) and _this_round(start, t)]
        my_fork = None
        for task in sorted(others, key=lambda t: t.last_state_change):
            fork = _fork_of(task.parent, mine)
            DeepMerge.merge(merged, copy.deepcopy(_changes(task.parent, fork)))
            my_fork = fork if my_fork is None else my_fork
            if task.has_state(TaskState.COMPLETED):
                task._drop_children(force=True)  # as SpiffWorkflow does after a reset
        if my_fork is not None:
            DeepMerge.merge(merged, copy.deepcopy(_changes(mine, my_fork)))
        my_task.data = merged
        return True
