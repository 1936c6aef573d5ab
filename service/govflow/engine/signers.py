"""Adding signers (加签) to a running parallel multi-instance user task: one new slot per
user, each with the user as its element variable (and assignee); ``nrOfInstances`` grows,
and the output collection gets a place for each. Refused for a sequential multi-instance
or a task that is not one, and where the diagram says ``add_signers`` = ``false`` (a
Camunda property on the task)."""

from typing import Any
from uuid import UUID

from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from .multiinstance import MAX_SLOTS, MultiInstance, in_multi_instance

ADD_SIGNERS = "add_signers"


class SignersRefused(Exception):
    """Why no signer can be added there (a message for the caller)."""


def _slot_parent(workflow: Any, slot_id: str) -> tuple[Any, Any]:
    try:
        slot = workflow.get_task_from_id(UUID(slot_id))
    except (TaskNotFoundException, ValueError):
        slot = None
    if slot is None or slot.state != TaskState.READY or not in_multi_instance(slot):
        raise SignersRefused(f"task {slot_id} is not a ready slot of a multi-instance task")
    parent = slot.parent
    spec = parent.task_spec
    if not isinstance(spec, MultiInstance) or parent.state != TaskState.STARTED:
        raise SignersRefused(f"task {slot_id} is not a slot of a running multi-instance task")
    return slot, parent


def check_signers(workflow: Any, slot_id: str, users: list[str]) -> None:
    """Raise SignersRefused unless ``users`` can be added next to slot ``slot_id``."""
    slot, parent = _slot_parent(workflow, slot_id)
    spec = parent.task_spec
    if spec.loop.sequential:
        raise SignersRefused(f"'{slot.task_spec.bpmn_id}' is a sequential multi-instance "
                             "task: signers are added only to a parallel one")
    allowed = (getattr(slot.task_spec, "extensions", None) or {}).get(ADD_SIGNERS, "true")
    if allowed.strip().lower() == "false":
        raise SignersRefused(f"the diagram forbids adding signers to "
                             f"'{slot.task_spec.bpmn_id}' (add_signers = false)")
    items = parent.internal_data.get("items", [])
    if len(items) + len(users) > MAX_SLOTS:
        raise SignersRefused(f"a multi-instance task may have at most {MAX_SLOTS} instances")


def add_signers(workflow: Any, slot_id: str, users: list[str]) -> dict[str, str]:
    """Add one slot per user next to slot ``slot_id``: new slot id -> its user."""
    check_signers(workflow, slot_id, users)
    _, parent = _slot_parent(workflow, slot_id)
    spec = parent.task_spec
    added = {}
    for user in users:
        parent.internal_data["items"].append(user)
        results = list(parent.data.get(spec.loop.output_collection) or [])
        parent.data[spec.loop.output_collection] = [*results, None]
        before = {c.id for c in parent.children}
        spec._add_next(parent)
        [child] = [c for c in parent.children if c.id not in before]
        added[str(child.id)] = user
    return added
