"""Process instances: start, read, messages, suspend/resume/terminate, history."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from .. import cursor as pagination
from ..auth.permissions import require_tenant_admin, require_visible, require_visible_tenant
from ..auth.principal import Principal
from ..context import AppContext
from ..diagrams import service as diagrams
from ..errors import Conflict, FieldError, Invalid
from ..store.jsontext import loads, utc
from ..store.tables import history as history_table
from ..store.tables import tasks as task_table
from ..tasks.forms import validate_variables
from ..tasks.views import task_summary
from ..tenants.service import require as require_tenant
from . import repository as repo
from .executor import UnitOfWork
from .messages import Delivery

INSTANCE_STATES = ("running", "suspended", "completed", "terminated", "error")


async def start(ctx: AppContext, session: AsyncSession, principal: Principal, tenant_id: str,
                process_id: str | None, business_key: str | None, variables: dict[str, Any]
                ) -> dict[str, Any]:
    """Start an instance on the tenant's active diagram set and run it to its first wait."""
    require_visible_tenant(principal, tenant_id)
    tenant = await require_tenant(session, tenant_id)
    if tenant.active_set_id is None:
        raise Conflict(f"tenant '{tenant_id}' has no active diagram set: deploy one first")
    specs = await ctx.specs.get(session, tenant.active_set_id)
    process_id = process_id or specs.main_process_id
    if process_id not in specs.processes:
        raise Invalid(f"process '{process_id}' is not in the active diagram set", [FieldError(
            "body.process_id", f"one of: {', '.join(sorted(specs.processes))}")])
    validate_variables(specs.processes[process_id].start_form, variables)
    async with UnitOfWork(ctx, session) as uow:
        instance_id, _ = await uow.start(tenant_id, tenant.active_set_id, process_id,
                                         business_key, variables, principal.user)
        await uow.commit()
    return await get(ctx, session, principal, instance_id)


async def get(ctx: AppContext, session: AsyncSession, principal: Principal, instance_id: str
              ) -> dict[str, Any]:
    """An instance with its variables and ready tasks."""
    row = await _visible(session, principal, instance_id)
    ready = await session.execute(
        sa.select(task_table).where(task_table.c.instance_id == instance_id,
                                    task_table.c.state == "ready")
        .order_by(task_table.c.created_at, task_table.c.id))
    return {**summary(row), "variables": await repo.load_variables(session, instance_id),
            "ready_tasks": [task_summary(t) for t in ready.all()]}


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


async def history(session: AsyncSession, principal: Principal, instance_id: str, after: int,
                  limit: int) -> list[dict[str, Any]]:
    await _visible(session, principal, instance_id)
    rows = await repo.list_history(session, instance_id, after, limit)
    return [{"id": r.id, "at": utc(r.at), "actor": r.actor, "event": r.event,
             "element_id": r.element_id, "element_name": r.element_name, "task_id": r.task_id,
             "data": loads(r.data)} for r in rows]


async def svg(ctx: AppContext, session: AsyncSession, principal: Principal, instance_id: str
              ) -> str:
    """The instance's diagram with completed, active and overdue elements marked."""
    row = await _visible(session, principal, instance_id)
    done = await session.execute(
        sa.select(history_table.c.element_id).distinct().where(
            history_table.c.instance_id == instance_id,
            history_table.c.event.in_(("element_completed", "task_completed"))))
    ready = (await session.execute(
        sa.select(task_table.c.key, task_table.c.due_at).where(
            task_table.c.instance_id == instance_id, task_table.c.state == "ready"))).all()
    now = ctx.clock.now()
    return await diagrams.process_svg(
        ctx, session, principal, row.diagram_set_id, row.process_id,
        completed={r[0] for r in done.all() if r[0]}, active={k for k, _ in ready},
        overdue={k for k, due in ready if due is not None and (utc(due) or now) < now})


