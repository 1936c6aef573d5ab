from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from ..commands.calendar import DropCalendarYear, SaveCalendarYear
from ..commands.calendar import delete_year as delete_calendar_year
from ..commands.calendar import put_year as put_calendar_year
from ..deps import ContextDep, CurrentUser, SessionDep
from ..fields import NO_CONTROL
from ..schemas import PROBLEMS
from . import service
from .schemas import CalendarYear, CalendarYearIn, Due, WorkingDays

router = APIRouter(tags=["calendar"], responses=PROBLEMS)

Year = Annotated[int, Path(ge=service.FIRST_YEAR, le=service.LAST_YEAR)]


@router.get("/calendar/years/{year}", response_model=CalendarYear)
async def get_year(year: Year, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    return await service.get_year(session, year)


@router.put("/calendar/years/{year}", response_model=CalendarYear, responses={
    201: {"model": CalendarYear, "description": "the year's arrangement, loaded the first time"}})
async def put_year(year: Year, body: CalendarYearIn, response: Response, ctx: ContextDep,
                   session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    view, created = await put_calendar_year(ctx, SaveCalendarYear(
        user, year, body.days_off, body.make_up_workdays, body.source))
    response.status_code = 201 if created else 200
    return view


@router.delete("/calendar/years/{year}", response_model=CalendarYear)
async def delete_year(year: Year, ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    return await delete_calendar_year(ctx, DropCalendarYear(user, year))


@router.get("/calendar/working-days", response_model=WorkingDays)
async def working_days(start: date, days: Annotated[int, Query(ge=1, le=1000)],
                       ctx: ContextDep, user: CurrentUser) -> dict[str, Any]:
    return service.count_working_days(ctx, start, days)


@router.get("/calendar/due", response_model=Due)
async def due(
    spec: Annotated[str, Query(description="deadline notation: 10WD, P20D, --09-30@plan_year-1",
                               examples=["10WD"], max_length=100, pattern=NO_CONTROL)],
    ctx: ContextDep, user: CurrentUser,
    start: Annotated[datetime | None, Query(
        description="when the clock starts, with its UTC offset (default: now)")] = None,
    plan_year: Annotated[int | None, Query(description="for --MM-DD@plan_year specs",
                                           ge=1, le=9999)] = None,
) -> dict[str, Any]:
    return service.compute_deadline(ctx, spec, start, plan_year)
