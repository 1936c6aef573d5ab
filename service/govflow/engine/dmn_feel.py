"""DMN input entries (FEEL simple unary tests), read into a small AST at upload.

What an entry may be (docs/dmn.md has the full table):

- ``-`` or nothing: any value;
- a literal: ``12``, ``-1.5``, ``"text"``, ``true``/``false``, ``null``, ``date("2026-01-01")``;
- a comparison: ``< 10``, ``<= limit``, ``>= date("2026-01-01")`` (``==``/``!=`` too);
- a range, either end open or closed: ``[1..10]``, ``]1..10[``, ``(1..10]``;
- a list of any of these, one of which must hold: ``"a","b"``, ``1, [5..8]``;
- ``not(...)`` of any of these;
- GovFlow's Python entries, kept from the SpiffWorkflow days: an endpoint that is a Python
  expression (``> contract_amount * 0.1``), and an entry that names the input ``?``
  (``1500 <= ? < 5000``). Those parts are checked by, and run in, the sandbox.

Nothing here evaluates text: literals are decoded by hand, everything else is handed to the
sandbox as source. An entry that fits none of the forms is refused with the reason.
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import juel
from .errors import ScriptRefused
from .scripting import check_source

INPUT_NAME = "dmn_input"  # what ``?`` becomes in a Python entry


class UnaryTestError(ValueError):
    """An entry that is not a unary test GovFlow can run."""


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Expr:
    source: str  # a Python expression, run in the sandbox against the decision's variables


Endpoint = Literal | Expr


@dataclass(frozen=True)
class Compare:
    op: str  # "=", "!=", "<", "<=", ">", ">="
    endpoint: Endpoint


@dataclass(frozen=True)
class Interval:
    low: Endpoint
    high: Endpoint
    low_closed: bool
    high_closed: bool


@dataclass(frozen=True)
class InputTest:
    source: str  # a Python boolean expression in which ``dmn_input`` is the input value


Test = Compare | Interval | InputTest


@dataclass(frozen=True)
class UnaryTests:
    tests: tuple[Test, ...]  # none: any value
    negated: bool = False


ANY = UnaryTests(())

_NUMBER = r"-?\d+(?:\.\d+)?"
_STRING = r'"(?:[^"\\]|\\.)*"'
_DATE = r'date\(\s*"\d{4}-\d{2}-\d{2}"\s*\)'
_NAME = r"[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*"
_SIMPLE = f"(?:{_DATE}|{_NUMBER}|{_STRING}|{_NAME})"
_INTERVAL = re.compile(rf"\s*([\[\](])\s*({_SIMPLE})\s*\.\.\s*({_SIMPLE})\s*([\[\])])\s*")
_OPERATOR = re.compile(r"\s*(<=|>=|==|!=|<|>|=)(?!=)\s*")
_KEYWORDS = {"true": True, "false": False, "True": True, "False": False, "null": None,
             "None": None}


def parse_unary_tests(text: str | None) -> UnaryTests:
    """Read an input entry; raise UnaryTestError saying what cannot be read."""
    source = (text or "").strip()
    if source in ("", "-"):
        return ANY
    if juel.is_wrapped(source):  # Camunda 7's JUEL entry: ${cellInput > 100}
        try:
            python = juel.translate(source, {"cellInput": INPUT_NAME})
        except ScriptRefused as exc:
            raise UnaryTestError(str(exc)) from None
        _check(python, source)
        return UnaryTests((InputTest(python),))
    python = _name_the_input(source)
    if python != source:
        _check(python, source)
        return UnaryTests((InputTest(python),))
    negated = False
    inner = _not_argument(source)
    if inner is not None:
        negated, source = True, inner.strip()
        if source in ("", "-"):
            raise UnaryTestError("not(...) needs the tests it negates")
    return UnaryTests(tuple(_tests(source)), negated)


def _name_the_input(source: str) -> str:
    """``?`` outside strings replaced by the input's name, in one pass."""
    out: list[str] = []
    in_string, i = None, 0
    while i < len(source):
        ch = source[i]
        if in_string:
            if ch == "\\" and i + 1 < len(source):
                out.append(source[i:i + 2])
                i += 2
                continue
            in_string = None if ch == in_string else in_string
        elif ch in "\"'":
            in_string = ch
        elif ch == "?":
            ch = INPUT_NAME
        out.append(ch)
        i += 1
    return "".join(out)


