"""External tasks: listing, and the views the API shows. Their state changes are commands
(commands/external.py)."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.permissions import require_worker_or_admin
from ..auth.principal import Principal
from ..context import AppContext
from ..errors import NotFound
from . import repository as repo
from .repository import ExternalTaskRow


def summary(row: ExternalTaskRow, now: datetime) -> dict[str, Any]:
    """An external task as listings show it."""
    held = row.locked_at(now)
    return {"id": row.id, "tenant": row.tenant_id, "topic": row.topic,
            "process_instance_id": row.instance_id, "business_key": row.business_key,
            "process_id": row.process_id, "element_id": row.element_id,
            "element_name": row.element_name, "priority": row.priority,
            "outputs": list(row.outputs), "locked": held,
            "worker_id": row.worker_id if held else None,
            "lock_expires_at": row.lock_expires_at if held else None,
            "retries": row.retries, "error_message": row.error_message,
            "error_details": row.error_details, "created_at": row.created_at,
            "instance_state": row.instance_state}


def locked_view(row: ExternalTaskRow, worker_id: str, until: datetime,
                variables: dict[str, Any]) -> dict[str, Any]:
    """A task just locked for ``worker_id``, as fetch-and-lock returns it."""
    return {"id": row.id, "tenant": row.tenant_id, "topic": row.topic,
            "process_instance_id": row.instance_id, "business_key": row.business_key,
            "process_id": row.process_id, "element_id": row.element_id,
            "element_name": row.element_name, "priority": row.priority,
            "outputs": list(row.outputs), "worker_id": worker_id, "lock_expires_at": until,
            "retries": row.retries, "error_message": row.error_message,
            "variables": variables}


async def search(ctx: AppContext, session: AsyncSession, principal: Principal, tenant_id: str,
                 filters: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
    """A page of the tenant's external tasks, oldest first (workers and administrators)."""
    require_worker_or_admin(principal, tenant_id)
    now = ctx.clock.now()
    rows = await repo.search(session, tenant_id, filters, now, offset, limit)
    return [summary(r, now) for r in rows]


async def get(ctx: AppContext, session: AsyncSession, principal: Principal, tenant_id: str,
              task_id: str) -> dict[str, Any]:
    """One external task, as listed."""
    require_worker_or_admin(principal, tenant_id)
    row = await repo.get(session, task_id)
    if row is None or row.tenant_id != tenant_id:
        raise NotFound(f"external task {task_id} does not exist", code="external.not_found",
                       params={"task_id": task_id})
    return summary(row, ctx.clock.now())
