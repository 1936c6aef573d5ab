"""Document rows and their uses; never commits."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.tables import document_uses, documents


async def insert(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(sa.insert(documents).values(**row))


async def get(session: AsyncSession, document_id: str) -> sa.Row[Any] | None:
    return (await session.execute(
        sa.select(documents).where(documents.c.id == document_id))).first()


async def of_instance(session: AsyncSession, instance_id: str, offset: int = 0,
                      limit: int | None = None) -> list[sa.Row[Any]]:
    """An instance's documents, oldest first."""
    query = (sa.select(documents).where(documents.c.instance_id == instance_id)
             .order_by(documents.c.uploaded_at, documents.c.id).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return list((await session.execute(query)).all())


async def of_task(session: AsyncSession, task_id: str, offset: int, limit: int
                  ) -> list[sa.Row[Any]]:
    """The documents uploaded to a task and those its completion named, oldest first."""
    used = sa.select(document_uses.c.document_id).where(document_uses.c.task_id == task_id)
    return list((await session.execute(
        sa.select(documents).where(sa.or_(documents.c.task_id == task_id,
                                          documents.c.id.in_(used)))
        .order_by(documents.c.uploaded_at, documents.c.id).offset(offset).limit(limit)
    )).all())


async def by_ids(session: AsyncSession, ids: list[str]) -> dict[str, sa.Row[Any]]:
    if not ids:
        return {}
    rows = (await session.execute(sa.select(documents).where(documents.c.id.in_(ids)))).all()
    return {r.id: r for r in rows}


async def uses_of(session: AsyncSession, document_ids: list[str]) -> dict[str, list[Any]]:
    """Which task completions named each document, in the order they happened."""
    if not document_ids:
        return {}
    rows = (await session.execute(
        sa.select(document_uses).where(document_uses.c.document_id.in_(document_ids))
        .order_by(document_uses.c.used_at, document_uses.c.task_id))).all()
    found: dict[str, list[Any]] = {}
    for r in rows:
        found.setdefault(r.document_id, []).append(r)
    return found


async def insert_uses(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(document_uses), rows)


async def storage_keys(session: AsyncSession, instance_ids: list[str]) -> list[str]:
    """The blobs of these instances' documents (retention deletes them after the rows)."""
    if not instance_ids:
        return []
    return list((await session.execute(
        sa.select(documents.c.storage_key)
        .where(documents.c.instance_id.in_(instance_ids)))).scalars())
