from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile

from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import IdPath, NamePath, TenantPath
from ..schemas import PROBLEMS, Page, page
from ..tenants.schemas import Tenant
from ..tenants.service import get_tenant
from . import service
from .schemas import ActiveSetIn, DiagramSet, ProcessMetadata
from .upload import collect_files

router = APIRouter(tags=["diagram sets"], responses=PROBLEMS)


@router.post("/tenants/{tenant}/diagram-sets", response_model=DiagramSet, status_code=201)
async def upload_set(
    tenant: str, response: Response, ctx: ContextDep, session: SessionDep, user: CurrentUser,
    files: Annotated[list[UploadFile], File(description=".bpmn and .dmn files, or one .zip")],
    main_process: Annotated[str | None, Form()] = None,
    activate: Annotated[bool | None, Form(description="default: only if none is active")] = None,
) -> dict:
    uploads = [(f.filename or "unnamed", await f.read()) for f in files]
    view, created = await service.upload(ctx, session, user, tenant, collect_files(uploads),
                                         main_process, activate)
    response.status_code = 201 if created else 200
    return view


@router.get("/tenants/{tenant}/diagram-sets", response_model=Page[DiagramSet])
async def list_sets(tenant: TenantPath, session: SessionDep, user: CurrentUser) -> dict:
    items = await service.list_sets(session, user, tenant)
    return page(items, 0, len(items) + 1)


@router.put("/tenants/{tenant}/active-set", response_model=Tenant)
async def set_active(tenant: TenantPath, body: ActiveSetIn, session: SessionDep,
                     user: CurrentUser) -> dict:
    await service.activate(session, user, tenant, body.diagram_set_id)
    return await get_tenant(session, user, tenant)


@router.get("/diagram-sets/{set_id}/processes/{process_id}", response_model=ProcessMetadata)
async def process_metadata(set_id: IdPath, process_id: NamePath, ctx: ContextDep, session: SessionDep,
                           user: CurrentUser) -> dict:
    return await service.process_metadata(ctx, session, user, set_id, process_id)


@router.get("/diagram-sets/{set_id}/processes/{process_id}/bpmn",
            response_class=Response, responses={200: {"content": {"application/xml": {}}}})
async def process_bpmn(set_id: IdPath, process_id: NamePath, ctx: ContextDep, session: SessionDep,
                       user: CurrentUser) -> Response:
    xml = await service.process_xml(ctx, session, user, set_id, process_id)
    return Response(xml, media_type="application/xml")


@router.get("/diagram-sets/{set_id}/processes/{process_id}/svg",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
async def process_svg(set_id: IdPath, process_id: NamePath, ctx: ContextDep, session: SessionDep,
                      user: CurrentUser) -> Response:
    svg = await service.process_svg(ctx, session, user, set_id, process_id)
    return Response(svg, media_type="image/svg+xml")
