"""What compiled diagram code calls instead of the operations it was written with.

The policy (``sandbox_policy``) rewrites attribute reads into ``_getattr_``, iteration into
``_getiter_``, size-amplifying operators into ``_binop_`` and so on; the functions here are
those names. Attribute access is an allow-list per exact type: a type that is not listed has
no attributes at all, so exceptions, functions, generators, frames, types and modules are
opaque, whatever the name asked for.
"""

import datetime as _dt
import functools
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from .bpmn_error import bpmn_error
from .sandbox_limits import CONTAINERS, STRINGS, budget, tick


class SandboxError(Exception):
    """Diagram code asked for something the sandbox does not offer."""


def _refuse(message: str) -> SandboxError:
    return SandboxError(message)


# --- attributes -----------------------------------------------------------------------------

_STR_METHODS = {
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha",
    "isdecimal", "isdigit", "islower", "isnumeric", "isspace", "istitle", "isupper", "lower",
    "lstrip", "partition", "removeprefix", "removesuffix", "rfind", "rindex", "rpartition",
    "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title",
    "upper",
}
_SIZED_STR_METHODS = {"join", "replace", "center", "ljust", "rjust", "zfill"}
_LIST_METHODS = {"append", "extend", "insert", "pop", "remove", "index", "count", "sort",
                 "reverse", "copy", "clear"}
_DICT_METHODS = {"get", "keys", "values", "items", "pop", "setdefault", "update", "copy",
                 "clear", "popitem"}
_SET_METHODS = {"add", "discard", "remove", "pop", "union", "intersection", "difference",
                "symmetric_difference", "issubset", "issuperset", "isdisjoint", "copy", "clear"}
_DATE_ATTRS = {"year", "month", "day", "weekday", "isoweekday", "isoformat", "toordinal"}
_TIME_ATTRS = {"hour", "minute", "second", "microsecond", "date", "tzinfo"}

ALLOWED_ATTRIBUTES: dict[type, frozenset[str]] = {
    str: frozenset(_STR_METHODS | _SIZED_STR_METHODS),
    list: frozenset(_LIST_METHODS),
    dict: frozenset(_DICT_METHODS),
    set: frozenset(_SET_METHODS),
    frozenset: frozenset(_SET_METHODS - {"add", "discard", "remove", "pop", "clear"}),
    tuple: frozenset({"count", "index"}),
    int: frozenset({"bit_length", "is_integer"}),
    bool: frozenset(),
    float: frozenset({"is_integer"}),
    _dt.date: frozenset(_DATE_ATTRS),
    _dt.datetime: frozenset(_DATE_ATTRS | _TIME_ATTRS),
    _dt.timedelta: frozenset({"days", "seconds", "microseconds", "total_seconds"}),
}
# Every attribute name some allowed type has: a name outside it is refused at upload.
ATTRIBUTE_NAMES = frozenset().union(*ALLOWED_ATTRIBUTES.values())


def _join(s: str, items: Iterable[Any]) -> str:
    parts = list(_getiter_(items))
    size = sum(len(p) if isinstance(p, str) else 0 for p in parts) + len(s) * len(parts)
    _check_string(size)
    return s.join(parts)


def _replace(s: str, old: str, new: str, count: int = -1) -> str:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        hits = s.count(old) if old else len(s) + 1
        if count >= 0:
            hits = min(hits, count)
        _check_string(len(s) + hits * (len(new) - len(old)))
    return s.replace(old, new, count)


def _padding(method: Callable[..., str]) -> Callable[..., str]:
    def padded(s: str, width: int, *args: Any) -> str:
        if isinstance(width, int):
            _check_string(width)
        return method(s, width, *args)
    return padded


def _grows(method: Callable[..., Any]) -> Callable[..., Any]:
    """A list, dict or set method that adds elements: they are charged to the budget."""
    def grown(container: Any, *args: Any, **kwargs: Any) -> Any:
        b = budget()
        for arg in (*args, *kwargs.values()):
            b.spend(b.weight(arg))
        return method(container, *args, **kwargs)
    return grown


def _extend(lst: list[Any], items: Iterable[Any]) -> None:
    parts = list(_getiter_(items))
    budget().spend(budget().weight(parts))
    lst.extend(parts)


