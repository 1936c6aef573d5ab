"""Every deadline a diagram may write: legal-day notation or exact ISO 8601 time.

``camunda:dueDate``, ``timeDuration`` and ``timeDate`` take either GovFlow's legal-day
notation (calendar/due.py: ``10WD``, ``P3M``, ``--07-01@plan_year-1``), counted on the
working-day calendar to the end of a day, or exact ISO 8601 time (engine/iso_timers.py:
``PT2H``, ``P1DT12H``, ``2026-12-01T09:00:00+08:00``), which no calendar moves.
"""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..engine.iso_timers import EXACT_FORMS, exact_timer
from .due import ACCEPTED_FORMS, compute_due, validate_due_spec
from .workdays import WorkingCalendar

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Shaped like an ISO duration with a time part, or like a date-time: meant as exact time.
_LOOKS_EXACT = re.compile(r"\s*(P[\dA-Z]*T[\dA-Z.,]*|\d{4}-\d\d-\d\dT[^@]*)\s*", re.IGNORECASE)


def resolve_deadline(spec: str, start: datetime, variables: Mapping[str, Any],
                     calendar: WorkingCalendar) -> tuple[datetime, bool]:
    """The due moment (UTC) of ``spec`` started at ``start``, and whether it is estimated."""
    at = exact_timer(spec, start)
    if at is not None:
        return at, False
    due = compute_due(spec, start, variables, calendar)
    return due.at, due.estimated


def validate_deadline(spec: str) -> None:
    """Check a deadline at upload time; ``ValueError`` quoting it and the accepted forms."""
    text = spec.strip() if isinstance(spec, str) else ""
    try:
        if exact_timer(text, _EPOCH) is not None:
            return
    except ValueError as exc:
        raise ValueError(f"Invalid timer {spec!r}: {exc}") from None
    if _LOOKS_EXACT.fullmatch(text):
        raise ValueError(f"Invalid duration or date-time {spec!r}. Exact time: {EXACT_FORMS}; "
                         f"legal days: {ACCEPTED_FORMS}.")
    try:
        validate_due_spec(text)
    except ValueError as exc:
        raise ValueError(f"{exc} Exact time: {EXACT_FORMS}.") from None
