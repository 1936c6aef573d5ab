"""Matching a value against a parsed input entry (dmn_feel's AST), with FEEL's equality
and ordering: values that cannot be compared make a test false, as FEEL's null does."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from .dmn_feel import Compare, Endpoint, InputTest, Literal, Test, UnaryTests


def matches(tests: UnaryTests, value: Any, evaluate: Callable[[str, Any], Any]) -> bool:
    """Whether ``value`` passes the entry. ``evaluate(source, value)`` runs a Python part in
    the sandbox, with ``dmn_input`` bound to ``value``."""
    if not tests.tests:
        return True
    hit = any(_passes(test, value, evaluate) for test in tests.tests)
    return hit != tests.negated


def _passes(test: Test, value: Any, evaluate: Callable[[str, Any], Any]) -> bool:
    if isinstance(test, InputTest):
        return evaluate(test.source, value) is True
    if isinstance(test, Compare):
        other = _value(test.endpoint, value, evaluate)
        if test.op == "=":
            return equal(value, other)
        if test.op == "!=":
            return not equal(value, other)
        order = compare(value, other)
        return order is not None and {"<": order < 0, "<=": order <= 0, ">": order > 0,
                                      ">=": order >= 0}[test.op]
    low = compare(value, _value(test.low, value, evaluate))
    high = compare(value, _value(test.high, value, evaluate))
    if low is None or high is None:
        return False
    return (low >= 0 if test.low_closed else low > 0) and \
        (high <= 0 if test.high_closed else high < 0)


def _value(endpoint: Endpoint, value: Any, evaluate: Callable[[str, Any], Any]) -> Any:
    return endpoint.value if isinstance(endpoint, Literal) else evaluate(endpoint.source, value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _same_kind(a: Any, b: Any) -> tuple[Any, Any] | None:
    if _number(a) and _number(b):
        return a, b
    if isinstance(a, bool) and isinstance(b, bool):
        return a, b
    if isinstance(a, date) or isinstance(b, date):
        da, db = _as_date(a), _as_date(b)
        return (da, db) if da is not None and db is not None else None
    if type(a) is type(b):
        return a, b
    return None


def equal(a: Any, b: Any) -> bool:
    """FEEL equality: null equals only null, a number never equals a boolean or a string."""
    if a is None or b is None:
        return a is None and b is None
    pair = _same_kind(a, b)
    return pair is not None and bool(pair[0] == pair[1])


def compare(a: Any, b: Any) -> int | None:
    """-1, 0, 1, or None when the two cannot be ordered (FEEL's null: the test fails)."""
    if a is None or b is None:
        return None
    pair = _same_kind(a, b)
    if pair is None or isinstance(pair[0], bool) or \
            not isinstance(pair[0], int | float | str | date):
        return None
    x, y = pair
    return -1 if x < y else (1 if x > y else 0)
