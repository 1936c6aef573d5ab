"""The restricted environment every expression and script of a diagram runs in.

SpiffWorkflow's default ``TaskDataEnvironment`` runs plain ``eval``/``exec``. Diagrams are
uploaded by users, so ours checks the syntax tree first (no imports, no dunder or private
attribute access, no ``while``, no definitions of classes) and runs with an allow-listed set
of builtins. The same check runs at upload, so a diagram that tries is refused there.
"""

import ast
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .errors import ScriptRefused

MAX_RANGE = 10_000


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise ValueError(f"range of {len(r)} items exceeds the limit of {MAX_RANGE}")
    return r


SAFE_BUILTINS: dict[str, Any] = {
    name: getattr(__builtins__, name) if not isinstance(__builtins__, dict) else __builtins__[name]
    for name in (
        "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "isinstance",
        "len", "list", "map", "max", "min", "reversed", "round", "set", "sorted", "str", "sum",
        "tuple", "zip", "ValueError", "KeyError", "Exception",
    )
}
SAFE_BUILTINS["range"] = _bounded_range

_FORBIDDEN_NODES: dict[type, str] = {
    ast.Import: "import", ast.ImportFrom: "import", ast.Global: "global", ast.Nonlocal: "nonlocal",
    ast.ClassDef: "class definitions", ast.AsyncFunctionDef: "async functions",
    ast.While: "while loops", ast.With: "with", ast.AsyncWith: "with", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield",
}
# Reachable without a dunder in the source, and each one a way out of the sandbox.
_FORBIDDEN_ATTRS = {"format", "format_map", "mro", "gi_frame", "f_globals", "f_locals"}
_FORBIDDEN_NAMES = {
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "globals", "locals",
    "vars", "input", "breakpoint", "help", "memoryview", "type", "super", "object", "dir",
}


def check_source(source: str, mode: str = "exec") -> ast.AST:
    """Parse and vet a script (``exec``) or expression (``eval``); raise ScriptRefused."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise ScriptRefused(f"syntax error in {source!r}: {exc.msg}") from exc
    for node in ast.walk(tree):
        kind = _FORBIDDEN_NODES.get(type(node))
        if kind:
            raise ScriptRefused(f"{kind} not allowed in {source!r}")
        if isinstance(node, ast.Attribute) and (
            node.attr.startswith("_") or node.attr in _FORBIDDEN_ATTRS
        ):
            raise ScriptRefused(f"attribute '{node.attr}' not allowed in {source!r}")
        if isinstance(node, ast.Name) and (
            node.id.startswith("__") or node.id in _FORBIDDEN_NAMES
        ):
            raise ScriptRefused(f"name '{node.id}' not allowed in {source!r}")
    return tree


@lru_cache(maxsize=4096)
def _compiled(source: str, mode: str) -> Any:
    return compile(check_source(source, mode), "<diagram>", mode)  # type: ignore[call-overload]


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates against task data with allow-listed builtins only."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None):
        scope = {"__builtins__": SAFE_BUILTINS, **(external_context or {}), **context}
        return eval(_compiled(expression, "eval"), scope)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        scope = {"__builtins__": SAFE_BUILTINS, **(external_context or {}), **context}
        exec(_compiled(script, "exec"), scope)  # noqa: S102 - vetted above
        external = external_context or {}
        for key in [k for k in context if k not in scope]:
            del context[key]  # the script deleted it
        for key, value in scope.items():
            if key != "__builtins__" and key not in external and not callable(value):
                context[key] = value
        return True

    def call_service(self, context: dict, **kwargs: Any) -> Any:
        raise ScriptRefused("service tasks are not supported")


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression: str) -> None:
        # DMN uses this to decide whether an entry needs "==": keep it a plain parse.
        ast.parse(expression)


SCRIPT_ENGINE = RestrictedScriptEngine()
