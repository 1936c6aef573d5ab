"""The timer worker: fires due timers, each exactly once, however many workers run.

A worker claims the most overdue timer with ``SELECT ... FOR UPDATE SKIP LOCKED`` inside
the same transaction that fires it and deletes its row, so a timer being fired is invisible
to other workers, and a worker that dies mid-fire (its transaction rolled back) leaves the
timer to the next one. On SQLite, write transactions are serialised instead.

Whatever fails while a timer fires (the diagram, the engine, serialization, a database
write) is rolled back and becomes an incident on that instance alone: state ``error``, an
``incident`` event, and a back-off on the timer row before the next attempt (docs/timers.md).
"""

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from ..commands import execute
from ..commands.timers import FireDueTimer, FireDueTimers, RecordIncident
from ..context import AppContext
from ..errors import Conflict, EngineFailure
from ..settings import Settings
from . import repository as timer_repo

log = logging.getLogger("govflow.worker")

MAX_ERROR_CHARS = 2000

Outcome = Literal["idle", "fired", "failed", "passed"]


def default_worker_name() -> str:
    """``host:pid``: which process fired a timer, as history shows it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_name(settings: Settings) -> str:
    """``GOVFLOW_WORKER_NAME`` if set, else ``host:pid``."""
    return settings.worker_name or default_worker_name()


@dataclass
class Worker:
    ctx: AppContext
    name: str = field(default_factory=default_worker_name)
    poll_seconds: float = 0.5
    round_size: int = 1000  # instances a round handles before it looks again from scratch

    @property
    def actor(self) -> str:
        return f"timer:{self.name}"[:200]

    @property
    def _skip_locked(self) -> bool:
        return self.ctx.engine.dialect.name == "postgresql"

    async def fire_one(self, passed_over: set[str] | None = None) -> bool:
        """Fire the due timers of one instance (or record why they failed); False when
        nothing was due."""
        return await self._fire_next(set() if passed_over is None else passed_over) != "idle"

    async def fire_due(self, limit: int = 10_000) -> int:
        """Fire every timer that is due now; returns how many instances were fired or put
        in ``error``. An instance a concurrent command changed is passed over until the next
        round. Instances are claimed and fired in batches of ``timer_batch_size``, each
        batch one transaction; when one instance's step fails, its incident is recorded and
        the rest are claimed again without it; a batch that fails as a whole (its writes or
        its commit) is fired again one instance per transaction."""
        return (await self._round(limit))[0]

    async def _round(self, limit: int) -> tuple[int, bool]:
        """``fire_due``, and whether it stopped because nothing more was due."""
        passed_over: set[str] = set()
        handled, singles = 0, 0
        while handled < limit:
            size = min(self.ctx.settings.timer_batch_size, limit - handled)
            if singles or size == 1:
                outcome = await self._fire_next(passed_over)
                if outcome == "idle":
                    return handled, True
                singles = max(singles - 1, 0)
                handled += outcome != "passed"
                continue
            batch = await self._fire_batch(passed_over, size)
            if batch is None:  # the batch failed as a whole: its instances, one by one
                singles = size
                continue
            fired, claimed = batch
            if claimed == 0:
                return handled, True
            handled += fired
        return handled, False

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; a due timer fires within ``poll_seconds``, and the
        worker sleeps only after a round that found nothing more due."""
        log.info("timer worker %s started", self.name)
        while not stop.is_set():
            busy = False
            try:
                busy = not (await self._round(limit=self.round_size))[1]
            except Exception:
                log.exception("timer worker %s: round failed", self.name)
            if busy:  # more are due: go on at once
                continue
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass

    async def _fire_batch(self, passed_over: set[str], size: int) -> tuple[int, int] | None:
        """Claim up to ``size`` due instances and fire them in one transaction: (instances
        fired or put in ``error``, instances claimed; 0: nothing was due). When one
        instance's step fails, nothing of the batch is kept: that instance's incident is
        recorded and it is passed over, and the others are still due for the next batch.
        None: the batch failed as a whole (the caller fires them one by one)."""
        command = FireDueTimers(self.actor, self._skip_locked, passed_over, size)
        try:
            fired = await execute(self.ctx, command)
            return fired, fired
        except Exception as exc:
            if not command.claimed:  # the claim itself failed: the database, not a timer
                raise
            failed = command.failed
            if failed is None:
                log.info("timer batch of %s not fired (%s): firing them one by one",
                         self.name, type(exc).__name__)
                return None
            passed_over.add(failed.instance_id)
            if isinstance(exc, Conflict):  # another command changed it: next round
                log.info("timer of %s not fired this round: %s", failed.instance_id, exc)
                return 0, len(command.claimed)
            recorded = await self._record_incident(failed, exc)
            return int(recorded), len(command.claimed)

    async def _fire_next(self, passed_over: set[str]) -> Outcome:
        command = FireDueTimer(self.actor, self._skip_locked, passed_over)
        try:
            fired = await execute(self.ctx, command)
            return "fired" if fired else "idle"
        except Conflict as exc:
            claimed = command.claimed
            if claimed is None:
                raise
            # Another command changed the instance first; its timers are looked at again
            # on the next round.
            log.info("timer of %s not fired this round: %s", claimed.instance_id, exc)
            passed_over.add(claimed.instance_id)
            return "passed"
        except Exception as exc:
            claimed = command.claimed
            if claimed is None:  # the claim itself failed: the database, not a timer
                raise
            passed_over.add(claimed.instance_id)
            # Not recorded: another worker failed the same attempt and recorded it first.
            return "failed" if await self._record_incident(claimed, exc) else "passed"

    async def _record_incident(self, claimed: timer_repo.ClaimedTimer, exc: Exception) -> bool:
        """State ``error``, an ``incident`` event and the timer's back-off, in one versioned
        write; ``POST /process-instances/{id}/resume`` retries at once."""
        error = _describe(exc)
        element = (exc.element if isinstance(exc, EngineFailure) else None) or claimed.element_id
        attempts = claimed.failed_attempts + 1
        retry_at = self._next_attempt(attempts)
        log.warning("timer of %s failed (attempt %d): %s", claimed.instance_id, attempts, error,
                    exc_info=not isinstance(exc, EngineFailure))
        data = {"attempt": attempts, "timer_task_id": claimed.task_id,
                "next_attempt_at": _api_time(retry_at),
                "retries_left": max(self.ctx.settings.timer_retries + 1 - attempts, 0)}
        try:
            return await execute(self.ctx, RecordIncident(claimed, self.actor, error, element,
                                                          attempts, retry_at, data))
        except Exception:
            # Even an incident that cannot be written holds back no other timer: this
            # instance is passed over for the rest of the round.
            log.exception("timer worker %s: incident of %s not recorded", self.name,
                          claimed.instance_id)
            return False

    def _next_attempt(self, attempts: int) -> datetime | None:
        """After the n-th failure, the n-th back-off (the last repeats); None when the
        retries are spent."""
        settings = self.ctx.settings
        if attempts > settings.timer_retries:
            return None
        backoffs = settings.timer_retry_backoff_seconds
        return self.ctx.clock.now() + timedelta(seconds=backoffs[min(attempts, len(backoffs)) - 1])


def _describe(exc: Exception) -> str:
    text = str(exc) if isinstance(exc, EngineFailure) else f"{type(exc).__name__}: {exc}"
    # PostgreSQL text holds no NUL; an error message is no reason to fail again.
    return text.replace("\x00", "\\0")[:MAX_ERROR_CHARS]


def _api_time(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None
