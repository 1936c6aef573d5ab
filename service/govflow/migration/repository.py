"""Migration batches and their items; the task-row rewrite of a migrated instance."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.db import rowcount
from ..store.jsontext import dumps
from ..store.tables import (
    migration_batches,
    migration_items,
    process_instances,
    task_candidates,
    tasks,
)

# An instance a batch moves: running, or suspended (it stays suspended, on the new set).
MOVABLE = ("running", "suspended")
ITEM_STATES = ("pending", "migrated", "refused", "failed")


@dataclass(frozen=True)
class BatchRow:
    id: str
    tenant_id: str
    source_set_id: int
    target_set_id: int
    plan: str
    state: str
    rollback_of: str | None
    rolled_back_by: str | None
    created_by: str
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ItemRow:
    batch_id: str
    instance_id: str
    seq: int
    state: str
    detail: str | None
    updated_at: datetime | None
    business_key: str | None


async def insert_batch(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(sa.insert(migration_batches).values(**row))


async def get_batch(session: AsyncSession, batch_id: str, lock: bool = False
                    ) -> BatchRow | None:
    query = sa.select(migration_batches).where(migration_batches.c.id == batch_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return BatchRow(**row._mapping) if row is not None else None


async def set_batch(session: AsyncSession, batch_id: str, **values: Any) -> None:
    await session.execute(sa.update(migration_batches)
                          .where(migration_batches.c.id == batch_id).values(**values))


async def movable_ids(session: AsyncSession, tenant_id: str, set_id: int,
                      limit: int | None = None) -> list[str]:
    """Instances of the tenant on ``set_id`` a batch would move, oldest first."""
    query = (sa.select(process_instances.c.id)
             .where(process_instances.c.tenant_id == tenant_id,
                    process_instances.c.diagram_set_id == set_id,
                    process_instances.c.state.in_(MOVABLE))
             .order_by(process_instances.c.created_at, process_instances.c.id))
    return list((await session.execute(query.limit(limit) if limit else query)).scalars())


async def count_movable(session: AsyncSession, tenant_id: str, set_id: int) -> int:
    return int((await session.execute(
        sa.select(sa.func.count()).select_from(process_instances)
        .where(process_instances.c.tenant_id == tenant_id,
               process_instances.c.diagram_set_id == set_id,
               process_instances.c.state.in_(MOVABLE)))).scalar_one())


async def insert_items(session: AsyncSession, batch_id: str, instance_ids: Sequence[str]
                       ) -> None:
    if instance_ids:
        await session.execute(sa.insert(migration_items), [
            {"batch_id": batch_id, "instance_id": i, "seq": n, "state": "pending",
             "detail": None, "updated_at": None} for n, i in enumerate(instance_ids)])


async def migrated_ids(session: AsyncSession, batch_id: str) -> list[str]:
    return list((await session.execute(
        sa.select(migration_items.c.instance_id)
        .where(migration_items.c.batch_id == batch_id, migration_items.c.state == "migrated")
        .order_by(migration_items.c.seq))).scalars())


async def claim_pending(session: AsyncSession, skip_locked: bool, batch_id: str | None = None
                        ) -> tuple[str, str] | None:
    """The next pending item (batch id, instance id) of the oldest running batch, locked
    until commit; None when no batch has work left."""
    query = (sa.select(migration_items.c.batch_id, migration_items.c.instance_id)
             .join(migration_batches, migration_batches.c.id == migration_items.c.batch_id)
             .where(migration_items.c.state == "pending", migration_batches.c.state == "running")
             .order_by(migration_batches.c.created_at, migration_items.c.batch_id,
                       migration_items.c.seq)
             .limit(1))
    if batch_id is not None:
        query = query.where(migration_items.c.batch_id == batch_id)
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=migration_items)
    row = (await session.execute(query)).first()
    return (row.batch_id, row.instance_id) if row is not None else None


async def finish_item(session: AsyncSession, batch_id: str, instance_id: str, state: str,
                      detail: dict[str, Any], at: datetime) -> bool:
    """Record an item's outcome; False if it was no longer pending (another worker)."""
    result = await session.execute(
        sa.update(migration_items)
        .where(migration_items.c.batch_id == batch_id,
               migration_items.c.instance_id == instance_id,
               migration_items.c.state == "pending")
        .values(state=state, detail=dumps(detail), updated_at=at))
    return rowcount(result) == 1


async def has_pending(session: AsyncSession, batch_id: str) -> bool:
    return (await session.execute(
        sa.select(migration_items.c.instance_id)
        .where(migration_items.c.batch_id == batch_id, migration_items.c.state == "pending")
        .limit(1))).first() is not None


async def counts(session: AsyncSession, batch_id: str) -> dict[str, int]:
    result = await session.execute(
        sa.select(migration_items.c.state, sa.func.count())
        .where(migration_items.c.batch_id == batch_id).group_by(migration_items.c.state))
    found = {state: int(n) for state, n in result.all()}
    return {state: found.get(state, 0) for state in ITEM_STATES}


async def items(session: AsyncSession, batch_id: str, after_seq: int, limit: int,
                state: str | None) -> list[ItemRow]:
    query = (sa.select(migration_items, process_instances.c.business_key)
             .join(process_instances,
                   process_instances.c.id == migration_items.c.instance_id)
             .where(migration_items.c.batch_id == batch_id, migration_items.c.seq > after_seq)
             .order_by(migration_items.c.seq).limit(limit))
    if state is not None:
        query = query.where(migration_items.c.state == state)
    return [ItemRow(**r._mapping) for r in (await session.execute(query)).all()]


async def list_batches(session: AsyncSession, tenant_id: str, limit: int) -> list[BatchRow]:
    result = await session.execute(
        sa.select(migration_batches).where(migration_batches.c.tenant_id == tenant_id)
        .order_by(migration_batches.c.created_at.desc(), migration_batches.c.id).limit(limit))
    return [BatchRow(**r._mapping) for r in result.all()]


async def rebind_task(session: AsyncSession, task_id: str, values: dict[str, Any],
                      groups: Sequence[str]) -> None:
    """A ready task moved to another element: key, name, lane, groups, clause, set, due;
    its id, assignee, creation and data stay."""
    await session.execute(sa.update(tasks).where(tasks.c.id == task_id).values(**values))
    await session.execute(sa.delete(task_candidates).where(task_candidates.c.task_id == task_id))
    if groups:
        await session.execute(sa.insert(task_candidates),
                              [{"task_id": task_id, "group_name": g} for g in groups])
