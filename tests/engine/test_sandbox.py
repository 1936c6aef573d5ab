"""The sandbox against a corpus of known escapes and resource bombs.

Every escape is refused when compiled (what upload runs) or when run; every bomb stops at
one of the evaluation's limits, whose setting the error names. The limits here are the
defaults a service runs with.
"""

import gc
import os
import time

import pytest
from govflow.engine import sandbox_limits
from govflow.engine.errors import ScriptRefused
from govflow.engine.sandbox_guards import SandboxError
from govflow.engine.sandbox_limits import Limits, ScriptLimitExceeded
from govflow.engine.scripting import RestrictedEnvironment, check_source


@pytest.fixture(autouse=True)
def default_limits():
    before = sandbox_limits.current_limits()
    sandbox_limits.configure(Limits())
    yield
    sandbox_limits.configure(before)


TRY = "try:\n    1 / 0\nexcept Exception as e:\n"

# Refused by the compiler: an upload carrying any of these is refused with 422.
COMPILE_TIME = [
    # frames and tracebacks
    TRY + "    g = e.__traceback__.tb_frame.f_globals",
    TRY + "    match e:\n        case Exception(__traceback__=tb):\n            g = tb",
    "match x:\n    case {'a': y}:\n        pass",
    TRY + "    tb = getattr(e, '__traceback__')",
    TRY + "    w = e.with_traceback(None)",
    TRY + "    a = e.args",
    # generator and coroutine frames
    "g = (i for i in [1])\nf = g.gi_frame",
    "g = (i for i in [1])\nf = g.gi_code",
    "def c():\n    yield 1\n",
    "async def c():\n    pass\n",
    "f = c().cr_frame",
    "f = c().ag_frame",
    # format strings reading attributes
    "s = '{0.__class__}'.format(1)",
    "s = '{0.__class__}'.format_map({})",
    "f = 'x'.format",
    "s = f'{x!r:>{width}}'",
    "s = f'{1:999999999}'",
    # decorators, classes, class patterns
    "@len\ndef f():\n    pass",
    "class A:\n    pass",
    "class D(dict):\n    pass",
    # descriptors, pickling hooks, subclasses, types
    "x = (1).__reduce__()",
    "x = (1).__reduce_ex__(2)",
    "x = len.__get__",
    "x = ().__class__.__bases__[0].__subclasses__()",
    "x = type(1)",
    "x = object",
    "x = dict.fromkeys([1], 2)",
    "x = str.maketrans('a', 'b')",
    "x = Exception.mro()",
    # unicode-normalised names (Python applies NFKC to identifiers)
    "x = ｅval('1')",
    "x = ｇｌｏｂａｌｓ()",
    "x = ﹍﹍builtins﹍﹍",
    "x = (1).＿＿class＿＿",
    # namespaces, builtins, imports
    "x = vars()", "x = globals()", "x = locals()", "x = dir()",
    "x = __builtins__", "x = __import__('os')", "import os", "from os import environ",
    "x = open('/proc/self/environ').read()", "exec('1')", "x = compile('1', 'f', 'eval')",
    # lambda and function internals
    "f = lambda b=__builtins__: b",
    "f = (lambda: 0).__globals__",
    "f = (lambda: 0).__code__",
    "def f():\n    pass\nx = f.__closure__",
    # builtin methods leading back to their module or type
    "x = min.__self__",
    "x = 'a'.upper.__self__",
    "x = {}.get.__self__",
    "x = {}.keys().mapping",
    # the guards themselves
    "x = _getattr_(1, '__class__')",
    "_getiter_ = list",
    # scope and control flow that hides from the meter
    "global x\nx = 1",
    "def f():\n    x = 1\n    def g():\n        nonlocal x\n    return g",
    "with x as y:\n    pass",
    "try:\n    pass\nexcept:\n    pass",
    "try:\n    pass\nexcept* Exception:\n    pass",
    "print('x')",
]


@pytest.mark.parametrize("source", [
    "x = " + "1 + " * 100_000 + "1", "x = " + "-" * 50_000 + "1", "x = " + "not " * 30_000 + "y",
    "x = 1\x00",
])
def test_code_too_deep_for_the_compiler_is_refused_not_crashed(source):
    with pytest.raises(ScriptRefused):
        check_source(source, "exec")


@pytest.mark.parametrize("source", COMPILE_TIME)
def test_escapes_are_refused_when_compiled(source):
    with pytest.raises(ScriptRefused):
        check_source(source, "exec")


