"""The working-day calendar as a resource: anyone reads it, an admin loads a year's notice.

The State Council publishes next year's holiday arrangement late in the year, before the
``holidays`` package knows it; an admin loads it (or corrects a year the package has wrong)
and it replaces the package's data for that year. Loaded years live in ``calendar_years``:
``load_calendar`` builds the process's ``WorkingCalendar`` from them at startup, and a load
or delete here rebuilds this process's ``ctx.calendar`` at once.
"""

import asyncio
import re
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.permissions import require_global_admin
from ..auth.principal import Principal
from ..context import AppContext
from ..errors import FieldError, Invalid, NotFound
from ..store.jsontext import dumps, loads, utc
from . import repository as repo
from .due import YearlyDate, compute_due, parse_due_spec
from .workdays import OutOfCalendar, WorkingCalendar, YearArrangement

# The years whose statutory holidays the package can place (its lunar dates are tabulated).
FIRST_YEAR, LAST_YEAR = 1950, 2100
PACKAGE_SOURCE = "holidays package"
ESTIMATED_SOURCE = "estimated"

# The package's own data, never overridden: what a year falls back to when its row goes.
_PACKAGE = WorkingCalendar()
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


async def load_calendar(session: AsyncSession) -> WorkingCalendar:
    """The working-day calendar with every loaded year; call at startup and after a change."""
    rows = await repo.list_all(session)
    return WorkingCalendar({row.year: _stored_arrangement(row) for row in rows})


async def get_year(session: AsyncSession, year: int) -> dict[str, Any]:
    """A year's arrangement: loaded, else the package's (official or estimated)."""
    _check_year(year)
    row = await repo.get(session, year)
    if row is not None:
        return _view(year, _stored_arrangement(row), official=True,
                     source=f"loaded by {row.loaded_by}", notice=row.source,
                     loaded_at=utc(row.loaded_at))
    official = _PACKAGE.known_year(year)
    return _view(year, _PACKAGE.arrangement(year), official=official,
                 source=PACKAGE_SOURCE if official else ESTIMATED_SOURCE)


async def save_year(ctx: AppContext, session: AsyncSession, principal: Principal, year: int,
                    days_off: Any, make_up_workdays: Any, source: Any, where: str = "body"
                    ) -> bool:
    """Load or correct a year's arrangement (global admin only); True when the year is new
    (commands/calendar.py commits and reloads the calendar).

    ``where`` prefixes the location of each error: the request body, or a file's name.
    """
    require_global_admin(principal, "loading the holiday calendar")
    _check_year(year)
    arrangement = parse_arrangement(year, days_off, make_up_workdays, where)
    if not isinstance(source, str) or not source.strip():
        raise Invalid("name the notice the arrangement comes from", [FieldError(
            f"{where}.source", "must not be empty, e.g. 国办发明电〔2025〕7号")],
            code="calendar.source_missing")
    return await repo.upsert(
        session, year, dumps(sorted(arrangement.days_off)),
        dumps(sorted(arrangement.make_up_workdays)), source.strip(), principal.user,
        ctx.clock.now())


async def drop_year(session: AsyncSession, principal: Principal, year: int) -> None:
    """Drop a loaded arrangement (global admin only): the year reverts to the package's data
    (commands/calendar.py commits and reloads the calendar)."""
    require_global_admin(principal, "changing the holiday calendar")
    if not await repo.delete(session, year):
        raise NotFound(f"no arrangement was loaded for {year}; it comes from the "
                       f"{PACKAGE_SOURCE}", code="calendar.year_not_loaded",
                       params={"year": year})


def count_working_days(ctx: AppContext, start: date, days: int) -> dict[str, Any]:
    """The ``days``-th working day after ``start`` on this process's calendar."""
    try:
        due = ctx.calendar.working_days_after(start, days)
    except (ValueError, OverflowError) as exc:
        raise Invalid("the count runs past the last representable date",
                      [FieldError("query.start", str(exc))], code="calendar.date_overflow"
                      ) from exc
    return {"start": start, "days": days, "due": due.day, "estimated": due.estimated}