def parse_output_values(text: str) -> tuple[Any, ...]:
    """An output's allowed values, in priority order (PRIORITY, OUTPUT ORDER): literals."""
    parsed = parse_unary_tests(text)
    values = []
    for test in parsed.tests:
        if parsed.negated or not (isinstance(test, Compare) and test.op == "="
                                  and isinstance(test.endpoint, Literal)):
            raise UnaryTestError("output values must be a list of literals, such as "
                                 '"high","medium","low"')
        values.append(test.endpoint.value)
    return tuple(values)


def _not_argument(source: str) -> str | None:
    """The text inside ``not( ... )`` when the whole entry is one call of not."""
    match = re.match(r"not\s*\(", source)
    if not match or not source.endswith(")"):
        return None
    depth, in_string = 0, None
    for i, ch in enumerate(source[match.end() - 1:], match.end() - 1):
        if in_string:
            in_string = None if ch == in_string and source[i - 1] != "\\" else in_string
        elif ch in "\"'":
            in_string = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return source[match.end():i] if i == len(source) - 1 else None
    return None


def _tests(source: str) -> list[Test]:
    tests: list[Test] = []
    pos = 0
    while True:
        interval = _INTERVAL.match(source, pos)
        if interval and (interval.end() == len(source) or source[interval.end()] == ","):
            low_bracket, low, high, high_bracket = interval.groups()
            tests.append(Interval(_endpoint(low, source), _endpoint(high, source),
                                  low_bracket == "[", high_bracket == "]"))
            pos = interval.end()
        else:
            end = _piece_end(source, pos)
            tests.append(_comparison(source[pos:end].strip(), source))
            pos = end
        if pos >= len(source):
            return tests
        pos += 1  # the comma


def _piece_end(source: str, start: int) -> int:
    """Where the test starting at ``start`` ends: the next comma outside brackets and
    strings, or the end."""
    depth, in_string, i = 0, None, start
    while i < len(source):
        ch = source[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == in_string:
                in_string = None
        elif ch in "\"'":
            in_string = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            return i
        i += 1
    return i


def _comparison(piece: str, entry: str) -> Compare:
    if not piece:
        raise UnaryTestError("an empty test in the list")
    operator = _OPERATOR.match(piece)
    if operator:
        op = "=" if operator.group(1) == "==" else operator.group(1)
        return Compare(op, _endpoint(piece[operator.end():], entry))
    return Compare("=", _endpoint(piece, entry))


def _endpoint(text: str, entry: str) -> Endpoint:
    text = text.strip()
    if not text:
        raise UnaryTestError("a comparison needs a value to compare with")
    literal = _literal(text)
    if literal is not None:
        return literal
    if re.match(r"not\s*\(", text):
        raise UnaryTestError("not(...) must be the whole entry: not(1, 2), not([1..5])")
    if ".." in text and not _quoted_only(text, ".."):
        raise UnaryTestError(f"'{text}' is not a range: write [low..high], ]low..high[, "
                             "(low..high) or a mix of these brackets")
    _check(text, entry)
    return Expr(text)


def _literal(text: str) -> Literal | None:
    if text in _KEYWORDS:
        return Literal(_KEYWORDS[text])
    if re.fullmatch(_NUMBER, text):
        try:
            return Literal(float(text) if "." in text else int(text))
        except ValueError:  # more digits than Python converts
            raise UnaryTestError(f"the number '{text[:20]}...' is too long") from None
    if re.fullmatch(_STRING, text):
        try:
            return Literal(json.loads(text))
        except ValueError:
            raise UnaryTestError(f"{text} is not a valid string") from None
    if re.fullmatch(_DATE, text):
        day = re.search(r"\d{4}-\d{2}-\d{2}", text)
        try:
            return Literal(date.fromisoformat(day.group(0) if day else ""))
        except ValueError:
            raise UnaryTestError(f"{text} is not a valid date") from None
    return None


def _quoted_only(text: str, token: str) -> bool:
    """Whether every occurrence of ``token`` is inside a string."""
    return token not in re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', "", text)


def _check(python: str, entry: str) -> None:
    try:
        check_source(python, "eval")
    except ScriptRefused as exc:
        raise UnaryTestError(f"'{entry}' is neither a FEEL unary test nor a Python "
                             f"expression the sandbox accepts ({exc})") from None
