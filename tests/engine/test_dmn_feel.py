"""DMN input entries (FEEL simple unary tests): what each form matches at its boundaries,
and what is refused when the set is uploaded."""

from datetime import date

import pytest
from govflow.engine.dmn_eval import _ENVIRONMENT
from govflow.engine.dmn_feel import (
    INPUT_NAME,
    Compare,
    Expr,
    Interval,
    Literal,
    UnaryTestError,
    parse_output_values,
    parse_unary_tests,
)
from govflow.engine.dmn_match import matches


def _hit(entry: str, value, **variables) -> bool:
    def run(source, input_value):
        return _ENVIRONMENT.evaluate(source, {INPUT_NAME: input_value}, variables)

    return matches(parse_unary_tests(entry), value, run)


@pytest.mark.parametrize(("entry", "value", "expected"), [
    ("-", 5, True), ("", None, True), ("-", "x", True),
    # closed range: both ends included
    ("[1..10]", 1, True), ("[1..10]", 10, True), ("[1..10]", 5.5, True),
    ("[1..10]", 0.999, False), ("[1..10]", 10.001, False),
    # open ranges: ends excluded, either bracket style
    ("]1..10[", 1, False), ("]1..10[", 10, False), ("]1..10[", 2, True),
    ("(1..10)", 1, False), ("(1..10)", 10, False), ("(1..10)", 9.99, True),
    ("[1..10[", 1, True), ("[1..10[", 10, False), ("]1..10]", 1, False), ("]1..10]", 10, True),
    ("[-10..-1]", -5, True), ("[-10..-1]", 0, False),
    ('["a".."c"]', "b", True), ('["a".."c"]', "d", False),
    # comparisons
    ("< 10", 9, True), ("< 10", 10, False), ("<= 10", 10, True), ("> 10", 10, False),
    (">= 10", 10, True), (">=10", 11, True), ("<-1", -2, True),
    ("== 0", 0, True), ("!= 0", 0, False), ("= 3", 3, True),
    # literals
    ("5", 5, True), ("5", 5.0, True), ("5", "5", False), ("1.5", 1.5, True),
    ('"a"', "a", True), ('"a"', "b", False), ('"say \\"hi\\""', 'say "hi"', True),
    ("true", True, True), ("true", 1, False), ("false", False, True), ("True", True, True),
    ("1", True, False), ("null", None, True), ("null", 0, False),
    # lists: one of them
    ('"a","b"', "a", True), ('"a","b"', "b", True), ('"a","b"', "c", False),
    ("1,2", 2, True), ("1, 2", 3, False), ("1, [5..8], > 100", 6, True),
    ("1, [5..8], > 100", 101, True), ("1, [5..8], > 100", 9, False),
    ('"a,b"', "a,b", True), ('"a,b"', "a", False),
    # not(...)
    ('not("x")', "y", True), ('not("x")', "x", False), ('not("a","b")', "c", True),
    ('not("a","b")', "b", False), ("not([1..10])", 0, True), ("not([1..10])", 1, False),
    ("not(< 5)", 5, True), ("not(null)", 1, True),
    # dates
    ('date("2026-01-01")', "2026-01-01", True), ('>= date("2026-01-01")', "2026-03-02", True),
    ('< date("2026-01-01")', "2026-03-02", False),
    ('[date("2026-01-01")..date("2026-12-31")]', "2026-12-31", True),
    ('[date("2026-01-01")..date("2026-12-31")]', date(2027, 1, 1), False),
    # values that cannot be compared do not match (FEEL's null), they do not fail
    ("< 10", "abc", False), ("< 10", None, False), ("[1..10]", None, False),
    ('< date("2026-01-01")', "not a date", False), ("> 1", True, False),
])
def test_an_entry_matches_what_feel_says(entry, value, expected):
    assert _hit(entry, value) is expected


@pytest.mark.parametrize(("entry", "value", "variables", "expected"), [
    ("<= limit", 10, {"limit": 10}, True), ("< limit", 10, {"limit": 10}, False),
    ("[low..high]", 5, {"low": 1, "high": 5}, True), ("]low..high[", 5, {"low": 1, "high": 5},
                                                     False),
    ("> contract_amount * 0.1", 11, {"contract_amount": 100}, True),
    ("1500 <= ? < 5000", 1500, {}, True), ("1500 <= ? < 5000", 5000, {}, False),
    ("round(?, 6) <= round(c * 0.1, 6)", 10, {"c": 100}, True),
    ("kind", "a", {"kind": "a"}, True), ('"what?"', "what?", {}, True),
    ("? in ('a?', \"b?\")", "a?", {}, True), ("? in ('a?', \"b?\")", "a", {}, False),
])
def test_python_parts_run_in_the_sandbox_against_the_variables(entry, value, variables,
                                                                expected):
    assert _hit(entry, value, **variables) is expected


def test_the_ast_is_plain_data():
    assert parse_unary_tests("[1..10[").tests == (Interval(Literal(1), Literal(10), True, False),)
    assert parse_unary_tests('"a", "b"').tests == (Compare("=", Literal("a")),
                                                   Compare("=", Literal("b")))
    negated = parse_unary_tests('not("x")')
    assert negated.negated
    assert negated.tests == (Compare("=", Literal("x")),)
    assert parse_unary_tests("< limit").tests == (Compare("<", Expr("limit")),)


@pytest.mark.parametrize(("entry", "words"), [
    ("[1..", "not a range"), ("[1..10", "not a range"), ("1..10", "not a range"),
    ("[1...10]", "not a range"), ("[1..10]]", "not a range"), ("not()", "needs the tests"), ("not(-)", "needs the tests"),
    ('"a",', "empty test"), (",1", "empty test"), ("<", "needs a value"),
    ('not("a"), "b"', "whole entry"), ("__import__('os')", "neither"),
    ("x.__class__", "neither"), ("1 +", "neither"), ('date("2026-13-01")', "not a valid date"),
    ("? > _secret", "neither"), ("1" * 5000, "too long"),
])
def test_what_cannot_be_read_is_refused_with_the_reason(entry, words):
    with pytest.raises(UnaryTestError, match=words):
        parse_unary_tests(entry)


def test_output_values_are_a_list_of_literals():
    assert parse_output_values('"high","medium","low"') == ("high", "medium", "low")
    assert parse_output_values("1, 2, 3") == (1, 2, 3)
    with pytest.raises(UnaryTestError, match="list of literals"):
        parse_output_values("< 3")


def test_reading_a_hostile_entry_takes_linear_time():
    # SpiffWorkflow's regex for "?" outside quotes was quadratic in the number of "?".
    long = '? == "' + "a?" * 100_000 + '"'
    (test,) = parse_unary_tests(long).tests
    assert test.source.startswith('dmn_input == "a?a?')