_WRAPPED: dict[tuple[type, str], Callable[..., Any]] = {
    (str, "join"): _join, (str, "replace"): _replace,
    (str, "center"): _padding(str.center), (str, "ljust"): _padding(str.ljust),
    (str, "rjust"): _padding(str.rjust), (str, "zfill"): _padding(str.zfill),
    (list, "append"): _grows(list.append), (list, "insert"): _grows(list.insert),
    (list, "extend"): _extend, (dict, "setdefault"): _grows(dict.setdefault),
    (dict, "update"): _grows(dict.update), (set, "add"): _grows(set.add),
}


def _getattr_(obj: Any, name: str, default: Any = None) -> Any:
    kind = type(obj)
    allowed = ALLOWED_ATTRIBUTES.get(kind)
    if allowed is None or name not in allowed:
        raise _refuse(f"attribute '{name}' of {kind.__name__} is not available to diagrams")
    wrapped = _WRAPPED.get((kind, name))
    if wrapped is not None:
        return functools.partial(wrapped, obj)
    return getattr(obj, name)


def _getitem_(obj: Any, key: Any) -> Any:
    return obj[key]


def _write_(obj: Any) -> Any:
    """``x[k] = v`` and ``del x[k]``: only on lists and dicts; attributes are never written."""
    if type(obj) not in (list, dict):
        raise _refuse(f"a diagram cannot change a {type(obj).__name__}")
    return obj


# --- iteration and calls --------------------------------------------------------------------

def _ticking(iterator: Iterator[Any]) -> Iterator[Any]:
    for item in iterator:
        tick()
        yield item


def _getiter_(obj: Any) -> Iterator[Any]:
    return _ticking(iter(obj))


def _iter_unpack_sequence_(it: Any, spec: Any, getiter: Any) -> Any:
    return guarded_iter_unpack_sequence(it, spec, getiter)  # type: ignore[no-untyped-call]


def _unpack_sequence_(it: Any, spec: Any, getiter: Any) -> Any:
    return guarded_unpack_sequence(it, spec, getiter)  # type: ignore[no-untyped-call]


def _apply_(func: Any, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


def _cells_(value: Any) -> Any:
    """A value placed in a container the code builds: charge it to the budget."""
    b = budget()
    b.spend(b.weight(value) if type(value) in CONTAINERS or type(value) in STRINGS else 1)
    return value


def _built_(value: Any) -> Any:
    """A list, tuple, set or dict display: charge its elements."""
    b = budget()
    b.spend(b.weight(value))
    return value


# --- sized operators ------------------------------------------------------------------------

def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_int(bits: int) -> None:
    limits = budget().limits
    if bits > limits.max_int_bits:
        raise limits.exceeded(f"a number of {bits} bits", "script_max_int_bits",
                              f"{limits.max_int_bits} bits")


def _check_string(size: int) -> None:
    limits = budget().limits
    if size > limits.max_string:
        raise limits.exceeded(f"a string of {size} characters", "script_max_string",
                              f"{limits.max_string} characters")


def _check_repeat(seq: Any, times: Any) -> None:
    if not isinstance(times, int) or times <= 0:
        return
    if type(seq) in STRINGS:
        _check_string(len(seq) * times)
    else:
        b = budget()
        b.spend(b.weight(seq) * times)


_REPEATABLE = (str, bytes, list, tuple)


def _pow(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        _check_int(_int_bits(a) * b)
    return a ** b


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, int):
        if isinstance(b, int):
            _check_int(_int_bits(a) + _int_bits(b))
        elif type(b) in _REPEATABLE:
            _check_repeat(b, a)
    elif isinstance(b, int) and type(a) in _REPEATABLE:
        _check_repeat(a, b)
    return a * b


def _lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and a and b > 0:
        _check_int(_int_bits(a) + b)
    return a << b


def _add(a: Any, b: Any) -> Any:
    if type(a) in STRINGS and type(b) in STRINGS:
        _check_string(len(a) + len(b))
    elif type(a) in (list, tuple) and type(b) in (list, tuple):
        bud = budget()
        bud.spend(bud.weight(a) + bud.weight(b))
    return a + b


# printf-style conversions: %[(key)][flags][width][.precision][length]type
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?[hlL]?(.)", re.DOTALL)


def _mod(a: Any, b: Any) -> Any:
    if type(a) in STRINGS:
        text = a.decode("latin-1") if isinstance(a, bytes) else a
        size = len(text)
        for width, precision, _kind in _PRINTF.findall(text):
            if "*" in (width, precision):
                raise _refuse("'*' widths in %-formatting are not available to diagrams")
            size += int(width or 0) + int(precision or 0)
        args = b if isinstance(b, tuple) else (b,)
        for arg in args:
            size += len(arg) if type(arg) in STRINGS else _repr_size(arg)
        _check_string(size)
        result = a % b
        _check_string(len(result))
        return result
    return a % b


def _repr_size(value: Any) -> int:
    """Cells of a value about to be turned into text (bounded by the budget)."""
    if type(value) in CONTAINERS or isinstance(value, BaseException):
        return budget().weight(value) * 4
    return 32 if not isinstance(value, int) else _int_bits(value) // 3 + 2


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "**": _pow, "*": _mul, "<<": _lshift, "+": _add, "%": _mod,
    "-": operator.sub, "/": operator.truediv, "//": operator.floordiv, ">>": operator.rshift,
    "&": operator.and_, "|": operator.or_, "^": operator.xor, "@": operator.matmul,
}


