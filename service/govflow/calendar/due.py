"""Deadline notation of a BPMN ``camunda:dueDate`` attribute, and the due moment it gives.

Grammar (surrounding blanks ignored; letters in ``WD`` and durations in any case)::

    10WD                  the 10th working day after the start day (工作日, n >= 1)
    P20D P2W P1M P6M P3Y  a calendar period: ISO 8601 days, weeks, months, years;
    P1Y6M P1M10D          Y, M, D may combine (in this order), W stands alone
    --09-30               every year on 30 September: the first one on or after the start day
    --09-30@plan_year-1   30 September of (process variable plan_year - 1); the offset
                          "+N" / "-N" is optional: --12-31@plan_year
    --12-31@plan_year+P1M a period counted from a yearly date: one month after the end of
                          the plan year, moved off a rest day like any period
    5WD@contract_signed_on
    P6M@completed_on      counted from the date in a process variable (a form's date field)
                          instead of from the moment the task or timer starts
    @rectification_due    the date in a process variable itself (a deadline someone set)

Counting follows 民法典 第二百零一至二百零三条. The start day is the start's date in
Asia/Shanghai and is never counted. A period of months or years ends on the corresponding
day of the last month, or on that month's last day where it has none (2024-01-31 + P1M ->
2024-02-29). If the period's last day is not a working day it ends on the next working
day: weekends count as 法定休假日 here, as in practice (the repealed 最高法《民通意见》第198条
read 星期日或者其他法定休假日, 有变通的以实际休假日的次日), and a make-up working weekend
(调休上班) is a working day, so a period never ends inside a holiday or on a rest day. Working-day
deadlines end on a working day by construction. Fixed yearly dates never move: they are
dates, not periods.

The due moment is the last instant of the due day, 23:59:59.999999 Asia/Shanghai (第二百零三条:
the last day ends at 24:00), returned in UTC. A deadline is overdue when now > ``at``.
"""

import re
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from govflow.calendar.workdays import DueDate, OutOfCalendar, WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

ACCEPTED_FORMS = (
    '"10WD" (10 working days after the start), '
    '"P20D", "P2W", "P1M", "P6M", "P3Y", "P1Y6M" (a calendar period: days D, weeks W, '
    "months M, years Y), "
    '"--09-30" (every year on 30 September: the next one on or after the start), '
    '"--09-30@plan_year-1" (30 September of the year in process variable plan_year, minus 1), '
    '"--12-31@plan_year+P1M" (a period counted from such a date), '
    '"5WD@contract_signed_on" or "P6M@completed_on" (counted from the date in a variable), '
    '"@rectification_due" (the date in a variable)'
)
_VARIABLE = re.compile(r"[A-Za-z_]\w*")

_WORKING = re.compile(r"(?P<n>\d{1,4})WD", re.IGNORECASE)
_PERIOD = re.compile(
    r"P(?:(?P<w>\d{1,4})W|(?:(?P<y>\d{1,3})Y)?(?:(?P<m>\d{1,4})M)?"
    r"(?:(?P<d>\d{1,5})D)?)",
    re.IGNORECASE,
)
_YEARLY = re.compile(
    r"--(?P<month>\d\d)-(?P<day>\d\d)"
    r"(?:@(?P<var>[A-Za-z_]\w*)(?:(?P<sign>[+-])(?P<offset>\d{1,3}))?)?"
    r"(?:\+(?P<period>P\w+))?"
)


@dataclass(frozen=True)
class WorkingDays:
    """``nWD``: the n-th working day after the start day."""

    n: int


@dataclass(frozen=True)
class Period:
    """A calendar period: whole months (years are 12 months), then days."""

    months: int
    days: int


@dataclass(frozen=True)
class YearlyDate:
    """A fixed month-day: the next one, or the one in the year named by a variable."""

    month: int
    day: int
    variable: str | None = None
    offset: int = 0
    then: Period | None = None  # "+P1M": a period counted from the date


@dataclass(frozen=True)
class FromVariable:
    """Counted from the date a process variable holds; ``counted`` None: that date itself."""

    counted: "WorkingDays | Period | None"
    variable: str


DueSpec = WorkingDays | Period | YearlyDate | FromVariable


@dataclass(frozen=True)
class Deadline:
    """When a task is due: ``at`` (aware, UTC), its local ``day`` and whether it is estimated."""

    at: datetime
    day: date
    estimated: bool


def _invalid(spec: str, reason: str = "") -> ValueError:
    why = f" ({reason})" if reason else ""
    return ValueError(f"Invalid deadline {spec!r}{why}. Accepted forms: {ACCEPTED_FORMS}.")


