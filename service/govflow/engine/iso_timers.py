"""ISO 8601 timers as exact elapsed time: durations with a time part, date-times, cycles.

Beside GovFlow's legal-day notation (``10WD``, ``P3M``: calendar/due.py), a timer may be
written as BPMN tools write it:

    PT2H  PT10M  P1DT12H            a duration with a time part: exactly that long
                                    (P1DT12H is 36 hours; a day is 24 hours)
    2026-12-01T09:00:00+08:00       a moment; without an offset it is China Standard Time
    R3/PT1H  R/PT1H                 a cycle: every hour, 3 times / until the task ends
    R3/2026-12-01T09:00:00+08:00/PT1H  the same, the first at 09:00

A duration without a time part (``P20D``, ``P1M``) stays legal-day notation: it ends at
the end of a day and moves off rest days. In a cycle the interval is always exact
(``R/P1D``: every 24 hours); months and years are refused there, being no fixed length.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
MAX_CYCLES = 1000
MIN_CYCLE_INTERVAL = timedelta(minutes=1)
MAX_EXACT = timedelta(days=3660)  # ten years: anything longer is a typing slip

EXACT_FORMS = ('"PT2H", "PT10M", "P1DT12H" (exact elapsed time), '
               '"2026-12-01T09:00:00+08:00" (a moment; without offset China Standard Time)')
CYCLE_FORMS = ('"R3/PT1H" (3 times, every hour), "R/PT1H" (every hour until the task ends), '
               '"R3/2026-12-01T09:00:00+08:00/PT1H" (the first at that moment)')

_EXACT = re.compile(
    r"P(?:(?P<d>\d{1,5})D)?T(?=\d)(?:(?P<h>\d{1,6})H)?(?:(?P<m>\d{1,7})M)?(?:(?P<s>\d{1,9})S)?",
    re.IGNORECASE)
_INTERVAL = re.compile(
    r"P(?:(?P<w>\d{1,4})W|(?:(?P<d>\d{1,5})D)?(?:T(?=\d)(?:(?P<h>\d{1,6})H)?"
    r"(?:(?P<m>\d{1,7})M)?(?:(?P<s>\d{1,9})S)?)?)", re.IGNORECASE)
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?"
                     r"(?:Z|[+-]\d\d:\d\d)?", re.IGNORECASE)
_CYCLE = re.compile(r"R(?P<n>\d{0,4})/(?:(?P<start>[^/]+)/)?(?P<interval>[^/]+)",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Cycle:
    """``count`` None: unbounded; ``first`` None: one interval after the wait begins."""

    count: int | None
    interval: timedelta
    first: datetime | None


def _seconds(m: re.Match[str]) -> timedelta:
    g = m.groupdict()
    return timedelta(weeks=int(g.get("w") or 0), days=int(g["d"] or 0), hours=int(g["h"] or 0),
                     minutes=int(g["m"] or 0), seconds=int(g["s"] or 0))


def exact_duration(text: str) -> timedelta | None:
    """A duration with a time part as exact elapsed time; None if ``text`` is not one.
    ``ValueError`` when it is one but zero or too long."""
    m = _EXACT.fullmatch(text.strip())
    if not m:
        return None
    delta = _seconds(m)
    if delta <= timedelta(0):
        raise ValueError(f"the duration {text!r} must be longer than zero")
    if delta > MAX_EXACT:
        raise ValueError(f"the duration {text!r} is longer than ten years")
    return delta


def moment(text: str) -> datetime | None:
    """An ISO date-time in UTC (no offset: China Standard Time); None if ``text`` is not
    shaped like one, ``ValueError`` when it is but names no real moment."""
    text = text.strip()
    if not _MOMENT.fullmatch(text):
        return None
    try:
        at = datetime.fromisoformat(text.upper())
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date and time: {exc}") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=CHINA_STANDARD_TIME)
    return at.astimezone(UTC)


def exact_timer(text: str, start: datetime) -> datetime | None:
    """The due moment of an exact timer (duration or date-time) started at ``start``; None
    when ``text`` is neither (legal-day notation, say)."""
    delta = exact_duration(text)
    if delta is not None:
        return (start + delta).astimezone(UTC)
    return moment(text)


def parse_cycle(text: str) -> Cycle:
    """A repeating cycle, ``ValueError`` quoting it and the accepted forms if invalid."""
    m = _CYCLE.fullmatch(text.strip())
    if not m:
        raise _bad_cycle(text)
    count = int(m["n"]) if m["n"] else None
    if count is not None and not 1 <= count <= MAX_CYCLES:
        raise _bad_cycle(text, f"the number of repetitions must be 1 to {MAX_CYCLES}")
    first = None
    if m["start"]:
        try:
            first = moment(m["start"])
        except ValueError as exc:
            raise _bad_cycle(text, str(exc)) from None
        if first is None:
            raise _bad_cycle(text, f"{m['start']!r} is not a date-time")
    interval_m = _INTERVAL.fullmatch(m["interval"])
    if not interval_m or not any(interval_m.group(g) for g in "wdhms"):
        raise _bad_cycle(text, f"{m['interval']!r} is not an interval of weeks, days, hours, "
                               "minutes or seconds")
    interval = _seconds(interval_m)
    if interval < MIN_CYCLE_INTERVAL:
        raise _bad_cycle(text, "a cycle repeats at most once a minute")
    if interval > MAX_EXACT:
        raise _bad_cycle(text, "the interval is longer than ten years")
    return Cycle(count, interval, first)


def next_occurrence(planned: datetime, interval: timedelta, now: datetime) -> datetime:
    """The first moment of the grid ``planned + k * interval`` after ``now``: occurrences
    missed while nothing fired are skipped, not fired in a burst."""
    if planned > now:
        return planned
    missed = (now - planned) // interval
    return planned + (missed + 1) * interval


def _bad_cycle(text: str, reason: str = "") -> ValueError:
    why = f" ({reason})" if reason else ""
    return ValueError(f"Invalid timer cycle {text!r}{why}. Accepted forms: {CYCLE_FORMS}.")
