"""Tenant rows."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.db import rowcount
from ..store.tables import diagram_sets, tenants


@dataclass(frozen=True)
class TenantRow:
    id: str
    name: str
    active_set_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class TenantListing(TenantRow):
    """A tenant with its active set's version and main process, for listings."""

    active_version: int | None
    active_main_process: str | None


async def get(session: AsyncSession, tenant_id: str) -> TenantRow | None:
    row = (await session.execute(sa.select(tenants).where(tenants.c.id == tenant_id))).first()
    return TenantRow(**row._mapping) if row is not None else None


async def list_all(session: AsyncSession, only: list[str] | None) -> list[TenantListing]:
    active = diagram_sets.alias("active")
    query = (sa.select(tenants, active.c.version.label("active_version"),
                       active.c.main_process_id.label("active_main_process"))
             .outerjoin(active, active.c.id == tenants.c.active_set_id).order_by(tenants.c.id))
    if only is not None:
        query = query.where(tenants.c.id.in_(only))
    return [TenantListing(**r._mapping) for r in (await session.execute(query)).all()]


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
