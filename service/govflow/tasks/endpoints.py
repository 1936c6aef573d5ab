from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from ..auth.claims import MAX_GROUPS
from ..commands import execute, execute_and_show
from ..commands.tasks import ClaimTask, CompleteTask, UnclaimTask
from ..cursor import CursorQuery, refuse_both
from ..deps import ContextDep, CurrentUser, ReadSessionDep, SessionDep
from ..errors import FieldError, Invalid
from ..fields import FilterQuery, MomentQuery, Name, Offset, TenantQuery, UuidPath, UuidQuery
from ..instances import service as instances
from ..instances.schemas import InstanceDetail
from ..schemas import PROBLEMS, CursorPage, cursor_page
from . import service
from .schemas import CompleteIn, Count, Task, TaskDetail

router = APIRouter(tags=["tasks"], responses=PROBLEMS)


State = Literal["ready", "completed", "cancelled"]
Assignee = Annotated[FilterQuery, Query(description="a user id, or 'me'")]
Groups = Annotated[list[Name] | None, Query(
    max_length=MAX_GROUPS, description="repeat it: tasks offered to any of these groups")]
Mine = Annotated[bool | None, Query(
    description="true: my inbox, the ready tasks I have claimed or that are unclaimed and "
                "offered to a group I am in")]
Prefix = Annotated[FilterQuery, Query(description="the instance's business key starts with it")]
LabelQuery = Annotated[FilterQuery, Query(
    description="the instance's label contains it (case-insensitive for ASCII)")]


async def task_filters(
    tenant: TenantQuery = None, state: State | None = None, assignee: Assignee = None,
    candidate_group: Groups = None, candidate_user: Assignee = None,
    process_instance_id: UuidQuery = None,
    key: FilterQuery = None, overdue: bool | None = None, due_before: MomentQuery = None,
    mine: Mine = None, business_key_prefix: Prefix = None, label: LabelQuery = None,
    cc: Annotated[Literal["me"] | None, Query(
        description="me: tasks copied to me (抄送)")] = None,
) -> dict[str, Any]:
    """The inbox filters /tasks and /tasks/count share."""
    if mine and state not in (None, "ready"):
        raise Invalid("mine=true lists ready tasks", [FieldError(
            "query.state", "leave it out, or set it to ready, with mine=true")],
            code="tasks.mine_not_ready")
    return {"tenant_id": tenant, "state": state, "assignee": assignee,
            "candidate_group": candidate_group, "candidate_user": candidate_user,
            "instance_id": process_instance_id,
            "key": key, "overdue": overdue, "due_before": due_before, "mine": mine,
            "business_key_prefix": business_key_prefix, "label": label, "cc": cc}


TaskFilters = Annotated[dict[str, Any], Depends(task_filters)]


@router.get("/tasks", response_model=CursorPage[Task])
async def list_tasks(
    ctx: ContextDep, session: SessionDep, user: CurrentUser, filters: TaskFilters,
    sort: Literal["created_at", "-created_at", "due_at", "-due_at"] = "created_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50, offset: Offset = 0,
    cursor: CursorQuery = None,
) -> dict[str, Any]:
    refuse_both(offset, cursor)
    items, following = await service.search(ctx, session, user, filters, sort, offset, limit,
                                             cursor)
    return cursor_page(items, offset, limit, cursor is not None, following)


@router.get("/tasks/count", response_model=Count)
async def count_tasks(ctx: ContextDep, session: SessionDep, user: CurrentUser,
                      filters: TaskFilters) -> dict[str, Any]:
    return {"count": await service.count(ctx, session, user, filters)}


@router.get("/tasks/{task_id}", response_model=TaskDetail)
async def get_task(task_id: UuidPath, ctx: ContextDep, session: ReadSessionDep,
                   user: CurrentUser) -> dict[str, Any]:
    return await service.get(ctx, session, user, task_id)


@router.post("/tasks/{task_id}/claim", response_model=Task)
async def claim(task_id: UuidPath, ctx: ContextDep, session: SessionDep,
                user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, ClaimTask(user, task_id))
    return await service.summary(session, user, task_id)


@router.post("/tasks/{task_id}/unclaim", response_model=Task)
async def unclaim(task_id: UuidPath, ctx: ContextDep, session: SessionDep,
                  user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, UnclaimTask(user, task_id))
    return await service.summary(session, user, task_id)


@router.post("/tasks/{task_id}/complete", response_model=InstanceDetail)
async def complete(task_id: UuidPath, body: CompleteIn, ctx: ContextDep,
                   user: CurrentUser) -> dict[str, Any]:
    return await execute_and_show(
        ctx, CompleteTask(user, task_id, body.variables),
        lambda session, instance_id: instances.get(ctx, session, user, instance_id))
