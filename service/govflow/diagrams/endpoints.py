from typing import Any

from fastapi import APIRouter, Request, Response

from ..auth.permissions import require_tenant_admin
from ..commands import execute
from ..commands.diagrams import ActivateDiagramSet, UploadDiagramSet
from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import IdPath, NamePath, TenantPath
from ..http_cache import IMMUTABLE, RENDERED, cached
from ..schemas import PROBLEMS, Page, page
from ..tenants.schemas import Tenant
from ..tenants.service import get_tenant
from . import service
from .schemas import UPLOAD_FORM, ActiveSetIn, DiagramSet, ProcessMetadata, StartForm
from .upload import collect_files, read_upload

router = APIRouter(tags=["diagram sets"], responses=PROBLEMS)
# The body limit for this path is GOVFLOW_MAX_UPLOAD_BYTES (main.py), not the general one.
UPLOAD_PATH = "/tenants/{tenant}/diagram-sets"


@router.post(UPLOAD_PATH, response_model=DiagramSet, status_code=201,
             openapi_extra={"requestBody": UPLOAD_FORM})
async def upload_set(tenant: str, request: Request, response: Response, ctx: ContextDep,
                     session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    # The form is taken from the request, not declared: FastAPI reads declared bodies before
    # it checks the token, and a caller who may not upload must not make us read megabytes.
    require_tenant_admin(user, tenant)
    form = await read_upload(request)
    set_id, created = await execute(ctx, UploadDiagramSet(
        user, tenant, collect_files(form.files), form.main_process, form.activate))
    response.status_code = 201 if created else 200
    return await service.get_set(session, user, set_id)


@router.get("/tenants/{tenant}/diagram-sets", response_model=Page[DiagramSet])
async def list_sets(tenant: TenantPath, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    items = await service.list_sets(session, user, tenant)
    return page(items, 0, len(items) + 1)


@router.put("/tenants/{tenant}/active-set", response_model=Tenant)
async def set_active(tenant: TenantPath, body: ActiveSetIn, ctx: ContextDep,
                     session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, ActivateDiagramSet(user, tenant, body.diagram_set_id))
    return await get_tenant(session, user, tenant)


@router.get("/diagram-sets/{set_id}/processes/{process_id}", response_model=ProcessMetadata)
async def process_metadata(set_id: IdPath, process_id: NamePath, ctx: ContextDep, session: SessionDep,
                           user: CurrentUser) -> dict[str, Any]:
    return await service.process_metadata(ctx, session, user, set_id, process_id)


@router.get("/tenants/{tenant}/processes/{process_id}/start-form", response_model=StartForm)
async def start_form(tenant: TenantPath, process_id: NamePath, ctx: ContextDep,
                     session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return await service.start_form(ctx, session, user, tenant, process_id)


@router.get("/diagram-sets/{set_id}/processes/{process_id}/bpmn",
            response_class=Response, responses={200: {"content": {"application/xml": {}}}})
async def process_bpmn(set_id: IdPath, process_id: NamePath, request: Request, ctx: ContextDep,
                       session: SessionDep, user: CurrentUser) -> Response:
    xml = await service.process_xml(ctx, session, user, set_id, process_id)
    return cached(request, xml, "application/xml", IMMUTABLE)


@router.get("/diagram-sets/{set_id}/processes/{process_id}/svg",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
async def process_svg(set_id: IdPath, process_id: NamePath, request: Request, ctx: ContextDep,
                      session: SessionDep, user: CurrentUser) -> Response:
    svg = await service.process_svg(ctx, session, user, set_id, process_id)
    return cached(request, svg, "image/svg+xml", RENDERED)