def _binop_(op: str, a: Any, b: Any) -> Any:
    return _OPERATORS[op](a, b)


def _inplacevar_(op: str, a: Any, b: Any) -> Any:
    return _OPERATORS[op[:-1]](a, b)


def _fmtval_(value: Any) -> Any:
    """A value an f-string formats: text from it is bounded like any other string."""
    if type(value) in STRINGS:
        _check_string(len(value))
    elif type(value) in CONTAINERS or isinstance(value, int | BaseException):
        _check_string(_repr_size(value))
    return value


def _fstr_(text: str) -> str:
    _check_string(len(text))
    return text


# --- builtins -------------------------------------------------------------------------------

def _range(*args: int) -> range:
    r = range(*args)
    budget().spend(len(r))
    return r


def _str(value: Any = "") -> str:
    _fmtval_(value)
    text = str(value)
    _check_string(len(text))
    return text


def _zip(*iterables: Any) -> list[tuple[Any, ...]]:
    """``zip`` made a list and charged: zipping a structure with itself doubles it."""
    b = budget()
    pairs = list(zip(*(_getiter_(i) for i in iterables), strict=False))
    b.spend(b.weight(pairs))
    return pairs


def _sum(items: Iterable[Any], start: Any = 0) -> Any:
    if not isinstance(start, int | float):
        raise _refuse("sum() adds numbers only")
    total = start
    for item in _getiter_(items):
        total = _add(total, item)
    return total


def _round(number: Any, ndigits: int | None = None) -> Any:
    if ndigits is not None and isinstance(ndigits, int) and abs(ndigits) > 400:
        raise _refuse("round() to more than 400 digits is not available to diagrams")
    return round(number, ndigits)


def _isinstance(value: Any, kinds: Any) -> bool:
    return isinstance(value, kinds)


SAFE_BUILTINS: dict[str, Any] = {
    "abs": abs, "all": all, "any": any, "bool": bool, "dict": dict, "enumerate": enumerate,
    "float": float, "int": int, "isinstance": _isinstance, "len": len, "list": list,
    "max": max, "min": min, "reversed": reversed, "round": _round, "set": set,
    "sorted": sorted, "str": _str, "sum": _sum, "tuple": tuple, "zip": _zip, "range": _range,
    "chr": chr, "ord": ord, "divmod": divmod, "isfinite": math.isfinite,
    "ValueError": ValueError, "KeyError": KeyError, "IndexError": IndexError,
    "TypeError": TypeError, "ZeroDivisionError": ZeroDivisionError, "Exception": Exception,
    "True": True, "False": False, "None": None,
    # Throws a BPMN error from a script task (engine/bpmn_error.py).
    "bpmn_error": bpmn_error,
}

GUARDS: dict[str, Any] = {
    "_getattr_": _getattr_, "_getitem_": _getitem_, "_write_": _write_,
    "_getiter_": _getiter_, "_iter_unpack_sequence_": _iter_unpack_sequence_,
    "_unpack_sequence_": _unpack_sequence_, "_apply_": _apply_, "_inplacevar_": _inplacevar_,
    "_binop_": _binop_, "_tick_": tick, "_cells_": _cells_, "_built_": _built_,
    "_fmtval_": _fmtval_, "_fstr_": _fstr_,
}
