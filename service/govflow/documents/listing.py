"""Documents as lists the API shows, each with the completions that used it (no rights
checked here: the callers have)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from . import repository as repo
from .views import document_view


async def views(session: AsyncSession, rows: list[Any]) -> list[dict[str, Any]]:
    uses = await repo.uses_of(session, [r.id for r in rows])
    return [document_view(r, uses.get(r.id)) for r in rows]


async def on_task(session: AsyncSession, task_id: str, offset: int = 0, limit: int = 100
                  ) -> list[dict[str, Any]]:
    """What was uploaded to the task and what its completion named, oldest first."""
    return await views(session, await repo.of_task(session, task_id, offset, limit))
