"""History retention as commands: each batch of expired instances is deleted by one
``PurgeEnded`` command (one transaction), so an interrupted cleanup leaves whole instances.
Deleting writes no history: the history is what is deleted (instances/retention.py).
Their documents' blobs are deleted once the rows are gone (committed)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..context import AppContext
from ..documents import repository as documents
from ..documents.storage import StorageError
from ..instances import retention
from .base import execute
from .unit_of_work import UnitOfWork

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeEnded:
    """Delete up to ``batch`` instances that ended before ``cutoff``; how many."""

    cutoff: datetime
    batch: int
    blobs: list[str] = field(default_factory=list)  # filled: the deleted documents' blobs

    async def run(self, uow: UnitOfWork) -> int:
        ids = await retention.lock_expired(uow.session, self.cutoff, self.batch)
        if ids:
            self.blobs.extend(await documents.storage_keys(uow.session, ids))
            await retention.delete_instances(uow.session, ids)
            uow.after_commit(lambda: _forget(uow.ctx, ids))
        return len(ids)


async def cleanup(ctx: AppContext, ttl: timedelta, now: datetime | None = None,
                  batch: int = 500) -> int:
    """Delete instances that ended before ``now - ttl``, batch by batch; returns how many."""
    cutoff = (now or ctx.clock.now()) - ttl
    deleted = 0
    while True:
        command = PurgeEnded(cutoff, batch)
        purged = await execute(ctx, command)
        for key in command.blobs:  # the rows are gone: nothing names these blobs any more
            try:
                await ctx.documents.delete(key)
            except StorageError:
                _log.warning("could not delete the blob %s of a purged document", key)
        if not purged:
            return deleted
        deleted += purged


def _forget(ctx: AppContext, ids: list[str]) -> None:
    for instance_id in ids:
        ctx.instances.discard(instance_id)
