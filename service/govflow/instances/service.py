"""Process instances: read, search, history, diagram. Their state changes are commands
(commands/instances.py)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .. import cursor as pagination
from ..auth.permissions import require_visible
from ..auth.principal import Principal
from ..context import AppContext
from ..diagrams import service as diagrams
from ..fields import INT32_MAX
from ..store.jsontext import loads, utc
from ..store.keyset import Cursor
from ..tasks import repository as task_repo
from ..tasks.views import process_name, task_summary
from . import repository as repo

INSTANCE_STATES = ("running", "suspended", "completed", "terminated", "error")


async def get(ctx: AppContext, session: AsyncSession, principal: Principal, instance_id: str
              ) -> dict[str, Any]:
    """An instance with its variables and ready tasks."""
    row, variables = await repo.get_listed_with_variables(session, instance_id)
    require_visible(principal, row.tenant_id if row is not None else None,
                    f"process instance {instance_id} does not exist", "instance.not_found",
                    instance_id=instance_id)
    ready = await task_repo.ready_of_instance(session, instance_id)
    return {**summary(row), "variables": variables,
            "ready_tasks": [task_summary(t) for t in ready]}


async def search(session: AsyncSession, principal: Principal, filters: dict[str, Any],
                 offset: int, limit: int, cursor: str | None = None
                 ) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the caller's instances, newest first, and the cursor of the next page."""
    after = pagination.decode("-created_at", cursor) if cursor is not None else None
    rows = await repo.search(session, filters, principal.visible_tenants(), offset, limit,
                             after)
    following = pagination.encode(
        "-created_at", repo.NEWEST_FIRST.cursor_of(rows[-1], "created_at")) if rows else None
    return [summary(r) for r in rows], following


async def history(session: AsyncSession, principal: Principal, instance_id: str, offset: int,
                  limit: int, cursor: str | None = None
                  ) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the instance's events in order, and the cursor of the page after it."""
    await visible(session, principal, instance_id)
    after = _history_after(pagination.decode(HISTORY, cursor)) if cursor is not None else None
    rows = await repo.list_history(session, instance_id, offset, limit, after)
    following = pagination.encode(HISTORY, Cursor(None, str(rows[-1].id))) if rows else None
    return [{"id": r.id, "at": utc(r.at), "actor": r.actor, "event": r.event,
             "element_id": r.element_id, "element_name": r.element_name, "task_id": r.task_id,
             "data": loads(r.data)} for r in rows], following


HISTORY = "history"  # what a history cursor was made for: events by id


def _history_after(cursor: Cursor) -> int:
    if not cursor.id.isdigit() or int(cursor.id) > INT32_MAX:
        raise pagination.not_ours()
    return int(cursor.id)


async def svg(ctx: AppContext, session: AsyncSession, principal: Principal, instance_id: str
              ) -> str:
    """The instance's diagram with completed, active and overdue elements marked."""
    row = await visible(session, principal, instance_id)
    done = await repo.completed_elements(session, instance_id)
    ready = [(t.key, t.due_at) for t in await task_repo.ready_of_instance(session, instance_id)]
    now = ctx.clock.now()
    return await diagrams.process_svg(
        ctx, session, principal, row.diagram_set_id, row.process_id,
        completed=done, active={k for k, _ in ready},
        overdue={k for k, due in ready if due is not None and (utc(due) or now) < now})


async def visible(session: AsyncSession, principal: Principal, instance_id: str) -> Any:
    row = await repo.get(session, instance_id)
    require_visible(principal, row.tenant_id if row is not None else None,
                    f"process instance {instance_id} does not exist", "instance.not_found",
                    instance_id=instance_id)
    return row


def summary(row: Any) -> dict[str, Any]:
    return {"id": row.id, "tenant": row.tenant_id, "process_id": row.process_id,
            "business_key": row.business_key, "state": row.state, "outcome": row.outcome,
            "error": row.error, "diagram_set_id": row.diagram_set_id, "version": row.version,
            "started_by": row.started_by, "created_at": utc(row.created_at),
            "updated_at": utc(row.updated_at), "ended_at": utc(row.ended_at),
            "label": row.label, "process_name": process_name(row.set_processes, row.process_id),
            "tenant_name": row.tenant_name}
