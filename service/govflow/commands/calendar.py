"""Commands on the holiday calendar: load or correct a year, drop a loaded one. The
process's calendar is rebuilt after the commit (``put_year``/``delete_year``), so due dates
computed from then on see the change."""

from dataclasses import dataclass
from typing import Any

from ..auth.principal import Principal
from ..calendar import service as calendars
from ..context import AppContext
from .base import execute
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SaveCalendarYear:
    """Load or correct a year's arrangement (global admin only); True when the year is new.
    ``where`` prefixes each error's location: the request body, or a file's name."""

    principal: Principal
    year: int
    days_off: Any
    make_up_workdays: Any
    source: Any
    where: str = "body"

    async def run(self, uow: UnitOfWork) -> bool:
        return await calendars.save_year(uow.ctx, uow.session, self.principal, self.year,
                                         self.days_off, self.make_up_workdays, self.source,
                                         self.where)


@dataclass(frozen=True)
class DropCalendarYear:
    """Drop a loaded arrangement (global admin only): the year reverts to the package's."""

    principal: Principal
    year: int

    async def run(self, uow: UnitOfWork) -> None:
        await calendars.drop_year(uow.session, self.principal, self.year)


async def put_year(ctx: AppContext, command: SaveCalendarYear) -> tuple[dict[str, Any], bool]:
    """Save the year, rebuild the calendar; the year as the API shows it."""
    created = await execute(ctx, command)
    await calendars.refresh_calendar(ctx)
    async with ctx.sessions() as session:
        return await calendars.get_year(session, command.year), created


async def delete_year(ctx: AppContext, command: DropCalendarYear) -> dict[str, Any]:
    """Drop the year, rebuild the calendar; the year as it now is (the package's data)."""
    await execute(ctx, command)
    await calendars.refresh_calendar(ctx)
    async with ctx.sessions() as session:
        return await calendars.get_year(session, command.year)
