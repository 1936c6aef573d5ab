"""Camunda-style ``${...}`` expressions in attributes: assignment, multi-instance, mappings.

Camunda Modeler writes expressions as ``${expert}`` or ``${nrOfCompletedInstances >= 2}``.
What is inside the braces is JUEL, or Python where it is not JUEL (juel.py); either way it
runs as a sandboxed Python expression (the same sandbox as conditions and scripts:
engine/scripting.py), so ``${a >= 2}`` and ``a >= 2`` mean the same. Assignment attributes may be comma lists mixing literals and expressions:
``camunda:candidateGroups="hub, ${dept}"``; an expression may give a string or a list of
strings.
"""

import re
from collections.abc import Mapping
from typing import Any

from . import juel
from .errors import ScriptRefused, StepError
from .sandbox_limits import ScriptLimitExceeded, describe
from .scripting import SCRIPT_ENGINE

_WRAPPED = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.DOTALL)
_ITEM = re.compile(r"\s*([$#]\{[^}]*\}|[^,]+)\s*(?:,|$)")
MAX_NAMES = 100  # candidate groups or users a task may be given
MAX_NAME = 100  # characters of one name (task_candidates.group_name)


def is_expression(text: str) -> bool:
    return bool(_WRAPPED.match(text))


def unwrap(text: str) -> str:
    """The Python source of an expression: ``${x >= 2}`` -> ``(x >= 2)``,
    ``${!ok}`` -> ``(not ok)`` (juel.py); anything else as it is (stripped). Text that is
    neither JUEL nor Python stays wrapped: compiling it refuses it, naming the column."""
    try:
        return juel.translate(text)
    except ScriptRefused:
        return text.strip()


def split_list(value: str | None) -> tuple[str, ...]:
    """A comma list as Camunda writes it, ``${...}`` items kept whole."""
    return tuple(m.group(1).strip() for m in _ITEM.finditer(value or "") if m.group(1).strip())


def evaluate(expression: str, data: Mapping[str, Any], element: str, what: str) -> Any:
    """Evaluate ``expression`` (wrapped or not) against ``data`` in the sandbox; a failure
    is a StepError naming the element and the attribute."""
    try:
        return SCRIPT_ENGINE.environment.evaluate(unwrap(expression), dict(data))
    except ScriptLimitExceeded as exc:
        raise StepError(f"{what} {expression!r}: {exc}", element) from None
    except Exception as exc:  # noqa: BLE001 - reported as the step's failure
        raise StepError(f"{what} {expression!r} cannot be evaluated: "
                        f"{type(exc).__name__}: {describe(exc)}", element) from None


def resolve_names(items: tuple[str, ...], data: Mapping[str, Any], element: str,
                  what: str) -> tuple[str, ...]:
    """Candidate groups or users: literals as written, expressions evaluated to a string or
    a list of strings; duplicates dropped, order kept."""
    names: list[str] = []
    for item in items:
        if not is_expression(item):
            names.append(item)
            continue
        value = evaluate(item, data, element, what)
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if not isinstance(v, str) or not v.strip():
                raise StepError(f"{what} {item!r} gave {_kind(v)}; it must give a name or a "
                                "list of names", element)
            names.append(v.strip())
    unique = tuple(dict.fromkeys(names))
    if len(unique) > MAX_NAMES or any(len(n) > MAX_NAME for n in unique):
        raise StepError(f"{what}: at most {MAX_NAMES} names of at most {MAX_NAME} "
                        "characters each", element)
    return unique


def resolve_assignee(spec: str | None, data: Mapping[str, Any], element: str) -> str | None:
    """``camunda:assignee``: a user id, or one expression that gives one."""
    if not spec:
        return None
    if not is_expression(spec):
        return spec
    value = evaluate(spec, data, element, "camunda:assignee")
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise StepError(f"camunda:assignee {spec!r} gave {_kind(value)}; it must give a user "
                        f"id (at most {MAX_NAME} characters)", element)
    return value.strip()


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a name that is too long"
    return "nothing (None)" if value is None else f"a {type(value).__name__}"
