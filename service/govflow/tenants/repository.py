"""Tenant rows."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.db import rowcount
from ..store.tables import diagram_sets, tenants


async def get(session: AsyncSession, tenant_id: str) -> sa.Row[Any] | None:
    return (await session.execute(sa.select(tenants).where(tenants.c.id == tenant_id))).first()


async def list_all(session: AsyncSession, only: list[str] | None) -> list[sa.Row[Any]]:
    active = diagram_sets.alias("active")
    query = (sa.select(tenants, active.c.version.label("active_version"),
                       active.c.main_process_id.label("active_main_process"))
             .outerjoin(active, active.c.id == tenants.c.active_set_id).order_by(tenants.c.id))
    if only is not None:
        query = query.where(tenants.c.id.in_(only))
    return list((await session.execute(query)).all())


async def upsert(session: AsyncSession, tenant_id: str, name: str, now: datetime) -> bool:
    """Create or rename; True when created."""
    updated = await session.execute(
        sa.update(tenants).where(tenants.c.id == tenant_id).values(name=name))
    if rowcount(updated):
        return False
    await session.execute(sa.insert(tenants).values(id=tenant_id, name=name, created_at=now))
    return True


async def set_active(session: AsyncSession, tenant_id: str, set_id: int) -> None:
    await session.execute(
        sa.update(tenants).where(tenants.c.id == tenant_id).values(active_set_id=set_id))
