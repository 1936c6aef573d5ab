"""The external task API under a tenant (docs/external-tasks.md)."""

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from ..commands import execute
from ..commands.external import (
    CompleteExternalTask,
    ExtendLock,
    FetchAndLock,
    ReportFailure,
    SetRetries,
    ThrowBpmnError,
    TopicRequest,
    Unlock,
)
from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import FilterQuery, Offset, TenantPath, UuidPath, UuidQuery
from ..schemas import PROBLEMS, Page, page
from . import service, waiting
from .schemas import (
    BpmnErrorIn,
    CompleteIn,
    ExtendLockIn,
    ExternalTask,
    FailureIn,
    FetchIn,
    LockedTask,
    LockOut,
    RetriesIn,
    UnlockIn,
)

router = APIRouter(tags=["external tasks"], responses=PROBLEMS)
BASE = "/tenants/{tenant}/external-tasks"
ONE = BASE + "/{task_id}"
# A long-polling fetch looks again at least this often: tasks made fetchable by another
# process, or by time (an expired lock, a retry timeout), wake nobody here.
POLL_SECONDS = 1.0


@router.post(BASE + "/fetch-and-lock", response_model=list[LockedTask])
async def fetch_and_lock(tenant: TenantPath, body: FetchIn, ctx: ContextDep,
                         user: CurrentUser) -> list[dict[str, Any]]:
    topics = tuple(TopicRequest(t.topic_name, t.lock_duration,
                                tuple(t.variables) if t.variables is not None else None)
                   for t in body.topics)
    command = FetchAndLock(user, tenant, body.worker_id, body.max_tasks, topics)
    deadline = time.monotonic() + body.async_response_timeout / 1000
    while True:
        locked = await execute(ctx, command)
        left = deadline - time.monotonic()
        if locked or left <= 0:
            return locked
        await waiting.wait(tenant, min(left, POLL_SECONDS))


@router.get(BASE, response_model=Page[ExternalTask])
async def list_external_tasks(
    tenant: TenantPath, ctx: ContextDep, session: SessionDep, user: CurrentUser,
    topic: FilterQuery = None, locked: bool | None = None, failed: bool | None = None,
    instance_id: UuidQuery = None, limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    filters = {"topic": topic, "locked": locked, "failed": failed, "instance_id": instance_id}
    items = await service.search(ctx, session, user, tenant, filters, offset, limit)
    return page(items, offset, limit)


@router.get(ONE, response_model=ExternalTask)
async def get_external_task(tenant: TenantPath, task_id: UuidPath, ctx: ContextDep,
                            session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return await service.get(ctx, session, user, tenant, task_id)


@router.post(ONE + "/complete", status_code=204, response_class=Response)
async def complete(tenant: TenantPath, task_id: UuidPath, body: CompleteIn, ctx: ContextDep,
                   user: CurrentUser) -> Response:
    await execute(ctx, CompleteExternalTask(user, tenant, task_id, body.worker_id,
                                            body.variables))
    return Response(status_code=204)


@router.post(ONE + "/failure", status_code=204, response_class=Response)
async def failure(tenant: TenantPath, task_id: UuidPath, body: FailureIn, ctx: ContextDep,
                  user: CurrentUser) -> Response:
    await execute(ctx, ReportFailure(user, tenant, task_id, body.worker_id, body.error_message,
                                     body.error_details, body.retries, body.retry_timeout))
    return Response(status_code=204)


@router.post(ONE + "/bpmn-error", status_code=204, response_class=Response)
async def bpmn_error(tenant: TenantPath, task_id: UuidPath, body: BpmnErrorIn, ctx: ContextDep,
                     user: CurrentUser) -> Response:
    await execute(ctx, ThrowBpmnError(user, tenant, task_id, body.worker_id, body.error_code,
                                      body.error_message, body.variables))
    return Response(status_code=204)


@router.post(ONE + "/extend-lock", response_model=LockOut)
async def extend_lock(tenant: TenantPath, task_id: UuidPath, body: ExtendLockIn,
                      ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    until = await execute(ctx, ExtendLock(user, tenant, task_id, body.worker_id,
                                          body.new_duration))
    return {"lock_expires_at": until}


@router.post(ONE + "/unlock", status_code=204, response_class=Response)
async def unlock(tenant: TenantPath, task_id: UuidPath, ctx: ContextDep, user: CurrentUser,
                 body: UnlockIn | None = None) -> Response:
    await execute(ctx, Unlock(user, tenant, task_id, body.worker_id if body else None))
    return Response(status_code=204)


@router.put(ONE + "/retries", status_code=204, response_class=Response)
async def set_retries(tenant: TenantPath, task_id: UuidPath, body: RetriesIn, ctx: ContextDep,
                      user: CurrentUser) -> Response:
    await execute(ctx, SetRetries(user, tenant, task_id, body.retries))
    return Response(status_code=204)
