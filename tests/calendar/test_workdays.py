"""Working days against the State Council's holiday notices (国务院办公厅关于…部分节假日安排的通知).

Expected values are transcribed from the notices for 2024 (国办发明电〔2023〕7号),
2025 (国办发明电〔2024〕12号) and 2026 (国办发明电〔2025〕7号), never computed by the code.
"""

from datetime import date, timedelta
from itertools import count

import pytest
from govflow.calendar.workdays import DueDate, WorkingCalendar, YearArrangement


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(n) for n in range((last - first).days + 1)}


def _d(year: int, *month_days: tuple[int, int]) -> set[date]:
    return {date(year, m, d) for m, d in month_days}


# Each notice as printed: the blocks of days off (放假调休) and the weekends worked (上班).
NOTICES: dict[int, tuple[set[date], set[date]]] = {
    2024: (
        _days(date(2023, 12, 30), date(2024, 1, 1))  # 元旦, with the weekend
        | _days(date(2024, 2, 10), date(2024, 2, 17))  # 春节 8 days
        | _days(date(2024, 4, 4), date(2024, 4, 6))  # 清明
        | _days(date(2024, 5, 1), date(2024, 5, 5))  # 劳动节
        | _days(date(2024, 6, 8), date(2024, 6, 10))  # 端午, with the weekend
        | _days(date(2024, 9, 15), date(2024, 9, 17))  # 中秋
        | _days(date(2024, 10, 1), date(2024, 10, 7)),  # 国庆
        _d(2024, (2, 4), (2, 18), (4, 7), (4, 28), (5, 11), (9, 14), (9, 29), (10, 12)),
    ),
    2025: (
        {date(2025, 1, 1)}  # 元旦, 1 day, no make-up
        | _days(date(2025, 1, 28), date(2025, 2, 4))  # 春节 8 days, from 除夕
        | _days(date(2025, 4, 4), date(2025, 4, 6))  # 清明
        | _days(date(2025, 5, 1), date(2025, 5, 5))  # 劳动节
        | _days(date(2025, 5, 31), date(2025, 6, 2))  # 端午
        | _days(date(2025, 10, 1), date(2025, 10, 8)),  # 国庆 + 中秋 8 days
        _d(2025, (1, 26), (2, 8), (4, 27), (9, 28), (10, 11)),
    ),
    2026: (
        _days(date(2026, 1, 1), date(2026, 1, 3))  # 元旦
        | _days(date(2026, 2, 15), date(2026, 2, 23))  # 春节 9 days
        | _days(date(2026, 4, 4), date(2026, 4, 6))  # 清明
        | _days(date(2026, 5, 1), date(2026, 5, 5))  # 劳动节
        | _days(date(2026, 6, 19), date(2026, 6, 21))  # 端午
        | _days(date(2026, 9, 25), date(2026, 9, 27))  # 中秋
        | _days(date(2026, 10, 1), date(2026, 10, 7)),  # 国庆
        _d(2026, (1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)),
    ),
}


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_every_day_of_the_year_matches_the_notice(cal: WorkingCalendar, year: int) -> None:
    days_off, worked_weekends = NOTICES[year]
    for d in _days(date(year, 1, 1), date(year, 12, 31)):
        expected = d in worked_weekends or (d.weekday() < 5 and d not in days_off)
        assert cal.is_working_day(d) is expected, d


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_arrangement_lists_the_notice(cal: WorkingCalendar, year: int) -> None:
    days_off, worked_weekends = NOTICES[year]
    arrangement = cal.arrangement(year)
    assert arrangement.make_up_workdays == worked_weekends
    weekday_off = {d for d in arrangement.days_off if d.weekday() < 5}
    assert weekday_off == {d for d in days_off if d.weekday() < 5 and d.year == year}
    assert cal.known_year(year)


def test_spring_festival_eve_2024_was_a_working_day(cal: WorkingCalendar) -> None:
    # 2024: 除夕 (Feb 9) was only "encouraged" off; it became statutory from 2025.
    assert cal.is_working_day(date(2024, 2, 9))
    assert not cal.is_working_day(date(2025, 1, 28))


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, date(2024, 9, 29)),
        (5, date(2024, 10, 10)),
        (10, date(2024, 10, 16)),
        (12, date(2024, 10, 18)),
        (20, date(2024, 10, 30)),
    ],
)
def test_reference_values_around_national_day_2024(
    cal: WorkingCalendar, n: int, expected: date
) -> None:
    # From the regulations digest: Sep 29 (Sun) and Oct 12 (Sat) are worked, Oct 1-7 off.
    assert cal.working_days_after(date(2024, 9, 27), n) == DueDate(expected, estimated=False)
    assert cal.add_working_days(date(2024, 9, 27), n) == expected


