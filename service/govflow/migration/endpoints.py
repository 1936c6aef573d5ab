"""Migration paths: plan and dry run, batches and their progress, rollback, one instance,
and the comparison of two sets."""

from typing import Any

from fastapi import APIRouter, Query, Response

from ..commands import execute
from ..commands.migrations import MigrateInstance, RollbackBatch, StartMigration
from ..deps import ContextDep, CurrentUser, SessionDep
from ..diagrams.service import load as load_set
from ..engine.specs import DiagramSpecs
from ..errors import NotFound
from ..fields import INT32_MAX, IdPath, TenantPath, UuidPath
from ..schemas import PROBLEMS
from . import diff, service
from .plan import MigrationPlan
from .repository import ITEM_STATES
from .schemas import MigrationIn, PlanIn

router = APIRouter(tags=["migrations"], responses=PROBLEMS)


@router.post("/tenants/{tenant}/migrations", status_code=202)
async def start(tenant: TenantPath, body: MigrationIn, response: Response, ctx: ContextDep,
                session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """``dry_run``: the report (200). Else a batch the worker runs (202)."""
    if body.dry_run:
        response.status_code = 200
        return await service.dry_run(ctx, session, user, tenant, _plan(body), body.limit)
    created = await execute(ctx, StartMigration(user, tenant, _plan(body)))
    return await service.batch_view(session, user, tenant, created["id"], limit=0)


def _plan(body: MigrationIn) -> MigrationPlan:
    """The plan as asked; source 0 stands for the tenant's active set, read where it is
    used (inside the command's transaction)."""
    return MigrationPlan(body.source_set_id or 0, body.target_set_id, body.element_map,
                         body.variable_map, body.due_dates)


@router.get("/tenants/{tenant}/migrations/{batch_id}")
async def status(tenant: TenantPath, batch_id: UuidPath, session: SessionDep,
                 user: CurrentUser, after: int = Query(-1, ge=-1, le=INT32_MAX),
                 limit: int = Query(100, ge=0, le=1000),
                 state: str | None = Query(None, pattern="^(" + "|".join(ITEM_STATES) + ")$")
                 ) -> dict[str, Any]:
    """Progress (done, refused, failed, remaining) and a page of per-instance results."""
    return await service.batch_view(session, user, tenant, batch_id, after, limit, state)


@router.post("/tenants/{tenant}/migrations/{batch_id}/rollback", status_code=202)
async def rollback(tenant: TenantPath, batch_id: UuidPath, ctx: ContextDep,
                   session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """A batch moving the instances this batch migrated back to its source set."""
    created = await execute(ctx, RollbackBatch(user, tenant, batch_id))
    return await service.batch_view(session, user, tenant, created["id"], limit=0)


@router.post("/process-instances/{instance_id}/migrate")
async def migrate_instance(instance_id: UuidPath, body: PlanIn, ctx: ContextDep,
                           user: CurrentUser) -> dict[str, Any]:
    """One instance, at once: its report (``dry_run``: nothing changes)."""
    return await execute(ctx, MigrateInstance(
        user, instance_id, body.target_set_id,
        {p: dict(m) for p, m in body.element_map.items()}, dict(body.variable_map),
        body.due_dates, body.dry_run))


@router.get("/tenants/{tenant}/diagram-sets/{set_a}/diff/{set_b}")
async def compare(tenant: TenantPath, set_a: IdPath, set_b: IdPath, ctx: ContextDep,
                  session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """What set ``b`` adds, removes and changes against set ``a``."""
    service.require_admin(user, tenant)
    old = await _tenant_set(ctx, session, user, tenant, set_a)
    new = await _tenant_set(ctx, session, user, tenant, set_b)
    return {"from": set_a, "to": set_b, **diff.compare(old, new)}


async def _tenant_set(ctx: ContextDep, session: SessionDep, user: CurrentUser, tenant: str,
                      set_id: int) -> DiagramSpecs:
    row, specs = await load_set(ctx, session, user, set_id)
    if row.tenant_id != tenant:
        raise NotFound(f"diagram set {set_id} does not exist",
                       code="diagram_set.not_found", params={"set_id": set_id})
    return specs
