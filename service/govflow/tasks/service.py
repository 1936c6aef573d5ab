"""Tasks as the API shows them: inbox queries, one task with its form. Claim, unclaim and
complete are commands (commands/tasks.py); the checks they share are here."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .. import cursor as pagination
from ..auth.permissions import require_visible
from ..auth.principal import Principal
from ..context import AppContext
from ..errors import Conflict, Forbidden
from ..instances import repository as instance_repo
from ..store.jsontext import loads
from . import repository as repo
from .views import task_summary


async def search(ctx: AppContext, session: AsyncSession, principal: Principal,
                 filters: dict[str, Any], sort: str, offset: int, limit: int,
                 cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Tasks of the caller's tenants matching the inbox filters, and the cursor of the page
    after them."""
    _resolve(ctx, principal, filters)
    after = pagination.decode(sort, cursor) if cursor is not None else None
    rows = await repo.search(session, filters, principal.visible_tenants(), sort, offset, limit,
                             after)
    following = pagination.encode(sort, repo.order(sort).cursor_of(rows[-1], _SORT_ATTR[
        sort.lstrip("-")])) if rows else None
    return [task_summary(r) for r in rows], following


async def count(ctx: AppContext, session: AsyncSession, principal: Principal,
                filters: dict[str, Any]) -> int:
    """How many of the caller's tasks match the inbox filters."""
    _resolve(ctx, principal, filters)
    return await repo.count(session, filters, principal.visible_tenants())


_SORT_ATTR = {"created_at": "created_at", "due_at": "due_at"}


def _resolve(ctx: AppContext, principal: Principal, filters: dict[str, Any]) -> None:
    if filters.get("assignee") == "me":
        filters["assignee"] = principal.user
    filters["mine"] = principal if filters.get("mine") else None
    filters["now"] = ctx.clock.now()


async def get(ctx: AppContext, session: AsyncSession, principal: Principal, task_id: str
              ) -> dict[str, Any]:
    """A task with its form (JSON Schema) and data: submitted values, or current ones."""
    row = await visible(session, principal, task_id)
    form = await form_of(ctx, session, row)
    if row.state == "completed":
        data = loads(row.data) or {}
    else:
        current = await instance_repo.load_variables(session, row.instance_id)
        data = {k: current[k] for k in form.get("properties", {}) if k in current}
    return {**task_summary(row), "form": form, "data": data}


async def summary(session: AsyncSession, principal: Principal, task_id: str
                  ) -> dict[str, Any]:
    """A task as the inbox shows it."""
    return task_summary(await visible(session, principal, task_id))


async def form_of(ctx: AppContext, session: AsyncSession, row: Any) -> dict[str, Any]:
    specs = await ctx.specs.get(session, row.diagram_set_id)
    definition = specs.human_task(row.process_id, row.key)
    return definition.form if definition is not None else {"type": "object"}


async def visible(session: AsyncSession, principal: Principal, task_id: str) -> Any:
    row = await repo.get(session, task_id)
    require_visible(principal, row.tenant_id if row is not None else None,
                    f"task {task_id} does not exist")
    return row


async def workable(session: AsyncSession, principal: Principal, task_id: str) -> Any:
    row = await visible(session, principal, task_id)
    groups = loads(row.candidate_groups)
    if not principal.may_work_on(groups):
        raise Forbidden(f"task {task_id} is for groups {', '.join(groups)}; "
                        f"user '{principal.user}' is in none of them")
    require_ready(row)
    return row


def require_ready(row: Any) -> None:
    if row.state != "ready":
        raise Conflict(f"task {row.id} is {row.state}")