def parse_due_spec(spec: str) -> DueSpec:
    """Parse deadline notation; ``ValueError`` quoting it and the accepted forms if invalid."""
    text = spec.strip() if isinstance(spec, str) else ""
    if "@" in text and not text.startswith("--"):
        head, variable = text.split("@", 1)
        if not _VARIABLE.fullmatch(variable):
            raise _invalid(spec, f"'{variable}' is not a variable name")
        counted = parse_due_spec(head) if head else None
        if isinstance(counted, YearlyDate | FromVariable):
            raise _invalid(spec, "only working days or a period can count from a variable")
        return FromVariable(counted, variable)
    if text.upper().startswith("P") and "T" in text.upper():
        raise _invalid(spec, "hours and minutes are not supported: deadlines are whole days")
    if m := _WORKING.fullmatch(text):
        if int(m["n"]) < 1:
            raise _invalid(spec, "the number of working days must be at least 1")
        return WorkingDays(int(m["n"]))
    if (m := _PERIOD.fullmatch(text)) and any(m.group(u) for u in "wymd"):
        weeks, years, months, days = (int(m.group(u) or 0) for u in "wymd")
        if not (weeks or years or months or days):
            raise _invalid(spec, "the period must be longer than zero")
        return Period(months=12 * years + months, days=7 * weeks + days)
    if m := _YEARLY.fullmatch(text):
        month, day = int(m["month"]), int(m["day"])
        # Feb 29 would silently skip three years out of four; ask for an explicit day instead.
        if not 1 <= month <= 12 or not 1 <= day <= monthrange(2023, month)[1]:
            raise _invalid(spec, f"{m['month']}-{m['day']} is not a day of every year")
        offset = int(m["offset"] or 0) * (-1 if m["sign"] == "-" else 1)
        then = parse_due_spec(m["period"]) if m["period"] else None  # P...: always a Period
        return YearlyDate(month, day, m["var"], offset, then)  # type: ignore[arg-type]
    raise _invalid(spec)


def validate_due_spec(spec: str) -> None:
    """Check deadline notation at upload time, without computing anything."""
    parse_due_spec(spec)


def compute_due(
    spec: str, start: datetime, variables: Mapping[str, Any], calendar: WorkingCalendar
) -> Deadline:
    """The deadline ``spec`` sets for a clock started at ``start`` (an aware datetime).

    Every failure is a ``ValueError``; ``OutOfCalendar`` when the answer (or the start day
    in Beijing) lies beyond the dates Python can hold, 0001-01-01 to 9999-12-31.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"start must be timezone-aware, got {start.isoformat()}")
    parsed = parse_due_spec(spec)
    try:
        return _compute(spec, parsed, start, variables, calendar)
    except OverflowError as exc:
        raise OutOfCalendar(f"Deadline {spec!r} from {start.isoformat()} falls outside the "
                            "dates the calendar holds (0001-01-01 to 9999-12-31)") from exc


def _compute(spec: str, parsed: DueSpec, start: datetime, variables: Mapping[str, Any],
             calendar: WorkingCalendar) -> Deadline:
    start_day = start.astimezone(SHANGHAI).date()
    if isinstance(parsed, FromVariable):
        start_day = _date_variable(spec, parsed.variable, variables)
        if parsed.counted is None:  # a date someone set: it does not move
            return _deadline(DueDate(start_day, estimated=False))
        parsed = parsed.counted
    match parsed:
        case WorkingDays(n):
            due = calendar.working_days_after(start_day, n)
        case Period(months, days):
            last = _add_months(start_day, months) + timedelta(days=days)
            due = calendar.next_working_day_from(last)
        case YearlyDate(then=None):
            # A fixed date does not depend on holidays, so it is never an estimate.
            due = DueDate(_yearly_day(spec, parsed, start_day, variables), estimated=False)
        case YearlyDate(then=Period(months, days)):
            base = _yearly_day(spec, parsed, start_day, variables)
            due = calendar.next_working_day_from(_add_months(base, months) + timedelta(days=days))
    return _deadline(due)


def _deadline(due: DueDate) -> Deadline:
    at = datetime.combine(due.day, time.max, tzinfo=SHANGHAI).astimezone(UTC)
    return Deadline(at=at, day=due.day, estimated=due.estimated)


def _date_variable(spec: str, name: str, variables: Mapping[str, Any]) -> date:
    """A form's date field ("2026-03-02"), or a datetime (its day in Asia/Shanghai)."""
    value = variables.get(name)
    try:
        if isinstance(value, datetime):
            return value.astimezone(SHANGHAI).date() if value.tzinfo else value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip())
            return parsed.astimezone(SHANGHAI).date() if parsed.tzinfo else parsed.date()
    except ValueError:
        pass
    raise ValueError(f"Deadline {spec!r} needs process variable {name!r} to be a date such "
                     f"as 2026-03-02; it is {value!r}")


def _add_months(d: date, months: int) -> date:
    # 民法典 第二百零二条: the corresponding day of the last month, else that month's last day.
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OutOfCalendar(f"{d.isoformat()} plus {months} months is after 9999-12-31, the "
                            "last day a date can hold")
    return date(year, month + 1, min(d.day, monthrange(year, month + 1)[1]))


def _yearly_day(spec: str, y: YearlyDate, start_day: date, variables: Mapping[str, Any]) -> date:
    if y.variable is None:
        this_year = date(start_day.year, y.month, y.day)
        if this_year >= start_day:
            return this_year
        if start_day.year == 9999:
            raise OutOfCalendar(f"the next {y.month:02}-{y.day:02} after {start_day} is after "
                                "9999-12-31, the last day a date can hold")
        return date(start_day.year + 1, y.month, y.day)
    value = variables.get(y.variable)
    base = _as_year(value)
    if base is None:
        raise ValueError(
            f"Deadline {spec!r} needs process variable {y.variable!r} to be a "
            f"year such as 2025; it is {value!r}"
        )
    year = base + y.offset
    if not 1 <= year <= 9999:
        raise ValueError(f"Deadline {spec!r} gives year {year}, from {y.variable}={value}")
    return date(year, y.month, y.day)


def _as_year(value: Any) -> int | None:
    # Form fields often arrive as strings. bool is an int subclass, but True is no year.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None
