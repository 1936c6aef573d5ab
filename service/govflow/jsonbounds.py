"""Bounds on the JSON a caller sends as variables, message payloads and decision inputs.

A hostile body must not reach the engine, the store or the response serializer in a shape
they cannot hold: 260 nested levels are committed fine and then break every later read of
the instance. ``check_json`` walks the value once, without recursion, and names the first
place that breaks a bound; ``Variables`` applies it to a pydantic field, so the refusal is an
ordinary 422 naming the field.
"""

import math
from typing import Annotated, Any

from pydantic import AfterValidator, Field

MAX_DEPTH = 32  # nested objects/arrays below the top-level mapping
MAX_ITEMS = 1_000  # keys of one object, items of one array
MAX_VALUES = 20_000  # values in the whole document
MAX_STRING = 100_000  # characters of one string value
MAX_KEY = 200  # characters of one object key (the variables table's name column)
MAX_INT = 2**63 - 1  # integers beyond 64 bits fit no database column nor a JS reader


def has_control(text: str) -> bool:
    """True if ``text`` holds a C0 control character or DEL (NUL among them)."""
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def variable_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a process variable, or None: scripts and conditions refer to
    variables by name, so a name is an identifier (Unicode letters allowed: 项目名称)."""
    if not name.isidentifier() or len(name) > MAX_KEY:
        return (f"{_short(name)}: a variable name is an identifier of at most {MAX_KEY} "
                "characters (letters, digits, '_'; not starting with a digit)")
    return None


def check_json(value: Any, names_are_variables: bool = True) -> None:
    """Raise ``ValueError`` naming the first path in ``value`` (a decoded JSON mapping) that
    breaks a bound; top-level keys must be variable names when ``names_are_variables``."""
    if names_are_variables:
        for name in value:
            if problem := variable_name_problem(name):
                raise ValueError(problem)
    count = 0
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise ValueError(f"more than {MAX_VALUES} values in all")
        if isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                raise ValueError(f"{path}: nested deeper than {MAX_DEPTH} levels")
            if len(node) > MAX_ITEMS:
                raise ValueError(f"{path or 'the value'}: more than {MAX_ITEMS} entries")
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in items:
                if isinstance(key, str) and (len(key) > MAX_KEY or has_control(key)):
                    raise ValueError(f"{_join(path, key)}: a key is at most {MAX_KEY} "
                                     "characters, without control characters")
                stack.append((child, _join(path, key), depth + 1))
        elif isinstance(node, str) and len(node) > MAX_STRING:
            raise ValueError(f"{path}: a string is at most {MAX_STRING} characters")
        elif isinstance(node, float) and not math.isfinite(node):
            raise ValueError(f"{path}: {node} is not a JSON number")
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_INT:
            raise ValueError(f"{path}: integers are at most 64 bits")


def _join(path: str, key: Any) -> str:
    return f"{path}.{_short(str(key))}" if path else _short(str(key))


def _short(text: str) -> str:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return repr(shown)[1:-1]


def _variables(value: dict[str, Any]) -> dict[str, Any]:
    check_json(value)
    return value


def _free_keys(value: dict[str, Any]) -> dict[str, Any]:
    check_json(value, names_are_variables=False)
    return value


_DESCRIPTION = (f"JSON object of process variables: names are identifiers of at most {MAX_KEY} "
                f"characters; at most {MAX_DEPTH} levels deep, {MAX_ITEMS} entries per object "
                f"or array, {MAX_VALUES} values, strings of {MAX_STRING} characters")

Variables = Annotated[dict[str, Any], AfterValidator(_variables),
                      Field(default_factory=dict, description=_DESCRIPTION)]
"""Process variables (start, complete, message payload, correlation, decision inputs)."""

BoundedJson = Annotated[dict[str, Any], AfterValidator(_free_keys)]
"""A JSON object with the same bounds but free-form keys."""
