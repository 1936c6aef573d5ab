"""The timer worker: fires due timers, each exactly once, however many workers run.

A worker claims the most overdue timer with ``SELECT ... FOR UPDATE SKIP LOCKED`` inside
the same transaction that fires it and deletes its row, so a timer being fired is invisible
to other workers, and a worker that dies mid-fire (its transaction rolled back) leaves the
timer to the next one. On SQLite, write transactions are serialised instead.
"""

import asyncio
import logging
from dataclasses import dataclass

from ..context import AppContext
from ..errors import Conflict, EngineFailure
from ..instances import repository as instance_repo
from ..instances.executor import UnitOfWork
from ..metrics import INCIDENTS, TIMERS_FIRED
from . import repository as timer_repo

log = logging.getLogger("govflow.worker")


@dataclass
class Worker:
    ctx: AppContext
    name: str = "worker"
    poll_seconds: float = 0.5

    @property
    def _skip_locked(self) -> bool:
        return self.ctx.engine.dialect.name == "postgresql"

    async def fire_one(self) -> bool:
        """Fire the due timers of one instance; False when nothing was due."""
        async with self.ctx.sessions() as session:
            try:
                async with UnitOfWork(self.ctx, session) as uow:
                    instance_id = await timer_repo.claim_due(session, self.ctx.clock.now(),
                                                             self._skip_locked)
                    if instance_id is None:
                        return False
                    await uow.step(instance_id, lambda e: e.fire_timers(), f"timer:{self.name}")
                    await uow.commit()
                    TIMERS_FIRED.inc()
                    return True
            except EngineFailure as exc:
                await self._record_incident(instance_id, str(exc))
                return True
            except Conflict as exc:
                # Another command changed the instance first; its timers are looked at again
                # on the next round.
                log.info("timer of %s not fired this round: %s", instance_id, exc)
                return False

    async def fire_due(self, limit: int = 10_000) -> int:
        """Fire every timer that is due now; returns how many instances moved."""
        fired = 0
        while fired < limit and await self.fire_one():
            fired += 1
        return fired

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; a due timer fires within ``poll_seconds``."""
        log.info("timer worker %s started", self.name)
        while not stop.is_set():
            try:
                await self.fire_due(limit=100)
            except Exception:
                log.exception("timer worker %s: round failed", self.name)
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass

    async def _record_incident(self, instance_id: str | None, message: str) -> None:
        """A timer whose step fails puts its instance in state ``error`` (resume retries)."""
        if instance_id is None:
            return
        async with self.ctx.sessions() as session:
            row = await instance_repo.get(session, instance_id)
            if row is None or row.state != "running":
                return
            if await instance_repo.update_versioned(session, instance_id, row.version,
                                                    state="error", error=message,
                                                    updated_at=self.ctx.clock.now()):
                await instance_repo.append_history(session, [instance_repo.history_row(
                    instance_id, row.tenant_id, self.ctx.clock.now(), f"timer:{self.name}",
                    "incident", data={"error": message})])
                await session.commit()
                INCIDENTS.inc()
                self.ctx.instances.discard(instance_id)
