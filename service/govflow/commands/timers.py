"""Commands the timer worker runs: fire the most overdue timer, record an incident."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..metrics import INCIDENTS, TIMERS_FIRED
from ..timers import repository as timer_repo
from .unit_of_work import UnitOfWork


@dataclass
class FireDueTimer:
    """Claim the most overdue timer nobody else is firing (locked until commit) and fire
    its instance's due timers; False when none was due. ``claimed`` tells the worker which
    instance it was, should the step fail."""

    actor: str
    skip_locked: bool
    passed_over: set[str]
    claimed: timer_repo.ClaimedTimer | None = field(default=None, init=False)

    async def run(self, uow: UnitOfWork) -> bool:
        self.claimed = claimed = await timer_repo.claim_due(
            uow.session, uow.ctx.clock.now(), self.skip_locked, self.passed_over)
        if claimed is None:
            return False
        if claimed.instance_state == "error":  # its back-off ran out: try again
            await uow.set_state(claimed.instance_id, "running", self.actor, "incident_retried",
                                {"attempt": claimed.failed_attempts + 1}, expected=("error",))
        await uow.step(claimed.instance_id, lambda e: e.fire_timers(), self.actor)
        uow.after_commit(TIMERS_FIRED.inc)
        return True


@dataclass
class FireDueTimers:
    """Claim up to ``size`` due instances nobody else is firing (locked until commit) and
    fire each one's due timers, all in one transaction whose writes go out one statement
    per kind for the whole batch (``hold_writes``); how many (0: nothing was due). Any
    failure rolls back the whole batch: ``failed`` names the instance whose step failed
    (the worker records its incident and fires the rest again without it); None with
    ``claimed`` set, the batch failed as a whole (the worker fires them one by one)."""

    actor: str
    skip_locked: bool
    passed_over: set[str]
    size: int
    claimed: list[timer_repo.ClaimedTimer] = field(default_factory=list, init=False)
    failed: timer_repo.ClaimedTimer | None = field(default=None, init=False)

    async def run(self, uow: UnitOfWork) -> int:
        self.claimed = await timer_repo.claim_due_batch(
            uow.session, uow.ctx.clock.now(), self.skip_locked, self.passed_over, self.size)
        # The running ones read in one go (not one instance's rows after another).
        await uow.preload([t.instance_id for t in self.claimed if t.instance_state == "running"])
        uow.hold_writes()
        by_id = {t.instance_id: t for t in self.claimed}
        for timer in self.claimed:
            if timer.instance_state == "error":  # its back-off ran out: try again
                self.failed = timer
                await uow.set_state(timer.instance_id, "running", self.actor,
                                    "incident_retried", {"attempt": timer.failed_attempts + 1},
                                    expected=("error",))
        await uow.step_each(list(by_id), lambda e: e.fire_timers(), self.actor,
                            lambda instance_id: setattr(self, "failed", by_id[instance_id]))
        self.failed = None  # from here on (the held writes, the commit) nobody in particular
        fired = len(self.claimed)
        uow.after_commit(lambda: TIMERS_FIRED.inc(fired))
        return fired


@dataclass(frozen=True)
class RecordIncident:
    """State ``error``, an ``incident`` event and the timer's back-off, in one versioned
    write; False (nothing written) when another command changed the instance since the
    failed attempt read it."""

    claimed: timer_repo.ClaimedTimer
    actor: str
    error: str
    element_id: str | None
    attempts: int
    retry_at: datetime | None
    data: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> bool:
        c = self.claimed
        if not await uow.record_incident(c.instance_id, c.instance_version, self.actor,
                                         self.error, self.element_id, self.data):
            return False
        await timer_repo.record_failure(uow.session, c.instance_id, c.task_id, self.attempts,
                                        self.retry_at)
        uow.after_commit(INCIDENTS.inc)
        return True
