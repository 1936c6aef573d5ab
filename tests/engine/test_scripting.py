"""The restricted environment: what diagrams may and may not run."""

import pytest
from govflow.engine.errors import ScriptRefused
from govflow.engine.sandbox_limits import ScriptLimitExceeded
from govflow.engine.scripting import RestrictedEnvironment, check_source


@pytest.mark.parametrize("source", [
    "import os", "from os import path", "().__class__.__bases__[0].__subclasses__()",
    "'{0.__class__}'.format(x)", "open('/etc/passwd').read()", "eval('1')",
    "getattr(x, 'y')", "__import__('os')", "class A: pass",
    "x.__dict__", "type(x)",
])
def test_refused(source):
    with pytest.raises(ScriptRefused):
        check_source(source, "exec")


def test_allowed_scripts_read_and_write_task_data():
    env = RestrictedEnvironment()
    data = {"total_investment": 120, "items": [1, 2, 3]}
    env.execute("scale = total_investment * 2\ncount = len(items)\nbig = max(items) > 2", data)
    assert data == {"total_investment": 120, "items": [1, 2, 3], "scale": 240, "count": 3,
                    "big": True}
    assert env.evaluate("total_investment >= 100 and scale < 1000", data) is True


def test_a_script_can_delete_a_variable():
    data = {"a": 1, "b": 2}
    RestrictedEnvironment().execute("del a", data)
    assert data == {"b": 2}


def test_builtins_outside_the_allow_list_do_not_exist_at_run_time():
    with pytest.raises(NameError):
        RestrictedEnvironment().evaluate("hash(2) or id(1)", {})


def test_ranges_are_bounded():
    with pytest.raises(ScriptLimitExceeded, match="script_max_sequence"):
        RestrictedEnvironment().execute("x = sum(range(10**9))", {})
