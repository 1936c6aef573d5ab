"""How a task row is shown to API callers."""

from typing import Any

from ..store.jsontext import loads, utc


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
    }