async def send_message(ctx: AppContext, session: AsyncSession, principal: Principal,
                       instance_id: str, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Deliver a message to one instance; 409 if it is not waiting for it, 403 if the caller
    is not one of its senders, 422 for a payload key it does not take (messages.py)."""
    row = await _visible(session, principal, instance_id)
    async with UnitOfWork(ctx, session) as uow:
        await uow.send(row, Delivery(name, payload, principal), principal.user)
        await uow.commit()
    return await get(ctx, session, principal, instance_id)


async def correlate(ctx: AppContext, session: AsyncSession, principal: Principal,
                    tenant_id: str, name: str, correlation: dict[str, Any],
                    payload: dict[str, Any]) -> list[str]:
    """Deliver a message to every running instance of the tenant that waits for it and whose
    variables equal ``correlation``; returns their ids. The caller must be a sender for every
    one of them, or nothing is delivered (403)."""
    require_visible_tenant(principal, tenant_id)
    await require_tenant(session, tenant_id)
    async with UnitOfWork(ctx, session) as uow:
        delivered = await uow.correlate(tenant_id, name, correlation, payload, None,
                                        principal.user, principal=principal)
        await uow.commit()
    return delivered


async def suspend(ctx: AppContext, session: AsyncSession, principal: Principal,
                  instance_id: str) -> dict[str, Any]:
    return await _set_state(ctx, session, principal, instance_id, "running", "suspended",
                            "instance_suspended")


async def resume(ctx: AppContext, session: AsyncSession, principal: Principal,
                 instance_id: str) -> dict[str, Any]:
    """Resume a suspended instance, or retry one a failed timer put in ``error``."""
    row = await _visible(session, principal, instance_id)
    expected = "error" if row.state == "error" else "suspended"
    return await _set_state(ctx, session, principal, instance_id, expected, "running",
                            "instance_resumed")


async def terminate(ctx: AppContext, session: AsyncSession, principal: Principal,
                    instance_id: str, reason: str) -> dict[str, Any]:
    """Cancel every open task; the instance ends with outcome ``terminated``. A suspended
    instance, or one in ``error`` (a timer incident an admin gives up on), may be terminated."""
    row = await _visible(session, principal, instance_id)
    require_tenant_admin(principal, row.tenant_id)
    async with UnitOfWork(ctx, session) as uow:
        if row.state in ("suspended", "error"):
            await uow.set_state(row.id, "running", principal.user,
                                "instance_resumed" if row.state == "suspended"
                                else "incident_resolved")
        await uow.step(row.id, lambda e: e.terminate(reason), principal.user)
        await uow.commit()
    return await get(ctx, session, principal, instance_id)


async def _set_state(ctx: AppContext, session: AsyncSession, principal: Principal,
                     instance_id: str, expected: str, new: str, event: str) -> dict[str, Any]:
    row = await _visible(session, principal, instance_id)
    require_tenant_admin(principal, row.tenant_id)
    if row.state != expected:
        raise Conflict(f"process instance {instance_id} is {row.state}, not {expected}")
    async with UnitOfWork(ctx, session) as uow:
        await uow.set_state(row.id, new, principal.user, event)
        await uow.commit()
    return await get(ctx, session, principal, instance_id)


async def _visible(session: AsyncSession, principal: Principal, instance_id: str) -> Any:
    row = await repo.get(session, instance_id)
    require_visible(principal, row.tenant_id if row is not None else None,
                    f"process instance {instance_id} does not exist")
    return row


def summary(row: Any) -> dict[str, Any]:
    return {"id": row.id, "tenant": row.tenant_id, "process_id": row.process_id,
            "business_key": row.business_key, "state": row.state, "outcome": row.outcome,
            "error": row.error, "diagram_set_id": row.diagram_set_id, "version": row.version,
            "started_by": row.started_by, "created_at": utc(row.created_at),
            "updated_at": utc(row.updated_at), "ended_at": utc(row.ended_at)}
