"""Calendar-year rows: the holiday arrangements an admin loaded."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.db import rowcount
from ..store.tables import calendar_years


async def get(session: AsyncSession, year: int) -> sa.Row[Any] | None:
    query = sa.select(calendar_years).where(calendar_years.c.year == year)
    return (await session.execute(query)).first()


async def list_all(session: AsyncSession) -> list[sa.Row[Any]]:
    query = sa.select(calendar_years).order_by(calendar_years.c.year)
    return list((await session.execute(query)).all())


async def upsert(session: AsyncSession, year: int, days_off: str, make_up_workdays: str,
                 source: str, loaded_by: str, now: datetime) -> bool:
    """Store a year's arrangement (JSON text); True when the year was not loaded before."""
    values = {"days_off": days_off, "make_up_workdays": make_up_workdays, "source": source,
              "loaded_by": loaded_by, "loaded_at": now}
    updated = await session.execute(
        sa.update(calendar_years).where(calendar_years.c.year == year).values(**values))
    if rowcount(updated):
        return False
    await session.execute(sa.insert(calendar_years).values(year=year, **values))
    return True


async def delete(session: AsyncSession, year: int) -> bool:
    """Forget a year's loaded arrangement; False when there was none."""
    deleted = await session.execute(
        sa.delete(calendar_years).where(calendar_years.c.year == year))
    return rowcount(deleted) > 0