# Compile (no name in them is suspicious) but find nothing to reach at run time.
RUN_TIME = [
    ("x = list.append", SandboxError),        # attributes of a type
    ("x = len.count", SandboxError),          # attributes of a builtin function
    ("f = lambda: 0\nx = f.count", SandboxError),
    (TRY + "    y = e.year", SandboxError),   # attributes of an exception
    ("g = (i for i in [1])\nx = g.count", SandboxError),
    ("x = 'a'.upper\ny = x.upper", SandboxError),
    ("x = (1).real", ScriptRefused),           # not in any type's list: refused at compile
    ("x = hash(1)", NameError),               # outside the builtins allow-list
    ("x = id(1)", NameError),
    ("raise SystemExit", NameError),
    ("x = sum([[1]], [])", SandboxError),
    ("x = round(5, -10**8)", SandboxError),
    ("d = {}\nd.x = 1", ScriptRefused),
    ("s = 'abc'\ns[0] = 'x'", SandboxError),
]


@pytest.mark.parametrize(("source", "error"), RUN_TIME)
def test_escapes_find_nothing_at_run_time(source, error):
    with pytest.raises(error):
        RestrictedEnvironment().execute(source, {})


BOMBS = [
    ("x = 10**10**10", "script_max_int_bits"),
    ("x = 2**(2**40)", "script_max_int_bits"),
    ("x = 1 << 10**10", "script_max_int_bits"),
    ("x = 7\nfor i in range(40):\n    x = x * x", "script_max_int_bits"),
    ("x = 3\nx **= 10**9", "script_max_int_bits"),
    ("x = 'a' * 10**10", "script_max_string"),
    ("x = '%0999999999d' % 1", "script_max_string"),
    ("x = 'a'.ljust(10**10)", "script_max_string"),
    ("x = '1'.zfill(10**10)", "script_max_string"),
    ("x = ('y' * 10**5).join(['a'] * 100)", "script_max_string"),
    ("x = ('a' * 1000).replace('', 'b' * 1000)", "script_max_string"),
    ("s = 'a' * 10**6\nx = f'{s}{s}'", "script_max_string"),
    ("s = 'a'\nfor i in range(64):\n    s += s", "script_max_string"),
    ("x = [0] * 10**9", "script_max_sequence"),
    ("x = [1]\nfor i in range(64):\n    x = x + x", "script_max_sequence"),
    ("x = [1]\nfor i in range(64):\n    x += x", "script_max_sequence"),
    ("x = [[i * j for i in range(10**4)] for j in range(10**4)]", "script_max_sequence"),
    ("x = [0] * 1000\ny = [x for _ in range(10**4)]", "script_max_sequence"),
    ("x = [0] * 1000\ny = []\nfor _ in range(10**4):\n    y.append(x)", "script_max_sequence"),
    ("x = [0] * 1000\nd = {}\nfor i in range(10**4):\n    d[i] = x", "script_max_sequence"),
    ("x = [1]\nfor i in range(64):\n    x = [x, x]", "script_max_sequence"),
    ("x = [[0] * 10**5] * 100", "script_max_sequence"),
    ("x = sum(range(10**9))", "script_max_sequence"),
    ("x = sorted(range(10**9))", "script_max_sequence"),
    ("x = [0]\nfor i in range(60):\n    x = zip(x, x)", "script_max_sequence"),
    ("e = 0\nfor i in range(60):\n    e = ValueError(e, e)\ns = str(e)", "script_max_"),
    ("e = 0\nfor i in range(60):\n    e = ValueError(e, e)\ns = f'{e}'", "script_max_"),
    ("e = 0\nfor i in range(60):\n    e = ValueError(e, e)\nx = [e]", "script_max_sequence"),
    ("e = 0\nfor i in range(60):\n    e = ValueError(e, e)\ns = '%s' % (e,)",
     "script_max_"),
    ("while True:\n    pass", "script_cpu_seconds"),
    ("f = lambda n: 0 if n == 0 else f(n - 1) + f(n - 1)\nx = f(60)", "script_cpu_seconds"),
    ("def f(n):\n    return 0 if n == 0 else f(n - 1) + f(n - 1)\nx = f(60)",
     "script_cpu_seconds"),
    ("n = 0\nwhile n >= 0:\n    n = n + 1", "script_cpu_seconds"),
]


@pytest.mark.parametrize(("source", "setting"), BOMBS)
def test_bombs_stop_at_a_named_limit(source, setting):
    with pytest.raises(ScriptLimitExceeded, match=setting):
        RestrictedEnvironment().execute(source, {})


def test_a_limit_cannot_be_caught_by_the_script():
    script = ("try:\n    while True:\n        pass\nexcept Exception:\n    caught = True\n"
              "finally:\n    while True:\n        pass\n")
    data: dict = {}
    with pytest.raises(ScriptLimitExceeded, match="script_cpu_seconds"):
        RestrictedEnvironment().execute(script, data)
    assert "caught" not in data


def test_conditions_are_metered_too():
    with pytest.raises(ScriptLimitExceeded, match="script_max_int_bits"):
        RestrictedEnvironment().evaluate("10**10**10 > 0", {})
    with pytest.raises(ScriptLimitExceeded, match="script_cpu_seconds"):
        RestrictedEnvironment().evaluate(
            "(lambda f: f(f, 60))(lambda f, n: 0 if n == 0 else f(f, n - 1) + f(f, n - 1))", {})


