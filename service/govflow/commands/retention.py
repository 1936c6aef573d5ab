"""History retention as commands: each batch of expired instances is deleted by one
``PurgeEnded`` command (one transaction), so an interrupted cleanup leaves whole instances.
Deleting writes no history: the history is what is deleted (instances/retention.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..context import AppContext
from ..instances import retention
from .base import execute
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PurgeEnded:
    """Delete up to ``batch`` instances that ended before ``cutoff``; how many."""

    cutoff: datetime
    batch: int

    async def run(self, uow: UnitOfWork) -> int:
        ids = await retention.lock_expired(uow.session, self.cutoff, self.batch)
        if ids:
            await retention.delete_instances(uow.session, ids)
            uow.after_commit(lambda: _forget(uow.ctx, ids))
        return len(ids)


async def cleanup(ctx: AppContext, ttl: timedelta, now: datetime | None = None,
                  batch: int = 500) -> int:
    """Delete instances that ended before ``now - ttl``, batch by batch; returns how many."""
    cutoff = (now or ctx.clock.now()) - ttl
    deleted = 0
    while purged := await execute(ctx, PurgeEnded(cutoff, batch)):
        deleted += purged
    return deleted


def _forget(ctx: AppContext, ids: list[str]) -> None:
    for instance_id in ids:
        ctx.instances.discard(instance_id)
