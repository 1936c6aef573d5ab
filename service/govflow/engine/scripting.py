"""The sandbox every expression and script of a diagram runs in.

SpiffWorkflow's default ``TaskDataEnvironment`` runs plain ``eval``/``exec``. Diagrams are
uploaded by users, so ours compiles with RestrictedPython under ``DiagramPolicy`` (see
``sandbox_policy``): the code can only reach what the guards and the allow-listed builtins
of ``sandbox_guards`` hand it, and runs under the CPU and size limits of
``sandbox_limits``. The same compiler runs at upload, so a diagram that tries something
refused is refused there, naming the file, line and element.
"""

import ast
from functools import lru_cache
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import bpmn_error, datasafe, juel, sandbox_limits
from .bpmn_error import BpmnScriptError
from .errors import ScriptRefused
from .sandbox_guards import GUARDS, SAFE_BUILTINS
from .sandbox_limits import ScriptLimitExceeded, describe
from .sandbox_policy import DiagramPolicy

FILENAME = "<diagram>"
_RESERVED = frozenset({*GUARDS, *juel.HELPERS, "__builtins__"})


@lru_cache(maxsize=4096)
def _compiled(source: str, mode: str) -> Any:
    """An expression wrapped in ``${...}``/``#{...}`` is JUEL or Python (juel.py)."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    written = source
    if mode == "eval":
        source = juel.translate(source)
    try:
        result = compiler(source, FILENAME, policy=DiagramPolicy)
    except (RecursionError, MemoryError) as exc:  # the parser's or compiler's own limits
        raise ScriptRefused(f"{_short(source)!r} is nested too deeply to compile") from exc
    except ValueError as exc:  # null bytes
        raise ScriptRefused(f"{_short(source)!r} cannot be compiled: {exc}") from exc
    if result.errors or result.code is None:
        raise ScriptRefused(f"{'; '.join(result.errors)} in {written!r}")
    return result.code


def check_source(source: str, mode: str = "exec") -> None:
    """Compile a script (``exec``) or expression (``eval``) as it will run; raise
    ScriptRefused naming what is not allowed."""
    _compiled(source, mode)


def _scope(context: dict[str, Any], external_context: dict[str, Any] | None) -> dict[str, Any]:
    # The guards come last: task data cannot shadow them (nor reach them: their names
    # start with "_", which diagram code may not write); nor the JUEL helpers.
    return {**(external_context or {}), **context, **juel.HELPERS, **GUARDS,
            "__builtins__": SAFE_BUILTINS}


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates against task data, metered, with allow-listed builtins only."""

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: dict[str, Any] | None = None) -> Any:
        code = _compiled(expression, "eval")
        sandbox_limits.begin()
        return eval(code, _scope(context, external_context))

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str,
                Any] | None = None) -> bool:
        code = _compiled(script, "exec")
        scope = _scope(context, external_context)
        sandbox_limits.begin()
        exec(code, scope)  # noqa: S102 - restricted
        external = external_context or {}
        for key in [k for k in context if k not in scope]:
            del context[key]  # the script deleted it
        for key, value in scope.items():
            if key in _RESERVED or key in external or callable(value):
                continue
            context[key] = value
        # Before SpiffWorkflow copies and compares the data (recursively), not after.
        datasafe.check(context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptRefused("service tasks are not supported")


class RestrictedScriptEngine(PythonScriptEngine):
    """Reports what went wrong in diagram code as a task error, once out of the sandbox: a
    limit the code hit (it could not catch it), or what it raised, described briefly. The
    diagram's exception is not chained to the report: printing it (a log's traceback)
    could mean printing a structure the diagram built to be astronomically long."""

    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression: str) -> None:
        # DMN uses this to decide whether an entry needs "==": keep it a plain parse.
        ast.parse(expression)

    def evaluate(self, task: Any, expression: str, external_context: dict[str,
                 Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException:
            raise
        except BaseException as exc:  # noqa: BLE001 - reported below, unchained
            error = _task_error(task, f"evaluating '{_short(expression)}'", exc)
        raise error

    def execute(self, task: Any, script: str, external_context: dict[str,
                Any] | None = None) -> Any:
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except BpmnScriptError as exc:
            bpmn_error.throw(task, exc)
            return None  # caught: the script task waits to be cancelled by its catcher
        except SpiffWorkflowException:
            raise
        except BaseException as exc:  # noqa: BLE001 - reported below, unchained
            error = _task_error(task, "script", exc)
        raise error


def _task_error(task: Any, what: str, exc: BaseException) -> BaseException:
    if isinstance(exc, ScriptLimitExceeded | datasafe.UnsafeData):
        return WorkflowTaskException(f"{what}: {exc}", task=task)
    if isinstance(exc, BpmnScriptError):
        return WorkflowTaskException(f"{what}: BPMN error '{exc.code}' thrown outside a script "
                                     "task: only a script task may call bpmn_error()", task=task)
    if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit: not the diagram's
        return exc
    line = _script_line(exc)
    where = f" on line {line}" if line else ""
    return WorkflowTaskException(f"{what}: {type(exc).__name__}{where}: {describe(exc)}",
                                 task=task, exception=exc, line_number=line)


def _script_line(exc: BaseException) -> int | None:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _short(source: str, size: int = 80) -> str:
    return source if len(source) <= size else source[:size] + "..."


SCRIPT_ENGINE = RestrictedScriptEngine()
