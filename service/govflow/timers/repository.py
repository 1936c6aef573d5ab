"""The timers table: one row per waiting timer, kept in step with the engine."""

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.jsontext import utc
from ..store.tables import process_instances, timers


async def load(session: AsyncSession, instance_id: str) -> dict[str, str]:
    result = await session.execute(sa.select(timers.c.task_id, timers.c.due_at)
                                   .where(timers.c.instance_id == instance_id))
    return {task_id: _iso(due) for task_id, due in result.all()}


async def write(session: AsyncSession, instance_id: str, tenant_id: str,
                before: Mapping[str, str], after: Mapping[str, str]) -> None:
    """Insert timers that started waiting, delete those that fired or were cancelled."""
    gone = [t for t in before if t not in after]
    new = [t for t in after if t not in before and after[t]]
    if gone:
        await session.execute(sa.delete(timers).where(timers.c.instance_id == instance_id,
                                                      timers.c.task_id.in_(gone)))
    if new:
        await session.execute(sa.insert(timers), [
            {"instance_id": instance_id, "task_id": t, "tenant_id": tenant_id,
             "due_at": datetime.fromisoformat(after[t])} for t in new])


async def claim_due(session: AsyncSession, now: datetime, skip_locked: bool) -> str | None:
    """The instance of the most overdue timer nobody else is firing, locked until commit."""
    query = (sa.select(timers.c.instance_id)
             .join(process_instances, process_instances.c.id == timers.c.instance_id)
             .where(timers.c.due_at < now, process_instances.c.state == "running")
             .order_by(timers.c.due_at).limit(1))
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=timers)
    return (await session.execute(query)).scalar()


async def next_due(session: AsyncSession) -> datetime | None:
    return (await session.execute(
        sa.select(sa.func.min(timers.c.due_at))
        .join(process_instances, process_instances.c.id == timers.c.instance_id)
        .where(process_instances.c.state == "running"))).scalar()


def _iso(value: datetime) -> str:
    return (utc(value) or value).isoformat()
