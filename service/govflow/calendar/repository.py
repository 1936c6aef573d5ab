"""Calendar-year rows: the holiday arrangements an admin loaded."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.db import rowcount
from ..store.tables import calendar_years


@dataclass(frozen=True)
class CalendarYearRow:
    year: int
    days_off: str  # JSON: ISO dates
    make_up_workdays: str  # JSON: ISO dates
    source: str
    loaded_by: str
    loaded_at: datetime


async def get(session: AsyncSession, year: int) -> CalendarYearRow | None:
    query = sa.select(calendar_years).where(calendar_years.c.year == year)
    row = (await session.execute(query)).first()
    return CalendarYearRow(**row._mapping) if row is not None else None


async def list_all(session: AsyncSession) -> list[CalendarYearRow]:
    query = sa.select(calendar_years).order_by(calendar_years.c.year)
    return [CalendarYearRow(**r._mapping) for r in (await session.execute(query)).all()]


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
