"""The timers table: one row per waiting timer, kept in step with the engine."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.held_writes import Writer
from ..store.jsontext import utc
from ..store.tables import process_instances, timers


@dataclass(frozen=True)
class ClaimedTimer:
    """A due timer a worker holds (row-locked on PostgreSQL) until its transaction ends."""

    instance_id: str
    task_id: str
    element_id: str | None
    failed_attempts: int
    instance_version: int
    instance_state: str


async def load(session: AsyncSession, instance_id: str) -> dict[str, str]:
    result = await session.execute(sa.select(timers.c.task_id, timers.c.due_at)
                                   .where(timers.c.instance_id == instance_id))
    return {task_id: _iso(due) for task_id, due in result.all()}


# Built once, values as parameters: a batch holds them and sends each once (held_writes.py).
_INSERT = sa.insert(timers)
_DELETE = sa.delete(timers).where(timers.c.instance_id == sa.bindparam("b_instance"),
                                  timers.c.task_id == sa.bindparam("b_task"))
_MOVE = (sa.update(timers)
         .where(timers.c.instance_id == sa.bindparam("b_instance"),
                timers.c.task_id == sa.bindparam("b_task"))
         .values(due_at=sa.bindparam("b_due"), failed_attempts=0, next_attempt_at=None))


async def write(session: Writer, instance_id: str, tenant_id: str,
                before: Mapping[str, str], after: Mapping[str, str],
                elements: Mapping[str, str] | None = None) -> None:
    """Insert timers that started waiting, delete those that fired or were cancelled, and
    move a repeating timer that fired to its next occurrence (its failures start over)."""
    gone = [t for t in before if t not in after]
    new = [t for t in after if t not in before and after[t]]
    moved = [t for t in after if t in before and after[t] and before[t]
             and datetime.fromisoformat(after[t]) != datetime.fromisoformat(before[t])]
    if moved:
        await session.execute(_MOVE, [
            {"b_instance": instance_id, "b_task": t, "b_due": datetime.fromisoformat(after[t])}
            for t in moved])
    if gone:
        await session.execute(_DELETE, [{"b_instance": instance_id, "b_task": t} for t in gone])
    if new:
        await session.execute(_INSERT, [
            {"instance_id": instance_id, "task_id": t, "tenant_id": tenant_id,
             "due_at": datetime.fromisoformat(after[t]),
             "element_id": (elements or {}).get(t)} for t in new])


async def claim_due(session: AsyncSession, now: datetime, skip_locked: bool,
                    passed_over: Collection[str] = ()) -> ClaimedTimer | None:
    """The most overdue timer nobody else is firing, locked until commit: of a running
    instance, or of one in ``error`` whose back-off has run out. A timer that failed is
    never claimed before its next attempt, so it cannot hold back the others."""
    claimed = await claim_due_batch(session, now, skip_locked, passed_over, 1)
    return claimed[0] if claimed else None


async def claim_due_batch(session: AsyncSession, now: datetime, skip_locked: bool,
                          passed_over: Collection[str], limit: int) -> list[ClaimedTimer]:
    """Up to ``limit`` of the most overdue timers nobody else is firing (as ``claim_due``),
    one per instance, all locked until commit."""
    t, pi = timers, process_instances
    attempt_due = t.c.next_attempt_at <= now
    query = (sa.select(t.c.instance_id, t.c.task_id, t.c.element_id, t.c.failed_attempts,
                       pi.c.version, pi.c.state)
             .join(pi, pi.c.id == t.c.instance_id)
             .where(t.c.due_at < now,
                    sa.or_(sa.and_(pi.c.state == "running",
                                   sa.or_(t.c.next_attempt_at.is_(None), attempt_due)),
                           sa.and_(pi.c.state == "error", attempt_due)))
             .order_by(t.c.due_at).limit(limit))
    if passed_over:
        query = query.where(t.c.instance_id.not_in(list(passed_over)))
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=t)
    if session.get_bind().dialect.name == "postgresql":
        # Plan this transaction's statements for their values: a generic plan cannot tell
        # how few timers are due, and the foreign-key checks of the rows a batch inserts
        # would keep the plan made when the worker's connection first saw the tables
        # small (a scan of every task row per candidate row once they have grown).
        await session.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
    claimed: dict[str, ClaimedTimer] = {}
    for row in (await session.execute(query)).all():
        claimed.setdefault(row[0], ClaimedTimer(*row))  # one step fires all that are due
    return list(claimed.values())


async def record_failure(session: AsyncSession, instance_id: str, task_id: str,
                         failed_attempts: int, next_attempt_at: datetime | None) -> None:
    """Count a failed attempt; ``next_attempt_at`` None: no more automatic retries."""
    await session.execute(sa.update(timers).where(
        timers.c.instance_id == instance_id, timers.c.task_id == task_id,
    ).values(failed_attempts=failed_attempts, next_attempt_at=next_attempt_at))


async def clear_failures(session: AsyncSession, instance_id: str) -> None:
    """An admin resumed the instance: its timers start over with every retry."""
    await session.execute(sa.update(timers).where(
        timers.c.instance_id == instance_id,
        sa.or_(timers.c.failed_attempts > 0, timers.c.next_attempt_at.is_not(None)),
    ).values(failed_attempts=0, next_attempt_at=None))


async def failures(session: AsyncSession, instance_id: str
                   ) -> dict[str, tuple[int, datetime | None]]:
    """Task id -> (failed attempts, next attempt) of the instance's waiting timers."""
    result = await session.execute(
        sa.select(timers.c.task_id, timers.c.failed_attempts, timers.c.next_attempt_at)
        .where(timers.c.instance_id == instance_id))
    return {task_id: (n, utc(at)) for task_id, n, at in result.all()}


async def next_due(session: AsyncSession) -> datetime | None:
    due: datetime | None = (await session.execute(
        sa.select(sa.func.min(timers.c.due_at))
        .join(process_instances, process_instances.c.id == timers.c.instance_id)
        .where(process_instances.c.state == "running"))).scalar()
    return due


def _iso(value: datetime) -> str:
    return (utc(value) or value).isoformat()
