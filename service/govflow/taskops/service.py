"""Reads of the task operations: a task's copies, the comments of a task or instance.
Another tenant's task or instance answers 404, as everywhere."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.principal import Principal
from ..instances import service as instances
from ..store.jsontext import utc
from ..tasks.service import visible
from . import repository as repo


async def copies(session: AsyncSession, principal: Principal, task_id: str
                 ) -> list[dict[str, Any]]:
    await visible(session, principal, task_id)
    return [copy_view(r) for r in await repo.copies(session, task_id)]


def copy_view(row: Any) -> dict[str, Any]:
    return {"user": row.user_name, "copied_by": row.copied_by,
            "copied_at": utc(row.copied_at), "read_at": utc(row.read_at)}


async def instance_copies(session: AsyncSession, principal: Principal, instance_id: str
                          ) -> list[dict[str, Any]]:
    await instances.visible(session, principal, instance_id)
    return [copy_view(r) for r in await repo.instance_copies_of(session, instance_id)]


async def comments(session: AsyncSession, principal: Principal, offset: int, limit: int, *,
                   task_id: str | None = None, instance_id: str | None = None
                   ) -> list[dict[str, Any]]:
    """A task's comments, or an instance's (its tasks' included), oldest first."""
    if task_id is not None:
        instance_id = (await visible(session, principal, task_id)).instance_id
    else:
        await instances.visible(session, principal, str(instance_id))
    rows = await repo.list_comments(session, str(instance_id), task_id, offset, limit)
    return [comment_view(r) for r in rows]


async def comment(session: AsyncSession, comment_id: int) -> dict[str, Any]:
    """A comment just added (its command checked the caller sees it)."""
    return comment_view(await repo.get_comment(session, comment_id))


def comment_view(r: Any) -> dict[str, Any]:
    return {"id": r.id, "process_instance_id": r.instance_id, "task_id": r.task_id,
            "author": r.author, "text": r.text, "created_at": utc(r.created_at)}
