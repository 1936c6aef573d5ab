"""Deadline notation and due moments; expected dates come from the notices and 民法典, by hand."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from govflow.calendar.due import (
    Deadline,
    Period,
    WorkingDays,
    YearlyDate,
    compute_due,
    parse_due_spec,
    validate_due_spec,
)
from govflow.calendar.workdays import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def _due(
    cal: WorkingCalendar, spec: str, start: date, variables: dict[str, Any] | None = None
) -> Deadline:
    # Mid-morning in Beijing, so the start day is unambiguous.
    return compute_due(spec, datetime.combine(start, time(10), SHANGHAI), variables or {}, cal)


@pytest.mark.parametrize(
    ("spec", "start", "expected"),
    [
        # The digest's reference values around National Day 2024.
        ("5WD", date(2024, 9, 27), date(2024, 10, 10)),
        ("10WD", date(2024, 9, 27), date(2024, 10, 16)),
        ("12WD", date(2024, 9, 27), date(2024, 10, 18)),
        ("20WD", date(2024, 9, 27), date(2024, 10, 30)),
        # 2026 National Day: Oct 10 (Sat) is worked.
        ("10WD", date(2026, 9, 28), date(2026, 10, 16)),
        # 2026 Spring Festival: Feb 14 (Sat) worked, Feb 15-23 off.
        ("5WD", date(2026, 2, 12), date(2026, 2, 26)),
    ],
)
def test_working_days(cal: WorkingCalendar, spec: str, start: date, expected: date) -> None:
    due = _due(cal, spec, start)
    assert (due.day, due.estimated) == (expected, False)


@pytest.mark.parametrize(
    ("spec", "start", "expected"),
    [
        # 民法典 第二百零二条: no Feb 31 -> the month's last day (a working Thursday).
        ("P1M", date(2024, 1, 31), date(2024, 2, 29)),
        ("P1M", date(2024, 3, 15), date(2024, 4, 15)),
        # Shizuishan O&M filing for 2024: Jan 31, 2025 is inside 春节 (Jan 28 - Feb 4).
        ("P1M", date(2024, 12, 31), date(2025, 2, 5)),
        # Ends on 国庆 2026 (Oct 1-7 off) -> Oct 8.
        ("P1M", date(2026, 9, 1), date(2026, 10, 8)),
        # Ends on a Saturday -> Monday (weekends are rest days too).
        ("P1M", date(2024, 5, 15), date(2024, 6, 17)),
        # Ends on a make-up Saturday (2024-10-12 worked) -> stays.
        ("P1M", date(2024, 9, 12), date(2024, 10, 12)),
        # Gaoqing half a year: Aug 31 + 6 months has no Feb 31 -> Feb 28, a Friday.
        ("P6M", date(2024, 8, 31), date(2025, 2, 28)),
        ("P6M", date(2023, 8, 31), date(2024, 2, 29)),
        # 3 years to 2026-02-28, a make-up Saturday of 春节 2026 -> stays.
        ("P3Y", date(2023, 2, 28), date(2026, 2, 28)),
        ("P1Y6M", date(2024, 1, 31), date(2025, 7, 31)),
        # Days: the start day is not counted. Sep 9 2024 + 20 = Sep 29, a worked Sunday.
        ("P20D", date(2024, 9, 9), date(2024, 9, 29)),
        # Sep 10 2024 + 20 = Sep 30, a Monday before National Day.
        ("P20D", date(2024, 9, 10), date(2024, 9, 30)),
        # Feb 1 2024 + 14 = Feb 15, inside 春节 (Feb 10-17) -> Feb 18, a worked Sunday.
        ("P2W", date(2024, 2, 1), date(2024, 2, 18)),
    ],
)
def test_calendar_periods(cal: WorkingCalendar, spec: str, start: date, expected: date) -> None:
    due = _due(cal, spec, start)
    assert (due.day, due.estimated) == (expected, False)


@pytest.mark.parametrize(
    ("spec", "start", "expected"),
    [
        ("--09-30", date(2024, 5, 10), date(2024, 9, 30)),
        ("--09-30", date(2024, 9, 30), date(2024, 9, 30)),  # on or after the start
        ("--09-30", date(2024, 10, 1), date(2025, 9, 30)),
        # Fixed dates do not move: 2023-09-30 was a Saturday inside 中秋/国庆 (Sep 29 - Oct 6).
        ("--09-30", date(2023, 7, 1), date(2023, 9, 30)),
        ("--10-01", date(2024, 7, 1), date(2024, 10, 1)),
        ("--12-31", date(2024, 7, 1), date(2024, 12, 31)),
    ],
)
def test_yearly_dates(cal: WorkingCalendar, spec: str, start: date, expected: date) -> None:
    due = _due(cal, spec, start)
    assert (due.day, due.estimated) == (expected, False)


@pytest.mark.parametrize(
    ("spec", "plan_year", "expected"),
    [
        ("--09-30@plan_year-1", 2026, date(2025, 9, 30)),
        ("--09-30@plan_year-1", "2026", date(2025, 9, 30)),
        ("--12-31@plan_year", 2026, date(2026, 12, 31)),
        ("--06-30@plan_year+1", 2026, date(2027, 6, 30)),
    ],
)
def test_yearly_dates_tied_to_a_variable(
    cal: WorkingCalendar, spec: str, plan_year: object, expected: date
) -> None:
    due = _due(cal, spec, date(2025, 3, 3), {"plan_year": plan_year})
    assert (due.day, due.estimated) == (expected, False)


@pytest.mark.parametrize("variables", [{}, {"plan_year": True}, {"plan_year": "next year"}])
def test_year_variable_must_be_a_year(cal: WorkingCalendar, variables: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="'plan_year'"):
        _due(cal, "--09-30@plan_year-1", date(2025, 3, 3), variables)


def test_due_moment_is_the_end_of_the_day_in_beijing(cal: WorkingCalendar) -> None:
    due = _due(cal, "5WD", date(2024, 9, 27))
    assert due.at == datetime(2024, 10, 10, 15, 59, 59, 999999, tzinfo=UTC)
    assert due.at.tzinfo is UTC
    assert due.at.astimezone(SHANGHAI).date() == date(2024, 10, 10)
    assert (due.at + timedelta(microseconds=1)).astimezone(SHANGHAI) == datetime(
        2024, 10, 11, tzinfo=SHANGHAI
    )


def test_start_day_is_taken_in_beijing(cal: WorkingCalendar) -> None:
    # 2024-09-26 20:00 UTC is already 2024-09-27 04:00 in Beijing.
    start = datetime(2024, 9, 26, 20, tzinfo=UTC)
    assert compute_due("5WD", start, {}, cal).day == date(2024, 10, 10)


def test_naive_start_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_due("5WD", datetime(2024, 9, 27, 10), {}, cal)


def test_unknown_years_are_estimated(cal: WorkingCalendar) -> None:
    assert _due(cal, "10WD", date(2099, 3, 2)).estimated
    assert _due(cal, "P3Y", date(2090, 3, 2)).estimated
    # A fixed date does not depend on any holiday arrangement.
    assert not _due(cal, "--09-30", date(2099, 3, 2)).estimated


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("10WD", WorkingDays(10)),
        (" 5wd ", WorkingDays(5)),
        ("P1M", Period(months=1, days=0)),
        ("P3Y", Period(months=36, days=0)),
        ("P1Y6M", Period(months=18, days=0)),
        ("P20D", Period(months=0, days=20)),
        ("P2W", Period(months=0, days=14)),
        ("--09-30", YearlyDate(9, 30)),
        ("--09-30@plan_year-1", YearlyDate(9, 30, "plan_year", -1)),
        ("--12-31@plan_year", YearlyDate(12, 31, "plan_year", 0)),
    ],
)
def test_parse(spec: str, parsed: object) -> None:
    assert parse_due_spec(spec) == parsed
    validate_due_spec(spec)  # accepted: no exception


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "10",
        "10 days",
        "10个工作日",
        "0WD",
        "WD",
        "P",
        "P0D",
        "PT4H",
        "P1DT2H",
        "P1M2Y",
        "P1W2D",
        "1M",
        "09-30",
        "--9-30",
        "--13-01",
        "--02-30",
        "--02-29",
        "--09-30@",
        "--09-30@plan year",
        "--09-30@plan_year*2",
        "2025-09-30",
        "${dueDate}",
    ],
)
def test_invalid_notation_quotes_it_and_lists_the_forms(spec: str) -> None:
    with pytest.raises(ValueError, match="Accepted forms") as excinfo:
        validate_due_spec(spec)
    message = str(excinfo.value)
    assert repr(spec) in message
    for form in ("10WD", "P1M", "--09-30", "--09-30@plan_year-1"):
        assert f'"{form}"' in message


def test_a_period_counted_from_a_yearly_date_moves_off_the_spring_festival() -> None:
    """石嘴山 第十八条: O&M funds filed within a month after the budget year ends; the digest's
    example: budget year 2024, due 2025-01-31 inside Spring Festival -> 2025-02-05."""
    from datetime import UTC, datetime

    from govflow.calendar.due import compute_due
    from govflow.calendar.workdays import WorkingCalendar

    due = compute_due("--12-31@plan_year+P1M", datetime(2024, 6, 1, tzinfo=UTC),
                      {"plan_year": 2024}, WorkingCalendar())
    assert due.day.isoformat() == "2025-02-05"
    weekend = compute_due("--12-31@plan_year+P1M", datetime(2025, 6, 1, tzinfo=UTC),
                          {"plan_year": 2025}, WorkingCalendar())
    assert weekend.day.isoformat() == "2026-02-02"  # 2026-01-31 is a Saturday


def test_only_a_period_may_follow_a_yearly_date() -> None:
    import pytest
    from govflow.calendar.due import validate_due_spec

    for spec in ("--12-31@plan_year+P", "--12-31+10WD"):
        with pytest.raises(ValueError, match="Accepted forms"):
            validate_due_spec(spec)


def test_deadlines_count_from_a_date_variable() -> None:
    from datetime import UTC, datetime

    import pytest
    from govflow.calendar.due import compute_due, validate_due_spec
    from govflow.calendar.workdays import WorkingCalendar

    calendar = WorkingCalendar()
    created = datetime(2026, 10, 20, 2, tzinfo=UTC)  # the task itself starts later
    # 招远 第二十一条: 5 working days from signing on 2026-09-28 -> Oct 10 (make-up Saturday).
    signed = compute_due("5WD@contract_signed_on", created,
                         {"contract_signed_on": "2026-09-28"}, calendar)
    assert signed.day.isoformat() == "2026-10-10"
    # 高青 三(四)1: half a year from completion on 2026-01-05 -> 2026-07-06 (07-05 is a Sunday).
    half_year = compute_due("P6M@completed_on", created, {"completed_on": "2026-01-05"},
                            calendar)
    assert half_year.day.isoformat() == "2026-07-06"
    # A deadline someone set is used as it is, even on a holiday.
    fixed = compute_due("@rectification_due", created, {"rectification_due": "2026-10-03"},
                        calendar)
    assert fixed.day.isoformat() == "2026-10-03"
    with pytest.raises(ValueError, match="contract_signed_on"):
        compute_due("5WD@contract_signed_on", created, {}, calendar)
    for spec in ("5WD@", "@9x", "--09-30@plan_year@x", "@x+P1M"):
        with pytest.raises(ValueError, match="Accepted forms"):
            validate_due_spec(spec)
