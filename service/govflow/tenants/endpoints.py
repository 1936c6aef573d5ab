from typing import Any

from fastapi import APIRouter, Response

from ..commands import execute
from ..commands.tenants import PutTenant
from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import TenantPath
from ..schemas import PROBLEMS, Page, page
from . import service
from .schemas import Tenant, TenantIn

router = APIRouter(tags=["tenants"], responses=PROBLEMS)


@router.get("/tenants", response_model=Page[Tenant])
async def list_tenants(session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    items = await service.list_tenants(session, user)
    return page(items, 0, len(items) + 1)


@router.get("/tenants/{tenant}", response_model=Tenant)
async def get_tenant(tenant: TenantPath, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return await service.get_tenant(session, user, tenant)


@router.put("/tenants/{tenant}", response_model=Tenant)
async def put_tenant(tenant: TenantPath, body: TenantIn, response: Response, ctx: ContextDep,
                     session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    created = await execute(ctx, PutTenant(user, tenant, body.name))
    response.status_code = 201 if created else 200
    return await service.get_tenant(session, user, tenant)
