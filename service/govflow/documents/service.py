"""Reading documents: a task's, an instance's, one's contents. Whoever sees the instance
may read its documents; anyone else gets the 404 an unknown instance gets. Uploading is a
command (commands/documents.py); the check it makes before the body is read is here."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.principal import Principal
from ..errors import Forbidden, NotFound
from ..instances import service as instances
from ..tasks.service import visible, workable
from . import listing
from . import repository as repo


async def may_upload(session: AsyncSession, principal: Principal, task_id: str) -> Any:
    """The task, if the caller may upload to it: who may complete it (a candidate of the
    ready task, or its assignee). Checked before the body is read, and again inside the
    upload's transaction."""
    row = await workable(session, principal, task_id)
    if row.assignee is not None and row.assignee != principal.user:
        raise Forbidden(f"task {task_id} is claimed by '{row.assignee}'",
                        code="task.claimed_by_other",
                        params={"task_id": task_id, "assignee": row.assignee})
    return row


async def of_task(session: AsyncSession, principal: Principal, task_id: str, offset: int,
                  limit: int) -> list[dict[str, Any]]:
    """The documents uploaded to a task and those its completion named."""
    await visible(session, principal, task_id)
    return await listing.on_task(session, task_id, offset, limit)


async def of_instance(session: AsyncSession, principal: Principal, instance_id: str,
                      offset: int, limit: int) -> list[dict[str, Any]]:
    """An instance's documents, oldest first, each with the completions that used it."""
    await instances.visible(session, principal, instance_id)
    return await listing.views(session, await repo.of_instance(session, instance_id, offset,
                                                               limit))


async def one(session: AsyncSession, principal: Principal, instance_id: str,
              document_id: str) -> Any:
    """A document of a visible instance (its row); 404 for one of another instance."""
    await instances.visible(session, principal, instance_id)
    row = await repo.get(session, document_id)
    if row is None or row.instance_id != instance_id:
        raise NotFound(f"document {document_id} does not exist in process instance "
                       f"{instance_id}", code="document.not_found",
                       params={"document_id": document_id})
    return row


async def view(session: AsyncSession, document_id: str) -> dict[str, Any]:
    """A document just uploaded (its command checked the caller's rights)."""
    row = await repo.get(session, document_id)
    return (await listing.views(session, [row]))[0]
