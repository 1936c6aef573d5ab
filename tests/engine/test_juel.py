"""JUEL (Camunda 7's expression language) read into sandbox Python: engine/juel.py.

Each case evaluates through the real sandbox (scripting.py), so what is checked is what a
diagram's condition would give."""

from typing import Any

import pytest
from govflow.engine import juel
from govflow.engine.errors import ScriptRefused
from govflow.engine.scripting import RestrictedEnvironment, check_source

ENV = RestrictedEnvironment()


def run(text: str, **data: Any) -> Any:
    return ENV.evaluate(text, data)


@pytest.mark.parametrize(("text", "data", "expected"), [
    ("${approved}", {"approved": True}, True),
    ("${!approved}", {"approved": True}, False),
    ("${not approved}", {"approved": False}, True),
    ("${approved == true}", {"approved": True}, True),
    ("${approved == false}", {"approved": True}, False),
    ("${amount > 1000 && urgent}", {"amount": 1500, "urgent": True}, True),
    ("${amount > 1000 and urgent}", {"amount": 500, "urgent": True}, False),
    ("${a || b}", {"a": False, "b": True}, True),
    ("${a or b}", {"a": False, "b": False}, False),
    ("${x eq 'yes'}", {"x": "yes"}, True),
    ("${x ne 'yes'}", {"x": "yes"}, False),
    ("${x != \"no\"}", {"x": "yes"}, True),
    ("${a lt b}", {"a": 1, "b": 2}, True),
    ("${a gt b}", {"a": 1, "b": 2}, False),
    ("${a le 2}", {"a": 2}, True),
    ("${a ge 3}", {"a": 2}, False),
    ("${a <= 2 && a >= 2}", {"a": 2}, True),
    ("${a != null}", {"a": None}, False),
    ("${a == null}", {"a": None}, True),
    ("${status == \"APPROVED\"}", {"status": "APPROVED"}, True),
    ("#{status == 'APPROVED'}", {"status": "REJECTED"}, False),
    ("${nrOfCompletedInstances/nrOfInstances >= 0.6}",
     {"nrOfCompletedInstances": 3, "nrOfInstances": 5}, True),
    ("${nrOfCompletedInstances/nrOfInstances >= 0.6}",
     {"nrOfCompletedInstances": 2, "nrOfInstances": 5}, False),
    ("${3 / 2}", {}, 1.5),
    ("${7 div 2}", {}, 3.5),
    ("${7 % 4}", {}, 3),
    ("${7 mod 4}", {}, 3),
    ("${2 * 3 + 4}", {}, 10),
    ("${2 + 3 * 4}", {}, 14),
    ("${(2 + 3) * 4}", {}, 20),
    ("${10 - 4 - 3}", {}, 3),
    ("${-a + 1}", {"a": 3}, -2),
    ("${- -2}", {}, 2),
    ("${1.5e2 + .5}", {}, 150.5),
    ("${007}", {}, 7),
    ("${a ? 'x' : 'y'}", {"a": True}, "x"),
    ("${a ? 'x' : b ? 'y' : 'z'}", {"a": False, "b": False}, "z"),
    ("${a > 1 ? a * 2 : 0}", {"a": 5}, 10),
    ("${true && false || true}", {}, True),
    ("${false || true && false}", {}, False),
    ("${!true == false}", {}, True),
    ("${1 + 1 == 2 && 3 > 2}", {}, True),
    ("${empty comments}", {"comments": ""}, True),
    ("${empty comments}", {"comments": None}, True),
    ("${empty comments}", {"comments": []}, True),
    ("${empty comments}", {"comments": {}}, True),
    ("${empty comments}", {"comments": "ok"}, False),
    ("${!empty comments}", {"comments": ["x"]}, True),
    ("${not empty comments && x}", {"comments": [1], "x": True}, True),
    ("${empty comments}", {"comments": 0}, False),
    ("${var.property}", {"var": {"property": 4}}, 4),
    ("${var.missing}", {"var": {}}, None),
    ("${var.inner.leaf}", {"var": None}, None),
    ("${map['key']}", {"map": {"key": "v"}}, "v"),
    ("${map[\"k\" ]}", {"map": {"k": 1}}, 1),
    ("${list[0]}", {"list": [7, 8]}, 7),
    ("${list[5]}", {"list": [7, 8]}, None),
    ("${list[i + 1].name}", {"list": [{}, {"name": "b"}], "i": 0}, "b"),
    ("${execution.getVariable(\"x\")}", {"x": 3}, 3),
    ("${execution.getVariable('x') > 2}", {"x": 3}, True),
    ("${'it\\'s'}", {}, "it's"),
    ("${\"a\\\\b\"}", {}, "a\\b"),
    ("${'a' + 'b'}", {}, "ab"),
])
def test_juel_operators_and_precedence(text: str, data: dict[str, Any], expected: Any) -> None:
    assert run(text, **data) == expected


