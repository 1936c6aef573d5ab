"""China's working-day calendar (工作日), after the State Council's yearly holiday notice.

A day is a working day when it is Monday–Friday and not a day off in the year's arrangement,
or when it is a make-up working weekend (调休上班). Each calendar year's arrangement comes
from an admin-loaded override if there is one, else from the ``holidays`` package.

The package holds the official notices for 2001–2026 (in 0.109; the years are read from the
package, so a newer version extends them). For any other year it still yields the statutory
days by rule, moved off weekends, but none of the bridge days or make-up weekends the notice
will add: such a year is *not known* and every answer that depends on it is flagged
``estimated``.

Arrangements are keyed by the calendar year of each date, not by the notice that set it: a
notice for year Y sometimes moves days in late December of Y-1 (the 2019 notice made
2018-12-29 a working day and 2018-12-31 a day off); such days belong to Y-1's arrangement.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from holidays.countries.china import China, ChinaStaticHolidays

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5

# The package has no "official up to" marker; the years with a substitution table are exactly
# the years whose State Council notice it transcribed (every notice since 2001 moves some day).
_PACKAGE_YEARS: frozenset[int] = frozenset(ChinaStaticHolidays.special_public_holidays)


def _is_weekend(d: date) -> bool:
    return d.weekday() >= _SATURDAY


class OutOfCalendar(ValueError):
    """A count ran past 9999-12-31 (or before 0001-01-01): no date can hold its answer."""


@dataclass(frozen=True)
class YearArrangement:
    """One calendar year's days off and make-up working days, as the State Council set them."""

    year: int
    days_off: frozenset[date]
    make_up_workdays: frozenset[date]

    def __post_init__(self) -> None:
        # Accept any iterable of dates (e.g. a list parsed from JSON) but store frozensets.
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "make_up_workdays", frozenset(self.make_up_workdays))
        for d in sorted(self.days_off | self.make_up_workdays):
            if d.year != self.year:
                raise ValueError(
                    f"{d.isoformat()} is not in {self.year}: arrangements are "
                    "per calendar year; put it in its own year's arrangement"
                )
        for d in sorted(self.make_up_workdays):
            if not _is_weekend(d):
                raise ValueError(
                    f"make-up working day {d.isoformat()} is a "
                    f"{d.strftime('%A')}, not a Saturday or Sunday"
                )
        if both := self.days_off & self.make_up_workdays:
            raise ValueError(f"{min(both).isoformat()} is both a day off and a make-up working day")


@dataclass(frozen=True)
class DueDate:
    """A computed day; ``estimated`` is true when a year it depends on has no official notice."""

    day: date
    estimated: bool


class WorkingCalendar:
    """Working days for mainland China; ``overrides`` replace the package's data per year."""

    def __init__(self, overrides: Mapping[int, YearArrangement] | None = None) -> None:
        self._overrides: dict[int, YearArrangement] = {}
        for year, arrangement in (overrides or {}).items():
            if arrangement.year != year:
                raise ValueError(
                    f"override keyed {year} holds the arrangement for {arrangement.year}"
                )
            self._overrides[year] = arrangement
        self._cache: dict[int, YearArrangement] = {}

    def known_year(self, year: int) -> bool:
        """Whether an official arrangement (package or override) is known for ``year``."""
        return year in self._overrides or year in _PACKAGE_YEARS

    def arrangement(self, year: int) -> YearArrangement:
        """The days off and make-up working days of ``year`` (an estimate if not known)."""
        if year in self._overrides:
            return self._overrides[year]
        if year not in self._cache:
            self._cache[year] = _package_arrangement(year)
        return self._cache[year]

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri that is not a day off, or a make-up working weekend."""
        arrangement = self.arrangement(d.year)
        if _is_weekend(d):
            return d in arrangement.make_up_workdays
        return d not in arrangement.days_off

    def working_days_after(self, start: date, n: int) -> DueDate:
        """The ``n``-th working day after ``start``; the start day itself is never counted."""
        if n < 1:
            raise ValueError(f"a working-day count must be at least 1, got {n}")
        d, estimated = start, False
        while n:
            d = _next_day(d)
            estimated = estimated or not self.known_year(d.year)
            if self.is_working_day(d):
                n -= 1
        return DueDate(d, estimated)

    def add_working_days(self, start: date, n: int) -> date:
        """Like ``working_days_after`` but drops the flag; use only where it cannot matter."""
        return self.working_days_after(start, n).day

    def next_working_day_from(self, d: date) -> DueDate:
        """``d`` if it is a working day, else the first working day after it."""
        estimated = not self.known_year(d.year)
        while not self.is_working_day(d):
            d = _next_day(d)
            estimated = estimated or not self.known_year(d.year)
        return DueDate(d, estimated)


def _next_day(d: date) -> date:
    if d == date.max:
        raise OutOfCalendar(f"the count runs past {date.max.isoformat()}, the last day a date "
                            "can hold")
    return d + _ONE_DAY


def _package_arrangement(year: int) -> YearArrangement:
    # Neighbouring years too: a notice may move a day into the previous year, and an observed
    # day can spill over New Year. Only this year's dates are kept.
    cn = China(years=(year - 1, year, year + 1))  # type: ignore[no-untyped-call]
    return YearArrangement(
        year=year,
        days_off=_in_year(cn.keys(), year),
        make_up_workdays=_in_year(cn.weekend_workdays, year),
    )


def _in_year(days: Iterable[date], year: int) -> frozenset[date]:
    return frozenset(d for d in days if d.year == year)
