"""Task operations beyond claim and complete: transfer, delegate and resolve, urge, copy
(抄送), comments. Each state change is a command (commands/task_operations.py)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ..commands import execute
from ..commands.task_operations import (
    AddComment,
    CopyInstance,
    CopyTask,
    DelegateTask,
    ReadCopy,
    ReadInstanceCopy,
    ResolveTask,
    TransferTask,
    UrgeTask,
)
from ..commands.task_rewind import AddSigners, ReturnTask, WithdrawTask
from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import Offset, UuidPath
from ..instances import service as instances
from ..instances.schemas import InstanceDetail
from ..schemas import PROBLEMS
from ..tasks import service as tasks
from ..tasks.schemas import Task, TaskDetail
from . import service
from .schemas import (
    Comment,
    CommentIn,
    Comments,
    Copies,
    Copy,
    CopyIn,
    HandOver,
    ResolveIn,
    ReturnIn,
    SignersIn,
    UrgeIn,
)

router = APIRouter(tags=["task operations"], responses=PROBLEMS)
Limit = Annotated[int, Query(ge=1, le=200)]


@router.post("/tasks/{task_id}/transfer", response_model=Task)
async def transfer(task_id: UuidPath, body: HandOver, ctx: ContextDep, session: SessionDep,
                   user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, TransferTask(user, task_id, body.to, body.reason))
    return await tasks.summary(session, user, task_id)


@router.post("/tasks/{task_id}/delegate", response_model=Task)
async def delegate(task_id: UuidPath, body: HandOver, ctx: ContextDep, session: SessionDep,
                   user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, DelegateTask(user, task_id, body.to, body.reason))
    return await tasks.summary(session, user, task_id)


@router.post("/tasks/{task_id}/resolve", response_model=TaskDetail)
async def resolve(task_id: UuidPath, body: ResolveIn, ctx: ContextDep, session: SessionDep,
                  user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, ResolveTask(user, task_id, body.variables))
    return await tasks.get(ctx, session, user, task_id)


@router.post("/tasks/{task_id}/return", response_model=InstanceDetail)
async def return_task(task_id: UuidPath, body: ReturnIn, ctx: ContextDep, session: SessionDep,
                      user: CurrentUser) -> dict[str, Any]:
    instance_id = await execute(ctx, ReturnTask(user, task_id, body.to_key, body.reason))
    return await instances.get(ctx, session, user, instance_id)


@router.post("/tasks/{task_id}/withdraw", response_model=InstanceDetail)
async def withdraw(task_id: UuidPath, ctx: ContextDep, session: SessionDep,
                   user: CurrentUser) -> dict[str, Any]:
    instance_id = await execute(ctx, WithdrawTask(user, task_id))
    return await instances.get(ctx, session, user, instance_id)


@router.post("/tasks/{task_id}/add-signers", response_model=InstanceDetail)
async def add_signers(task_id: UuidPath, body: SignersIn, ctx: ContextDep, session: SessionDep,
                      user: CurrentUser) -> dict[str, Any]:
    instance_id = await execute(ctx, AddSigners(user, task_id, body.users))
    return await instances.get(ctx, session, user, instance_id)


@router.post("/tasks/{task_id}/urge", response_model=Task)
async def urge(task_id: UuidPath, body: UrgeIn, ctx: ContextDep, session: SessionDep,
               user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, UrgeTask(user, task_id, body.message))
    return await tasks.summary(session, user, task_id)


@router.post("/tasks/{task_id}/cc", response_model=Copies)
async def copy(task_id: UuidPath, body: CopyIn, ctx: ContextDep, session: SessionDep,
               user: CurrentUser) -> dict[str, Any]:
    added = await execute(ctx, CopyTask(user, task_id, body.users))
    return {"items": await service.copies(session, user, task_id), "added": added}


@router.get("/tasks/{task_id}/cc", response_model=Copies)
async def list_copies(task_id: UuidPath, session: SessionDep, user: CurrentUser
                      ) -> dict[str, Any]:
    return {"items": await service.copies(session, user, task_id)}


@router.post("/tasks/{task_id}/cc/read", response_model=Copy)
async def read_copy(task_id: UuidPath, ctx: ContextDep, session: SessionDep,
                    user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, ReadCopy(user, task_id))
    return next(c for c in await service.copies(session, user, task_id)
                if c["user"] == user.user)


@router.post("/process-instances/{instance_id}/cc", response_model=Copies)
async def copy_instance(instance_id: UuidPath, body: CopyIn, ctx: ContextDep,
                        session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    added = await execute(ctx, CopyInstance(user, instance_id, body.users))
    return {"items": await service.instance_copies(session, user, instance_id),
            "added": added}


@router.get("/process-instances/{instance_id}/cc", response_model=Copies)
async def list_instance_copies(instance_id: UuidPath, session: SessionDep,
                               user: CurrentUser) -> dict[str, Any]:
    return {"items": await service.instance_copies(session, user, instance_id)}


@router.post("/process-instances/{instance_id}/cc/read", response_model=Copy)
async def read_instance_copy(instance_id: UuidPath, ctx: ContextDep, session: SessionDep,
                             user: CurrentUser) -> dict[str, Any]:
    await execute(ctx, ReadInstanceCopy(user, instance_id))
    return next(c for c in await service.instance_copies(session, user, instance_id)
                if c["user"] == user.user)


@router.post("/tasks/{task_id}/comments", response_model=Comment, status_code=201)
async def comment_task(task_id: UuidPath, body: CommentIn, ctx: ContextDep,
                       session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    comment_id = await execute(ctx, AddComment(user, body.text, task_id=task_id))
    return await service.comment(session, comment_id)


@router.get("/tasks/{task_id}/comments", response_model=Comments)
async def task_comments(task_id: UuidPath, session: SessionDep, user: CurrentUser,
                        limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    items = await service.comments(session, user, offset, limit, task_id=task_id)
    return {"items": items, "next": offset + limit if len(items) == limit else None}


@router.post("/process-instances/{instance_id}/comments", response_model=Comment,
             status_code=201)
async def comment_instance(instance_id: UuidPath, body: CommentIn, ctx: ContextDep,
                           session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    comment_id = await execute(ctx, AddComment(user, body.text, instance_id=instance_id))
    return await service.comment(session, comment_id)


@router.get("/process-instances/{instance_id}/comments", response_model=Comments)
async def instance_comments(instance_id: UuidPath, session: SessionDep, user: CurrentUser,
                            limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    items = await service.comments(session, user, offset, limit, instance_id=instance_id)
    return {"items": items, "next": offset + limit if len(items) == limit else None}