@pytest.mark.parametrize(("text", "python"), [
    ("${approved}", "approved"),
    ("${!approved}", "(not approved)"),
    ("${amount > 1000 && urgent}", "((amount > 1000) and urgent)"),
    ("${a || b && c}", "(a or (b and c))"),
    ("${x eq 'yes'}", "(x == 'yes')"),
    ("${a ? 1 : 2}", "(1 if a else 2)"),
    ("${empty x}", "juel_empty(x)"),
    ("${a.b}", "juel_get(a, 'b')"),
    ("${1 + 2 * 3 - -4 mod 2}", "((1 + (2 * 3)) - ((-4) % 2))"),
    ("  ${ a }  ", "a"),
    ("amount > 1000", "amount > 1000"),  # bare text is Python, as written
    ("not a == b", "not a == b"),
])
def test_translation(text: str, python: str) -> None:
    assert juel.translate(text) == python


@pytest.mark.parametrize(("text", "data", "expected"), [
    # GovFlow's Python inside ${}: not JUEL, so it stays Python
    ("${len(items) > 2}", {"items": [1, 2, 3]}, True),
    ("${x in ('a', 'b')}", {"x": "a"}, True),
    ("${x is None}", {"x": None}, True),
    ("${name.upper()}", {"name": "ab"}, "AB"),
    ("${a if b else c}", {"a": 1, "b": False, "c": 2}, 2),
    ("${[1, 2][-1]}", {}, 2),
    ("${amount >= 100 and not urgent}", {"amount": 100, "urgent": False}, True),
    ("${True}", {}, True),
    ("${not (a == b)}", {"a": 1, "b": 2}, True),
])
def test_python_inside_braces_keeps_working(text: str, data: dict[str, Any],
                                            expected: Any) -> None:
    assert run(text, **data) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("${a &&}", "expected a value, found the end at column 5"),
    ("${a ? b}", "expected ':', found the end at column 6"),
    ("${(a}", "expected ')', found the end at column 3"),
    ("${a b}", "expected an operator or the end, found 'b' at column 3"),
    ("${a ~ b}", "unexpected character '~' at column 3"),
    ("${'a'.concat(b) eq 'x'}", "method call 'concat(...)'"),
    ("${x == 'a\\nb' &&}", "unknown escape"),
    ("${instanceof && x}", "'instanceof' is a JUEL keyword at column 1"),
    ("${a.}", "expected a property name after '.' at column 3"),
])
def test_neither_juel_nor_python_is_refused_with_the_column(text: str, message: str) -> None:
    with pytest.raises(ScriptRefused) as refused:
        check_source(text, "eval")
    assert message in str(refused.value)
    assert text in str(refused.value) or "neither" in str(refused.value)


@pytest.mark.parametrize("text", ["${not a == b}", "${a < b < c}", "${not x + 1}",
                                  "${1 < 2 == true}"])
def test_text_both_read_differently_is_refused(text: str) -> None:
    with pytest.raises(ScriptRefused, match="add parentheses"):
        check_source(text, "eval")


@pytest.mark.parametrize(("text", "message"), [
    ("${execution.processBusinessKey}", "'execution.processBusinessKey' at column 11"),
    ("${execution.getVariable(name)}", "only a literal variable name"),
    ("${execution.getVariable('_x')}", "only a literal variable name"),
    ("${execution.setVariable('x', 1)}", "'execution.setVariable'"),
])
def test_execution_beyond_get_variable_is_refused(text: str, message: str) -> None:
    with pytest.raises(ScriptRefused) as refused:
        check_source(text, "eval")
    assert message in str(refused.value)


def test_deep_nesting_is_refused_not_crashed() -> None:
    with pytest.raises(ScriptRefused, match="nested more than"):
        check_source("${" + "(" * 500 + "a" + ")" * 500 + " && b}", "eval")
    with pytest.raises(ScriptRefused):
        check_source("${" + "!" * 5000 + "a && b}", "eval")


def test_huge_number_literal_is_refused() -> None:
    with pytest.raises(ScriptRefused, match="number longer than"):
        check_source("${a && " + "9" * 5000 + "}", "eval")


def test_translated_code_still_runs_in_the_sandbox() -> None:
    with pytest.raises(ScriptRefused, match="_secret"):
        check_source("${a && _secret}", "eval")
    # the helpers cannot be replaced by task data
    assert run("${empty x}", x="", juel_empty=lambda v: False) is True


def test_unknown_variable_and_type_errors_fail_at_run_time() -> None:
    with pytest.raises(NameError):
        run("${missing && true}")
    with pytest.raises(TypeError, match="list index"):
        run("${items['a']}", items=[1])


def test_variables_named_like_refused_builtins_are_read_from_the_data() -> None:
    # Camunda's own gateway tests route on a variable called "input".
    assert run("${input == 1}", input=1) is True
    assert run("${type eq 'a' && format != null}", type="a", format="x") is True
    with pytest.raises(NameError, match="'input' is not defined"):
        run("${input == 1}")
    # Python code calling the helper reaches nothing but such a variable.
    with pytest.raises(NameError, match="only variables named like a builtin"):
        run("juel_var('__builtins__')")
    with pytest.raises(ScriptRefused, match='"input" is not available'):
        check_source("input == 1", "eval")  # bare text stays Python