def test_ten_working_days_from_2026_09_28(cal: WorkingCalendar) -> None:
    # By hand: Sep 29, 30 | Oct 1-7 off | Oct 8, 9, 10 (Sat, worked) | Oct 12, 13, 14, 15, 16.
    worked = [
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
        date(2026, 10, 13),
        date(2026, 10, 14),
        date(2026, 10, 15),
        date(2026, 10, 16),
    ]
    start = date(2026, 9, 28)
    assert [cal.add_working_days(start, n) for n in range(1, 11)] == worked


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 2026 春节: Feb 14 (Sat) worked, Feb 15-23 off, Feb 28 (Sat) worked.
        (date(2026, 2, 12), 1, date(2026, 2, 13)),
        (date(2026, 2, 12), 2, date(2026, 2, 14)),
        (date(2026, 2, 12), 3, date(2026, 2, 24)),
        (date(2026, 2, 12), 5, date(2026, 2, 26)),
        (date(2026, 2, 13), 6, date(2026, 2, 28)),
        (date(2026, 2, 13), 10, date(2026, 3, 5)),
        (date(2026, 2, 16), 1, date(2026, 2, 24)),  # started on a holiday
        # heyuan fund review, 12 WD, submitted the Friday before 春节
        (date(2026, 2, 13), 12, date(2026, 3, 9)),
        # 2025 春节: Jan 26 (Sun) worked, Jan 28 - Feb 4 off, Feb 8 (Sat) worked.
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        (date(2025, 1, 24), 3, date(2025, 2, 5)),
        (date(2025, 1, 24), 6, date(2025, 2, 8)),
        # 2026 元旦: Jan 1-3 off, Jan 4 (Sun) worked; the year boundary is crossed.
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
        # an ordinary week: the start day is not counted
        (date(2024, 10, 14), 1, date(2024, 10, 15)),
        (date(2024, 10, 18), 1, date(2024, 10, 21)),
    ],
)
def test_working_days_around_holidays(
    cal: WorkingCalendar, start: date, n: int, expected: date
) -> None:
    assert cal.working_days_after(start, n) == DueDate(expected, estimated=False)


@pytest.mark.parametrize("n", [0, -1])
def test_count_must_be_positive(cal: WorkingCalendar, n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cal.working_days_after(date(2024, 1, 1), n)


def test_next_working_day_from(cal: WorkingCalendar) -> None:
    assert cal.next_working_day_from(date(2025, 1, 31)) == DueDate(date(2025, 2, 5), False)
    assert cal.next_working_day_from(date(2026, 2, 28)) == DueDate(date(2026, 2, 28), False)
    assert cal.next_working_day_from(date(2024, 6, 15)) == DueDate(date(2024, 6, 17), False)


def _first_unknown_year(cal: WorkingCalendar) -> int:
    # Not hard-coded: a newer holidays release will know 2027.
    return next(y for y in count(2026) if not cal.known_year(y))


def test_unknown_years_are_estimated(cal: WorkingCalendar) -> None:
    unknown = _first_unknown_year(cal)
    assert cal.known_year(2001)
    assert not cal.known_year(unknown)
    assert not cal.known_year(2099)
    # Dec 20 + 3 WD stays in the known year; + 10 WD reaches into the unknown one.
    assert not cal.working_days_after(date(unknown - 1, 12, 20), 3).estimated
    assert cal.working_days_after(date(unknown - 1, 12, 20), 10).estimated
    assert cal.next_working_day_from(date(2099, 3, 2)).estimated


def test_override_replaces_the_package_year_entirely() -> None:
    # Hypothetical correction: 2026 with only Dec 31 off and one make-up Saturday.
    override = YearArrangement(
        2026, frozenset({date(2026, 12, 31)}), frozenset({date(2026, 12, 26)})
    )
    cal = WorkingCalendar({2026: override})
    assert cal.arrangement(2026) is override
    assert cal.is_working_day(date(2026, 10, 1))  # the package's 国庆 is gone
    assert not cal.is_working_day(date(2026, 10, 10))  # and so is its make-up Saturday
    assert not cal.is_working_day(date(2026, 12, 31))
    assert cal.is_working_day(date(2026, 12, 26))
    assert not cal.is_working_day(date(2025, 10, 1))  # other years keep the package


def test_override_makes_a_year_known() -> None:
    unknown = _first_unknown_year(WorkingCalendar())
    new_year = date(unknown, 1, 1)
    cal = WorkingCalendar({unknown: YearArrangement(unknown, frozenset({new_year}), frozenset())})
    assert cal.known_year(unknown)
    due = cal.working_days_after(date(unknown, 1, 5), 3)
    assert not due.estimated


@pytest.mark.parametrize(
    ("days_off", "make_up", "message"),
    [
        ({date(2026, 12, 31)}, {date(2027, 1, 2)}, "2027-01-02 is not in 2026"),
        ({date(2025, 12, 31)}, set(), "2025-12-31 is not in 2026"),
        (set(), {date(2026, 10, 9)}, "2026-10-09 is a Friday"),
        ({date(2026, 10, 10)}, {date(2026, 10, 10)}, "2026-10-10 is both"),
    ],
)
def test_arrangement_validation_names_the_bad_date(
    days_off: set[date], make_up: set[date], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        YearArrangement(2026, frozenset(days_off), frozenset(make_up))


def test_weekend_day_off_is_allowed() -> None:
    arrangement = YearArrangement(2026, frozenset({date(2026, 10, 3)}), frozenset())
    assert date(2026, 10, 3) in arrangement.days_off


def test_override_key_must_match_its_year() -> None:
    with pytest.raises(ValueError, match="keyed 2027"):
        WorkingCalendar({2027: YearArrangement(2026, frozenset(), frozenset())})