def test_what_diagrams_write_keeps_working():
    data = {"total_investment": 1200.5, "approved": True, "opinion": "同意", "count": 2,
            "departments": [{"name": "发改", "ok": True}, {"name": "财政", "ok": False}],
            "limits": {"a": 1}}
    RestrictedEnvironment().execute(
        "names = [d['name'] for d in departments if d['ok']]\n"
        "share = round(total_investment * 0.1, 2)\n"
        "label = f'{opinion}: {share:,.2f} 万元 ({len(names)})'\n"
        "text = '%s/%d' % (opinion, count)\n"
        "joined = ', '.join(sorted(d['name'] for d in departments))\n"
        "total = sum(x for x in [1, 2, 3]) + max(1, 2) - min([5, 4])\n"
        "by_name = {d['name']: d['ok'] for d in departments}\n"
        "count += 1\n"
        "items = []\n"
        "for k, v in limits.items():\n"
        "    items.append(k.upper() * 2)\n"
        "i = 0\n"
        "while i < 3:\n"
        "    i = i + 1\n"
        "def double(n):\n"
        "    return n * 2\n"
        "doubled = [double(n) for n in range(3)]\n"
        "padded = str(count).zfill(4)\n"
        "big = 2 ** 64\n"
        "ok = 'x' in 'xyz' and approved and not (count > 10)\n", data)
    assert data["names"] == ["发改"]
    assert data["share"] == 120.05
    assert data["label"] == "同意: 120.05 万元 (1)"
    assert data["text"] == "同意/2"
    assert data["joined"] == "发改, 财政"
    assert data["total"] == 4
    assert data["by_name"] == {"发改": True, "财政": False}
    assert data["count"] == 3
    assert data["items"] == ["AA"]
    assert data["doubled"] == [0, 2, 4]
    assert data["padded"] == "0003"
    assert data["big"] == 2 ** 64
    assert data["ok"] is True
    assert "double" not in data  # functions are not data


def test_dmn_style_entries_evaluate():
    env = RestrictedEnvironment()
    assert env.evaluate("1500 <= dmn_input < 5000", {"dmn_input": 2000}) is True
    assert env.evaluate("round(dmn_input, 6) <= round(contract_amount * 0.1, 6)",
                        {"dmn_input": 10, "contract_amount": 100}) is True
    assert env.evaluate('(dmn_input) == ("goods")', {"dmn_input": "goods"}) is True


def test_the_secret_key_is_not_in_the_environment_once_the_service_is_configured(monkeypatch):
    from govflow.main import configure_engine
    from govflow.settings import Settings

    monkeypatch.setenv("GOVFLOW_SECRET_KEY", "k" * 40)
    settings = Settings()
    assert settings.secret_key == "k" * 40
    configure_engine(settings)
    assert "GOVFLOW_SECRET_KEY" not in os.environ
    assert "k" * 40 not in "".join(os.environ.values())


def _slow_collector(seconds: float):
    """A garbage-collector callback that burns ``seconds`` of this thread's CPU on the first
    collection: a full collection of a big heap, landing inside an evaluation."""
    state = {"spent": False}

    def callback(phase, info):
        if phase == "start" and not state["spent"]:
            state["spent"] = True
            end = time.thread_time() + seconds
            while time.thread_time() < end:
                pass
    return callback, state


@pytest.fixture
def collections_every_allocation():
    before = gc.get_threshold()
    gc.set_threshold(1)
    yield
    gc.set_threshold(*before)


def test_a_collection_during_an_evaluation_is_not_the_diagrams_cpu_time(
        collections_every_allocation):
    sandbox_limits.configure(Limits(cpu_seconds=0.2, step_cpu_seconds=0.2))
    callback, state = _slow_collector(0.4)
    gc.callbacks.append(callback)
    try:
        data: dict = {}
        meter = sandbox_limits.StepMeter()
        RestrictedEnvironment().execute(
            "x = []\nfor i in range(500):\n    x.append([i])\nn = len(x)", data)
        meter(None)  # the step's meter does not count it either
    finally:
        gc.callbacks.remove(callback)
    assert state["spent"], "no collection ran during the evaluation"
    assert data["n"] == 500


def test_the_cpu_limit_still_binds_a_loop_that_makes_garbage(collections_every_allocation):
    # Functions are collected objects that spend no cells: only the CPU limit can stop this,
    # and it does, though most of the loop's time goes to the collector.
    sandbox_limits.configure(Limits(cpu_seconds=0.2))
    started = time.monotonic()
    with pytest.raises(ScriptLimitExceeded, match="script_cpu_seconds"):
        RestrictedEnvironment().execute("while True:\n    f = lambda: 0", {})
    assert time.monotonic() - started < 30