def compute_deadline(ctx: AppContext, spec: str, start: datetime | None, plan_year: int | None
        ) -> dict[str, Any]:
    """The deadline ``spec`` sets for a clock started at ``start`` (default: now)."""
    try:
        parsed = parse_due_spec(spec)
    except ValueError as exc:
        raise Invalid(str(exc), [FieldError("query.spec", str(exc))],
                      code="calendar.spec_invalid", params={"reason": str(exc)}) from exc
    if start is None:
        start = ctx.clock.now()
    elif start.tzinfo is None or start.utcoffset() is None:
        message = f"{start.isoformat()} has no UTC offset; write e.g. 2026-09-28T09:00+08:00"
        raise Invalid(message, [FieldError("query.start", message)],
                      code="calendar.start_invalid", params={"reason": message})
    variables = {} if plan_year is None else {"plan_year": plan_year}
    try:
        deadline = compute_due(spec, start, variables, ctx.calendar)
    except (ValueError, OverflowError) as exc:
        uses_plan_year = isinstance(parsed, YearlyDate) and parsed.variable == "plan_year"
        loc = "query.plan_year" if uses_plan_year else "query.spec"
        if isinstance(exc, OutOfCalendar) and not uses_plan_year:
            loc = "query.start"
        raise Invalid(str(exc), [FieldError(loc, str(exc))], code="calendar.spec_invalid",
                      params={"reason": str(exc)}) from exc
    return {"due_at": deadline.at, "due_day": deadline.day, "estimated": deadline.estimated}


def parse_arrangement(year: int, days_off: Any, make_up_workdays: Any, where: str = "body"
                      ) -> YearArrangement:
    """Dates as JSON gives them, checked by ``YearArrangement``; ``Invalid`` names each bad one."""
    errors: list[FieldError] = []
    lists: dict[str, list[date]] = {}
    for name, values in (("days_off", days_off), ("make_up_workdays", make_up_workdays)):
        if not isinstance(values, list):
            errors.append(FieldError(f"{where}.{name}", "must be a list of dates YYYY-MM-DD"))
            continue
        lists[name] = []
        for i, value in enumerate(values):
            parsed = _parse_date(value)
            if parsed is None:
                errors.append(FieldError(f"{where}.{name}.{i}",
                                         f"{value!r} is not a date YYYY-MM-DD"))
            else:
                lists[name].append(parsed)
    if errors:
        raise Invalid(f"the arrangement for {year} has values that are not dates", errors,
                      code="calendar.arrangement_invalid",
                      params={"year": year, "reason": "日期应写作 YYYY-MM-DD"})
    if not lists["days_off"]:
        raise Invalid(f"the arrangement for {year} has no days off", [FieldError(
            f"{where}.days_off", "must list the year's days off (元旦, 春节, …)")],
            code="calendar.arrangement_invalid", params={"year": year, "reason": "没有假日"})
    try:
        return YearArrangement(year, frozenset(lists["days_off"]),
                               frozenset(lists["make_up_workdays"]))
    except ValueError as exc:
        loc = _locate(str(exc), lists, where)
        raise Invalid(f"not a valid arrangement for {year}: {exc}",
                      [FieldError(loc, str(exc))], code="calendar.arrangement_invalid",
                      params={"year": year, "reason": str(exc)}) from exc


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(f"{year} is outside the calendar", [FieldError(
            "path.year", f"must be from {FIRST_YEAR} to {LAST_YEAR}")],
            code="calendar.year_out_of_range", params={"year": year})


def _parse_date(value: Any) -> date | None:
    # Only the extended form: fromisoformat alone would also take 20311001 and 2031-W40-1.
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _locate(message: str, lists: dict[str, list[date]], where: str) -> str:
    """The ``where.field.index`` of the date a ``YearArrangement`` error names."""
    found = _ISO_DATE.search(message)
    if found is None:
        return where
    day = date.fromisoformat(found.group())
    # Make-up days are checked to be weekends and not days off: those messages blame them.
    names = ["days_off", "make_up_workdays"]
    if "make-up working day" in message:
        names.reverse()
    for name in names:
        if day in lists[name]:
            return f"{where}.{name}.{lists[name].index(day)}"
    return where


def _stored_arrangement(row: repo.CalendarYearRow) -> YearArrangement:
    try:
        return YearArrangement(row.year,
                               frozenset(date.fromisoformat(d) for d in loads(row.days_off)),
                               frozenset(date.fromisoformat(d)
                                         for d in loads(row.make_up_workdays)))
    except ValueError as exc:
        raise ValueError(f"calendar_years row {row.year} is not a valid arrangement: {exc}"
                         ) from exc


def _view(year: int, arrangement: YearArrangement, official: bool, source: str,
          notice: str | None = None, loaded_at: datetime | None = None) -> dict[str, Any]:
    return {"year": year, "official": official, "source": source, "notice": notice,
            "loaded_at": loaded_at, "days_off": sorted(arrangement.days_off),
            "make_up_workdays": sorted(arrangement.make_up_workdays)}


async def refresh_calendar(ctx: AppContext) -> None:
    """Rebuild the process's calendar from the loaded years (startup, and now and then)."""
    async with ctx.sessions() as session:
        ctx.calendar = await load_calendar(session)


async def keep_calendar_fresh(ctx: AppContext, stop: asyncio.Event,
                              every_seconds: float = 300) -> None:
    """A year loaded through another replica reaches this one within ``every_seconds``."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
        except TimeoutError:
            await refresh_calendar(ctx)
