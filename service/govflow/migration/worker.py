"""The migration worker: moves the pending items of running batches, one instance per
transaction, wherever the timer worker runs (in `govflow serve` on SQLite, in each
`govflow worker` otherwise). Items are claimed with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share a batch; an item whose move raises is recorded
``failed`` and the batch goes on. A worker that dies mid-item leaves it pending (its
transaction rolled back): the next round moves it.
"""

import asyncio
import logging
from dataclasses import dataclass

from ..commands import execute
from ..commands.migrations import FailItem, MigrateNext
from ..context import AppContext
from ..errors import EngineFailure

log = logging.getLogger("govflow.migration")

MAX_ERROR_CHARS = 2000


@dataclass
class MigrationWorker:
    ctx: AppContext
    name: str = "migration"
    poll_seconds: float = 1.0

    @property
    def actor(self) -> str:
        return f"migration:{self.name}"[:200]

    async def step(self, batch_id: str | None = None) -> str | None:
        """Move one pending item: "migrated", "refused" or "failed"; None when idle."""
        command = MigrateNext(self.actor, self.ctx.engine.dialect.name == "postgresql",
                              batch_id)
        try:
            return await execute(self.ctx, command)
        except Exception as exc:
            if command.claimed is None:  # the claim itself failed: the database
                raise
            batch, instance = command.claimed
            error = str(exc) if isinstance(exc, EngineFailure) else \
                f"{type(exc).__name__}: {exc}"
            log.warning("migration of %s in batch %s failed: %s", instance, batch, error,
                        exc_info=not isinstance(exc, EngineFailure))
            await execute(self.ctx, FailItem(batch, instance,
                                             error.replace("\x00", "\\0")[:MAX_ERROR_CHARS]))
            return "failed"

    async def drain(self, limit: int = 100_000, batch_id: str | None = None) -> int:
        """Move up to ``limit`` items; how many were handled."""
        handled = 0
        while handled < limit and await self.step(batch_id) is not None:
            handled += 1
        return handled

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set, yielding between items so requests go on."""
        while not stop.is_set():
            busy = False
            try:
                busy = await self.drain(limit=50) == 50
            except Exception:
                log.exception("migration worker %s: round failed", self.name)
            if busy:
                await asyncio.sleep(0)
                continue
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass
