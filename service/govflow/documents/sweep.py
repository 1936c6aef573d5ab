"""The orphan sweep (`govflow documents sweep`): delete blobs no document row names.

An upload whose transaction fails deletes its blob itself (commands/documents.py); only a
process that died between writing the blob and committing the row leaves one behind. Such a
blob is never listed nor served; the sweep reclaims its space. Blobs written recently are
left alone: their upload may still be about to commit."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..store.tables import documents
from .storage import BlobStore

BATCH = 500


async def sweep(sessions: async_sessionmaker[AsyncSession], store: BlobStore,
                written_before: datetime) -> list[str]:
    """Delete the blobs written before ``written_before`` that no row names; their keys."""
    deleted: list[str] = []
    batch: list[str] = []
    async for key in store.keys(written_before):
        batch.append(key)
        if len(batch) == BATCH:
            deleted += await _delete_unnamed(sessions, store, batch)
            batch = []
    if batch:
        deleted += await _delete_unnamed(sessions, store, batch)
    return deleted


async def _delete_unnamed(sessions: async_sessionmaker[AsyncSession], store: BlobStore,
                          keys: list[str]) -> list[str]:
    async with sessions() as session:
        named = set((await session.execute(
            sa.select(documents.c.storage_key)
            .where(documents.c.storage_key.in_(keys)))).scalars())
    orphans = [k for k in keys if k not in named]
    for key in orphans:
        await store.delete(key)
    return orphans
