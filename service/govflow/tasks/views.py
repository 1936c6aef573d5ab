"""How a task row is shown to API callers."""

from functools import lru_cache
from typing import Any

from ..store.jsontext import loads, utc


@lru_cache(maxsize=1024)
def _process_names(processes: str) -> dict[str, str | None]:
    """A set's process names by id, from its (immutable) ``processes`` column."""
    return {p["id"]: p.get("name") for p in loads(processes) or []}


def process_name(processes: str | None, process_id: str) -> str | None:
    return _process_names(processes).get(process_id) if processes else None


def task_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "key": row.key, "name": row.name, "lane": row.lane,
        "candidate_groups": loads(row.candidate_groups), "assignee": row.assignee,
        "state": row.state, "clause": row.clause, "process_instance_id": row.instance_id,
        "process_id": row.process_id, "tenant": row.tenant_id,
        "diagram_set_id": row.diagram_set_id, "created_at": utc(row.created_at),
        "due_at": utc(row.due_at), "due_estimated": row.due_estimated,
        "completed_at": utc(row.completed_at),
        "completed_by": row.completed_by,
        "candidate_users": loads(row.candidate_users) if row.candidate_users else [],
        "slot": row.slot,
        "business_key": row.business_key, "label": row.label,
        "process_name": process_name(row.set_processes, row.process_id),
        "tenant_name": row.tenant_name,
        "owner": row.owner, "delegation_state": row.delegation_state,
        "urged_count": row.urged_count, "last_urged_at": utc(row.last_urged_at),
    }
