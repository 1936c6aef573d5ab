from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from ..commands import execute, execute_and_show
from ..commands.instances import Correlate, DeliverMessage, SetState, StartInstance, Terminate
from ..commands.signals import BroadcastSignal
from ..cursor import CursorQuery, refuse_both
from ..deps import ContextDep, CurrentUser, ReadSessionDep, SessionDep
from ..fields import FilterQuery, IdQuery, Offset, TenantPath, TenantQuery, UuidPath
from ..http_cache import REVALIDATE, cached
from ..schemas import PROBLEMS, CursorPage, cursor_page
from . import service
from .schemas import (
    Broadcast,
    Correlated,
    CorrelateIn,
    HistoryEvent,
    InstanceDetail,
    MessageIn,
    SignalIn,
    StartIn,
    State,
    TerminateIn,
)
from .schemas import Instance as InstanceOut

router = APIRouter(tags=["process instances"], responses=PROBLEMS)
Limit = Annotated[int, Query(ge=1, le=500)]


@router.post("/tenants/{tenant}/process-instances", response_model=InstanceDetail,
             status_code=201)
async def start(tenant: TenantPath, body: StartIn, ctx: ContextDep,
                user: CurrentUser) -> dict[str, Any]:
    return await execute_and_show(
        ctx, StartInstance(user, tenant, body.process_id, body.business_key, body.variables),
        lambda session, instance_id: service.get(ctx, session, user, instance_id))


Prefix = Annotated[FilterQuery, Query(description="the business key starts with it")]
LabelQuery = Annotated[FilterQuery, Query(
    description="the label contains it (case-insensitive for ASCII)")]


@router.get("/process-instances", response_model=CursorPage[InstanceOut])
async def list_instances(session: ReadSessionDep, user: CurrentUser, tenant: TenantQuery = None,
                         state: State | None = None, business_key: FilterQuery = None,
                         process_id: FilterQuery = None, diagram_set_id: IdQuery = None,
                         business_key_prefix: Prefix = None, label: LabelQuery = None,
                         cc: Annotated[Literal["me"] | None, Query(
                             description="me: instances copied to me (抄送)")] = None,
                         limit: Limit = 50, offset: Offset = 0,
                         cursor: CursorQuery = None) -> dict[str, Any]:
    refuse_both(offset, cursor)
    filters = {"tenant_id": tenant, "state": state, "business_key": business_key,
               "process_id": process_id, "diagram_set_id": diagram_set_id,
               "business_key_prefix": business_key_prefix, "label": label,
               "cc": user.user if cc == "me" else None}
    items, following = await service.search(session, user, filters, offset, limit, cursor)
    return cursor_page(items, offset, limit, cursor is not None, following)


@router.get("/process-instances/{instance_id}", response_model=InstanceDetail)
async def get_instance(instance_id: UuidPath, ctx: ContextDep, session: ReadSessionDep,
                       user: CurrentUser) -> dict[str, Any]:
    return await service.get(ctx, session, user, instance_id)


@router.get("/process-instances/{instance_id}/history", response_model=CursorPage[HistoryEvent])
async def history(instance_id: UuidPath, session: ReadSessionDep, user: CurrentUser,
                  limit: Limit = 200, offset: Offset = 0,
                  cursor: CursorQuery = None) -> dict[str, Any]:
    refuse_both(offset, cursor)
    items, following = await service.history(session, user, instance_id, offset, limit, cursor)
    return cursor_page(items, offset, limit, cursor is not None, following)


@router.get("/process-instances/{instance_id}/svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
async def instance_svg(instance_id: UuidPath, request: Request, ctx: ContextDep,
                       session: SessionDep, user: CurrentUser) -> Response:
    return cached(request, await service.svg(ctx, session, user, instance_id),
                  "image/svg+xml", REVALIDATE)


@router.post("/process-instances/{instance_id}/messages", response_model=InstanceDetail)
async def message(instance_id: UuidPath, body: MessageIn, ctx: ContextDep, session: SessionDep,
                  user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, DeliverMessage(user, instance_id, body.name, body.payload))
    return await service.get(ctx, session, user, instance_id)


@router.post("/tenants/{tenant}/messages", response_model=Correlated)
async def correlate(tenant: TenantPath, body: CorrelateIn, ctx: ContextDep,
                    user: CurrentUser) -> dict[str, Any]:
    ids = await execute(ctx, Correlate(user, tenant, body.name, body.correlation, body.payload))
    return {"delivered_to": ids}


@router.post("/tenants/{tenant}/signals", response_model=Broadcast)
async def signal(tenant: TenantPath, body: SignalIn, ctx: ContextDep,
                 user: CurrentUser) -> dict[str, Any]:
    delivered, started = await execute(ctx, BroadcastSignal(user, tenant, body.name,
                                                            body.payload))
    return {"triggered": len(delivered) + len(started), "delivered_to": delivered,
            "started": started}


@router.post("/process-instances/{instance_id}/suspend", response_model=InstanceDetail)
async def suspend(instance_id: UuidPath, ctx: ContextDep, session: SessionDep,
                  user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, SetState(user, instance_id, "suspend"))
    return await service.get(ctx, session, user, instance_id)


@router.post("/process-instances/{instance_id}/resume", response_model=InstanceDetail)
async def resume(instance_id: UuidPath, ctx: ContextDep, session: SessionDep,
                 user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, SetState(user, instance_id, "resume"))
    return await service.get(ctx, session, user, instance_id)


@router.post("/process-instances/{instance_id}/terminate", response_model=InstanceDetail)
async def terminate(instance_id: UuidPath, body: TerminateIn, ctx: ContextDep, session: SessionDep,
                    user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, Terminate(user, instance_id, body.reason))
    return await service.get(ctx, session, user, instance_id)
