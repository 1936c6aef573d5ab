from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ..deps import ContextDep, CurrentUser, SessionDep
from ..instances.schemas import InstanceDetail
from ..schemas import PROBLEMS, Page, page
from . import service
from .schemas import CompleteIn, Task, TaskDetail

router = APIRouter(tags=["tasks"], responses=PROBLEMS)


@router.get("/tasks", response_model=Page[Task])
async def list_tasks(
    ctx: ContextDep, session: SessionDep, user: CurrentUser,
    tenant: str | None = None, state: Literal["ready", "completed", "cancelled"] | None = None,
    assignee: Annotated[str | None, Query(description="a user id, or 'me'")] = None,
    candidate_group: str | None = None, process_instance_id: str | None = None,
    key: str | None = None, overdue: bool | None = None, due_before: datetime | None = None,
    sort: Literal["created_at", "-created_at", "due_at", "-due_at"] = "created_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
) -> dict:
    filters = {"tenant_id": tenant, "state": state, "assignee": assignee,
               "candidate_group": candidate_group, "instance_id": process_instance_id,
               "key": key, "overdue": overdue, "due_before": due_before}
    items = await service.search(ctx, session, user, filters, sort, offset, limit)
    return page(items, offset, limit)


@router.get("/tasks/{task_id}", response_model=TaskDetail)
async def get_task(task_id: str, ctx: ContextDep, session: SessionDep, user: CurrentUser) -> dict:
    return await service.get(ctx, session, user, task_id)


@router.post("/tasks/{task_id}/claim", response_model=Task)
async def claim(task_id: str, session: SessionDep, user: CurrentUser) -> dict:
    return await service.claim(session, user, task_id)


@router.post("/tasks/{task_id}/unclaim", response_model=Task)
async def unclaim(task_id: str, session: SessionDep, user: CurrentUser) -> dict:
    return await service.unclaim(session, user, task_id)


@router.post("/tasks/{task_id}/complete", response_model=InstanceDetail)
async def complete(task_id: str, body: CompleteIn, ctx: ContextDep, session: SessionDep,
                   user: CurrentUser) -> dict:
    return await service.complete(ctx, session, user, task_id, body.variables)
