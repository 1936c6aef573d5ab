"""The external_tasks table: one row per ready external task, kept in step with the engine,
and the lock a worker holds on it."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..engine.external import ExternalTask
from ..store.db import rowcount
from ..store.held_writes import Writer
from ..store.jsontext import dumps, loads, utc
from ..store.tables import external_tasks, process_instances

et, pi = external_tasks, process_instances
# Built once: a batch holds the rows and sends each statement once (held_writes.py).
_INSERT = sa.insert(et)
_DELETE = sa.delete(et).where(et.c.id == sa.bindparam("b_id"))


@dataclass(frozen=True)
class ExternalTaskRow:
    """An external task with its instance's business key and state."""

    id: str
    instance_id: str
    tenant_id: str
    process_id: str
    element_id: str
    element_name: str | None
    topic: str
    priority: int
    outputs: tuple[str, ...]
    worker_id: str | None
    locked_by: str | None
    lock_expires_at: datetime | None
    retries: int | None
    error_message: str | None
    error_details: str | None
    created_at: datetime
    business_key: str | None
    instance_state: str
    instance_version: int

    def locked_at(self, now: datetime) -> bool:
        """Held by a worker whose lock has not expired."""
        return self.worker_id is not None and self.lock_expires_at is not None \
            and self.lock_expires_at > now


_COLUMNS = (et.c.id, et.c.instance_id, et.c.tenant_id, et.c.process_id, et.c.element_id,
            et.c.element_name, et.c.topic, et.c.priority, et.c.outputs, et.c.worker_id,
            et.c.locked_by, et.c.lock_expires_at, et.c.retries, et.c.error_message,
            et.c.error_details, et.c.created_at, pi.c.business_key, pi.c.state, pi.c.version)


def _row(r: Any) -> ExternalTaskRow:
    values = list(r)
    values[8] = tuple(loads(values[8]) or ())
    values[11] = utc(values[11])
    values[15] = utc(values[15])
    return ExternalTaskRow(*values)


def _select() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).join(pi, pi.c.id == et.c.instance_id)


async def write(session: Writer, instance: Mapping[str, Any],
                created: Sequence[ExternalTask], finished: Sequence[str], now: datetime) -> None:
    """Insert the external tasks a step made ready, delete those it completed or cancelled."""
    if finished:
        await session.execute(_DELETE, [{"b_id": task_id} for task_id in finished])
    if created:
        await session.execute(_INSERT, [
            {"id": t.id, "instance_id": instance["id"], "tenant_id": instance["tenant_id"],
             "process_id": t.process_id, "element_id": t.definition.element_id,
             "element_name": t.definition.element_name, "topic": t.definition.topic,
             "priority": t.definition.priority, "outputs": dumps(list(t.definition.outputs)),
             "created_at": now} for t in created])


async def get(session: AsyncSession, task_id: str, for_update: bool = False
              ) -> ExternalTaskRow | None:
    query = _select().where(et.c.id == task_id)
    if for_update:
        query = query.with_for_update(of=et)
    found = (await session.execute(query)).first()
    return _row(found) if found is not None else None


async def claim(session: AsyncSession, tenant_id: str, topic: str, now: datetime, limit: int,
                skip_locked: bool) -> list[ExternalTaskRow]:
    """Up to ``limit`` fetchable tasks of a topic, highest priority and oldest first, locked
    until commit (rows another worker is claiming right now are skipped)."""
    query = (_select()
             .where(et.c.tenant_id == tenant_id, et.c.topic == topic, pi.c.state == "running",
                    sa.or_(et.c.retries.is_(None), et.c.retries > 0),
                    sa.or_(et.c.lock_expires_at.is_(None), et.c.lock_expires_at <= now))
             .order_by(et.c.priority.desc(), et.c.created_at, et.c.id).limit(limit))
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=et)
    return [_row(r) for r in (await session.execute(query)).all()]


async def lock(session: AsyncSession, ids: Sequence[str], worker_id: str, user: str,
               until: datetime) -> None:
    await session.execute(sa.update(et).where(et.c.id.in_(list(ids))).values(
        worker_id=worker_id, locked_by=user, lock_expires_at=until))


async def update(session: AsyncSession, task_id: str, **values: Any) -> bool:
    return rowcount(await session.execute(sa.update(et).where(et.c.id == task_id)
                                          .values(**values))) == 1


async def revive_failed(session: AsyncSession, instance_id: str) -> None:
    """An admin resumed the instance: tasks whose retries ran out get one more."""
    await session.execute(sa.update(et).where(et.c.instance_id == instance_id, et.c.retries == 0)
                          .values(retries=1, lock_expires_at=None))


async def search(session: AsyncSession, tenant_id: str, filters: Mapping[str, Any],
                 now: datetime, offset: int, limit: int) -> list[ExternalTaskRow]:
    """A page of the tenant's external tasks, oldest first."""
    query = _select().where(et.c.tenant_id == tenant_id)
    if filters.get("topic") is not None:
        query = query.where(et.c.topic == filters["topic"])
    if filters.get("instance_id") is not None:
        query = query.where(et.c.instance_id == filters["instance_id"])
    held = sa.and_(et.c.worker_id.is_not(None), et.c.lock_expires_at > now)
    if filters.get("locked") is True:
        query = query.where(held)
    elif filters.get("locked") is False:
        query = query.where(sa.not_(held))
    if filters.get("failed") is True:
        query = query.where(et.c.retries == 0)
    query = query.order_by(et.c.created_at, et.c.id).offset(offset).limit(limit)
    return [_row(r) for r in (await session.execute(query)).all()]
