from typing import Annotated, Any

from fastapi import APIRouter, Path

from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import TenantPath
from ..schemas import PROBLEMS
from . import service
from .schemas import PlanYear

router = APIRouter(tags=["annual plans"], responses=PROBLEMS)

Year = Annotated[int, Path(ge=1900, le=9999, description="the plan year (建设年度)")]


@router.get("/tenants/{tenant}/annual-plans/{year}", response_model=PlanYear)
async def get_annual_plan(tenant: TenantPath, year: Year, ctx: ContextDep, session: SessionDep,
                          user: CurrentUser) -> dict[str, Any]:
    return await service.annual_plan(ctx, session, user, tenant, year)
