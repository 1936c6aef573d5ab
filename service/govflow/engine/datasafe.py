"""What a step leaves in an instance's data must be plain JSON, and not too much of it.

Scripts can put anything they can make into task data: a ``range``, a set, a function, a
structure nested past what a JSON parser will read back, a huge string. Stored as it is,
that fails the commit (a 500) or, worse, commits and makes the instance unreadable. After
each step the runtime walks the data the step touched with ``check``: only None, bool, int,
float (finite), str, list and dict with str keys pass (a tuple becomes a list), within a
depth, node and string-length budget. Anything else fails the step, naming the element.
"""

import math
from dataclasses import dataclass
from typing import Any


class UnsafeData(ValueError):
    """Data that cannot be stored as it is."""


@dataclass(frozen=True)
class DataLimits:
    max_depth: int = 32
    max_nodes: int = 200_000
    max_string: int = 1_000_000
    max_int_bits: int = 10_000
    max_name: int = 200  # a variable's name: the variables table's name column


_limits = DataLimits()


def configure(limits: DataLimits) -> None:
    global _limits
    _limits = limits


def check(data: dict[str, Any]) -> None:
    """Raise UnsafeData unless ``data`` is storable; tuples in it become lists in place."""
    limits = _limits
    nodes = 0
    # (container, key in it, value, depth, path): a variable's value is at depth 1, as in
    # the request bounds (jsonbounds), so what a request may send a step may keep; a path is (parent path, key), spelt out
    # only for an error message
    stack: list[tuple[Any, Any, Any, int, Any]] = [
        (data, key, value, 1, (None, key)) for key, value in data.items()]
    for key in data:
        if not isinstance(key, str):
            raise UnsafeData(f"a variable name is not a string (a {type(key).__name__})")
        if len(key) > limits.max_name:
            raise UnsafeData(f"variable name '{_short(key)}' is longer than "
                             f"{limits.max_name} characters")
    while stack:
        parent, key, value, depth, path = stack.pop()
        nodes += 1
        kind = type(value)
        if depth > limits.max_depth and (kind is dict or kind is list or kind is tuple):
            raise UnsafeData(f"'{_spelt(path)}' is nested deeper than {limits.max_depth} "
                             "levels (setting data_max_depth)")
        if value is None or kind is bool:
            continue
        if kind is int:
            if value.bit_length() > limits.max_int_bits:
                raise UnsafeData(f"'{_spelt(path)}' is a number of more than "
                                 f"{limits.max_int_bits} bits (setting script_max_int_bits)")
        elif kind is float:
            if not math.isfinite(value):
                raise UnsafeData(f"'{_spelt(path)}' is {value}, which JSON cannot hold")
        elif kind is str:
            if len(value) > limits.max_string:
                raise UnsafeData(f"'{_spelt(path)}' is a string longer than "
                                 f"{limits.max_string} characters (setting script_max_string)")
        elif kind is dict:
            _room(nodes + len(stack) + len(value), limits)
            for k, v in value.items():
                if type(k) is not str:
                    raise UnsafeData(f"'{_spelt(path)}' has a key that is not a string "
                                     f"(a {type(k).__name__})")
                stack.append((value, k, v, depth + 1, (path, k)))
        elif kind is list or kind is tuple:
            _room(nodes + len(stack) + len(value), limits)
            if kind is tuple:
                value = list(value)
                parent[key] = value
            stack.extend((value, i, v, depth + 1, (path, i)) for i, v in enumerate(value))
        else:
            raise UnsafeData(f"'{_spelt(path)}' is a {kind.__name__}, which cannot be stored "
                             "(only JSON values can)")


def _room(count: int, limits: DataLimits) -> None:
    if count > limits.max_nodes:
        raise UnsafeData(f"the data holds more than {limits.max_nodes} values "
                         "(setting data_max_nodes)")


def _spelt(path: Any) -> str:
    parts = []
    while path is not None:
        path, key = path
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return _short("".join(reversed(parts)).lstrip("."))


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[:size] + "..."
