"""History retention (Camunda's history time-to-live is the model): an instance that ended
(completed or terminated) longer ago than the TTL is deleted whole -- its history, engine
rows, variables, tasks and the instance row. Running, suspended and failed (error)
instances are never touched, however old: only ``ended_at`` set by completion or
termination qualifies. Each batch is its own transaction, so a long cleanup holds no lock
for long and an interrupted one leaves whole instances, never half of one. The queries are
here; the batch is a command (commands/retention.py)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.tables import (
    metadata,
    process_instances,
    task_candidate_users,
    task_candidates,
    tasks,
)

ENDED = ("completed", "terminated")


def _instance_tables() -> list[sa.Table]:
    """Tables whose rows belong to one instance (a foreign key to process_instances.id),
    children first; read from the metadata so a table added later is cleaned up too."""
    return [t for t in reversed(metadata.sorted_tables)
            if any(fk.column.table is process_instances for fk in t.foreign_keys)]


async def lock_expired(session: AsyncSession, cutoff: datetime, batch: int) -> list[str]:
    """Up to ``batch`` instances that ended before ``cutoff``, row-locked; read twice, the
    second time under the lock, so nothing that resumed in between is taken."""
    expired = (sa.select(process_instances.c.id)
               .where(process_instances.c.state.in_(ENDED),
                      process_instances.c.ended_at.is_not(None),
                      process_instances.c.ended_at < cutoff)
               .limit(batch))
    ids = list((await session.execute(expired)).scalars())
    if not ids:
        return []
    return list((await session.execute(
        sa.select(process_instances.c.id)
        .where(process_instances.c.id.in_(ids),
               process_instances.c.state.in_(ENDED),
               process_instances.c.ended_at < cutoff)
        .with_for_update())).scalars())


async def delete_instances(session: AsyncSession, ids: list[str]) -> None:
    """Delete the instances whole: every row of theirs, children first."""
    for candidates in (task_candidates, task_candidate_users):
        await session.execute(sa.delete(candidates).where(
            candidates.c.task_id.in_(
                sa.select(tasks.c.id).where(tasks.c.instance_id.in_(ids)))))
    for table in _instance_tables():
        column = next(fk.parent for fk in table.foreign_keys
                      if fk.column.table is process_instances)
        await session.execute(sa.delete(table).where(column.in_(ids)))
    await session.execute(sa.delete(process_instances)
                          .where(process_instances.c.id.in_(ids)))
