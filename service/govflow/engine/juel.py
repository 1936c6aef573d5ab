"""JUEL, the expression language of Camunda 7, translated to sandbox Python.

Camunda Modeler users write ``${approved}``, ``${!approved}``, ``${amount > 1000 && urgent}``,
``${x eq 'yes'}``, ``${empty comments}`` or ``${nrOfCompletedInstances/nrOfInstances >= 0.6}``.
GovFlow runs every expression as Python in the RestrictedPython sandbox (scripting.py); this
module turns the JUEL text into Python source that the sandbox then compiles and meters like
any other expression. Nothing here evaluates anything.

The rule (docs/diagrams.md, "Expressions (JUEL and Python)"):

- text wrapped in ``${...}`` or ``#{...}`` is read as JUEL first; when it is not JUEL but is
  a Python expression (``${len(items) > 2}``, ``${x in ('a', 'b')}``, ``${name.upper()}``),
  it stays Python, as GovFlow diagrams have always written it;
- text that is neither is refused, naming the column where JUEL reading stopped;
- bare text (a condition without ``${}``, a script) is Python, untouched.

The JUEL subset: literals (``true false null``, numbers, strings in ``'`` or ``"`` with
``\\'`` ``\\"`` ``\\\\`` escapes), variables, ``a.b`` and ``a[b]``, unary ``- ! not empty``,
``* / div % mod``, ``+ -``, ``< > <= >= lt gt le ge``, ``== != eq ne``, ``&& and``,
``|| or``, ``c ? a : b`` and parentheses, with JUEL's precedence. Of method calls only
``execution.getVariable('name')`` (the variable itself). ``a.b`` and ``a[b]`` follow JUEL's
map and list resolution: a missing key, an index out of range or a null base give null.
``/`` and ``div`` divide exactly (``3/2`` is 1.5), as JUEL does.
"""

import ast
import keyword
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from .errors import ScriptRefused
from .sandbox_policy import ESCAPE_HATCHES

_WRAPPED = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.DOTALL)
MAX_DEPTH = 60  # nested parentheses, operators and accesses of one expression
MAX_NUMBER = 60  # digits of a number literal

_KEYWORDS = frozenset({"true", "false", "null", "and", "or", "not", "empty", "div", "mod",
                       "eq", "ne", "lt", "gt", "le", "ge", "instanceof"})
_WORD_OPS = {"and": "&&", "or": "||", "not": "!", "div": "/", "mod": "%", "eq": "==",
             "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
_SYMBOLS = ("&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%",
            "?", ":", "(", ")", "[", "]", ".", ",")
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<symbol>&&|\|\||==|!=|<=|>=|[<>!+\-*/%?:()\[\].,])
""", re.VERBOSE | re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


class JuelSyntaxError(ValueError):
    """Not JUEL (GovFlow's subset): ``column`` is 1-based in the text inside the braces."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"{message} at column {column}")
        self.column = column


class JuelRefused(ScriptRefused):
    """JUEL GovFlow does not run (``execution.processBusinessKey``, other method calls)."""


@dataclass(frozen=True)
class _Token:
    kind: str  # number, name, string, symbol, op (a word operator), end
    text: str
    column: int


def is_wrapped(text: str) -> bool:
    return bool(_WRAPPED.match(text))


def translate(text: str, names: Mapping[str, str] | None = None) -> str:
    """Python source for ``text``: bare text as it is (stripped); ``${...}``/``#{...}``
    read as JUEL, or kept as Python when it is a Python expression and not JUEL. ``names``
    renames JUEL variables (a DMN input entry's ``cellInput``). Raises ScriptRefused naming
    the expression and the column JUEL reading stopped at."""
    return _translate(text, tuple(sorted((names or {}).items())))


@lru_cache(maxsize=4096)
def _translate(text: str, renames: tuple[tuple[str, str], ...]) -> str:
    names = dict(renames)
    found = _WRAPPED.match(text)
    if not found:
        return text.strip()
    inner = found.group(1)
    try:
        python = to_python(inner, names)
    except JuelSyntaxError as exc:
        if _python_tree(inner) is not None:
            return inner.strip()
        raise ScriptRefused(f"{text.strip()!r} is neither a JUEL nor a Python expression: "
                            f"{exc}") from None
    except JuelRefused as exc:
        raise JuelRefused(f"{text.strip()!r}: {exc}") from None
    tree = _python_tree(inner)
    if tree is not None and _reads_differently(tree, inner.strip()):
        raise ScriptRefused(f"{text.strip()!r} means one thing in JUEL and another in Python "
                            "(JUEL: 'not a == b' is '(not a) == b', 'a < b < c' is "
                            "'(a < b) < c'): add parentheses")
    return python


def to_python(juel: str, names: Mapping[str, str] | None = None) -> str:
    """The Python source of one JUEL expression (the text inside ``${}``)."""
    parser = _Parser(_tokens(juel), names or {})
    result = parser.expression()
    if parser.peek.kind != "end":
        raise parser.unexpected()
    return result


def _python_tree(source: str) -> ast.Expression | None:
    try:
        return ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _reads_differently(tree: ast.Expression, source: str) -> bool:
    """Text both languages read, with a different grouping: ``not`` over an unparenthesised
    comparison or arithmetic, or chained comparisons."""
    for node in ast.walk(tree):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and \
                isinstance(node.operand, ast.Compare | ast.BinOp) and \
                not _parenthesised((ast.get_source_segment(source, node) or "")[3:].strip()):
            return True
        if isinstance(node, ast.Compare) and len(node.ops) > 1:
            return True
    return False


def _parenthesised(text: str) -> bool:
    """Whether ``text`` is one ``( ... )`` group."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index == len(text) - 1 and char == ")"
    return False


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found:
            raise JuelSyntaxError(f"unexpected character {text[pos]!r}", pos + 1)
        kind = found.lastgroup or "space"
        value = found.group()
        if kind == "name" and value in _WORD_OPS:
            kind = "op"
        if kind != "space":
            tokens.append(_Token(kind, value, pos + 1))
        pos = found.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    """Recursive descent over JUEL's grammar; each method returns Python source,
    fully parenthesised so Python's own precedence never decides anything."""

    def __init__(self, tokens: list[_Token], names: Mapping[str, str]) -> None:
        self.tokens = tokens
        self.names = names
        self.pos = 0
        self.depth = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at(self, *ops: str) -> str | None:
        """The operator at the cursor, word operators as their symbol, if one of ``ops``."""
        token = self.peek
        if token.kind == "symbol" and token.text in ops:
            return token.text
        if token.kind == "op" and _WORD_OPS[token.text] in ops:
            return _WORD_OPS[token.text]
        return None

    def expect(self, symbol: str) -> None:
        if self.peek.kind != "symbol" or self.peek.text != symbol:
            raise self.unexpected(f"'{symbol}'")
        self.take()

    def unexpected(self, wanted: str | None = None) -> JuelSyntaxError:
        token = self.peek
        seen = "the end" if token.kind == "end" else repr(token.text)
        return JuelSyntaxError(f"expected {wanted or 'an operator or the end'}, found {seen}",
                               token.column)

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise JuelSyntaxError(f"nested more than {MAX_DEPTH} deep", self.peek.column)

    def expression(self) -> str:
        self.nested()
        condition = self.binary(0)
        if self.at("?"):
            self.take()
            then = self.expression()
            self.expect(":")
            otherwise = self.expression()
            condition = f"({then} if {condition} else {otherwise})"
        self.depth -= 1
        return condition

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))
    _PYTHON: ClassVar[dict[str, str]] = {"||": "or", "&&": "and"}

    def binary(self, level: int) -> str:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while op := self.at(*self._LEVELS[level]):
            self.take()
            right = self.binary(level + 1)
            left = f"({left} {self._PYTHON.get(op, op)} {right})"
        return left

    def unary(self) -> str:
        token = self.peek
        if self.at("-", "!") or (token.kind == "name" and token.text == "empty"):
            self.take()
            self.nested()
            operand = self.unary()
            self.depth -= 1
            if token.text == "-":
                return f"(-{operand})"
            if token.text == "empty":
                return f"juel_empty({operand})"
            return f"(not {operand})"
        return self.value()

    def value(self) -> str:
        start = self.peek
        if start.kind == "name" and start.text == "execution":
            return self.execution()
        result = self.primary()
        while True:
            if self.at("."):
                self.take()
                name = self.take()
                if name.kind not in ("name", "op"):
                    raise JuelSyntaxError("expected a property name after '.'", name.column)
                if self.at("("):
                    raise JuelSyntaxError(f"method call '{name.text}(...)' is not JUEL that "
                                          "GovFlow runs", name.column)
                result = f"juel_get({result}, {name.text!r})"
            elif self.at("["):
                self.take()
                key = self.expression()
                self.expect("]")
                result = f"juel_get({result}, {key})"
            else:
                return result

    def execution(self) -> str:
        """``execution.getVariable('x')`` is the variable ``x``; nothing else of Camunda's
        execution object exists here."""
        self.take()
        if self.at("."):
            self.take()
            member = self.take()
            if member.text == "getVariable" and self.at("("):
                self.take()
                arg = self.take()
                if arg.kind == "string" and self.at(")"):
                    self.take()
                    name = _string(arg)
                    if _is_variable(name):
                        return name
                raise JuelRefused(f"execution.getVariable(...) at column {member.column}: "
                                  "only a literal variable name is supported, e.g. "
                                  "execution.getVariable('amount')")
            raise JuelRefused(f"'execution.{member.text}' at column {member.column} is not "
                              "available in GovFlow: only execution.getVariable('name') is; "
                              "use the variable itself")
        return "execution"  # a variable of that name

    def primary(self) -> str:
        token = self.take()
        if token.kind == "number":
            return _number(token)
        if token.kind == "string":
            return repr(_string(token))
        if token.kind == "name":
            if token.text == "true":
                return "True"
            if token.text == "false":
                return "False"
            if token.text == "null":
                return "None"
            if token.text in self.names:
                return self.names[token.text]
            if token.text in _BUILTIN_NAMES:  # a variable named "input" or "type"
                return f"juel_var({token.text!r})"
            if token.text in _KEYWORDS:
                raise JuelSyntaxError(f"'{token.text}' is a JUEL keyword", token.column)
            if not _is_variable(token.text) and token.text not in ("True", "False", "None"):
                raise JuelSyntaxError(f"'{token.text}' is not a variable name GovFlow "
                                      "accepts", token.column)
            if self.at("("):
                raise JuelSyntaxError(f"function call '{token.text}(...)' is not JUEL that "
                                      "GovFlow runs", token.column)
            return token.text
        if token.kind == "symbol" and token.text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        self.pos -= 1
        raise self.unexpected("a value")


_BUILTIN_NAMES = ESCAPE_HATCHES | {"print", "printed"}


def _is_variable(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def _number(token: _Token) -> str:
    text = token.text
    if len(text) > MAX_NUMBER:
        raise JuelSyntaxError(f"number longer than {MAX_NUMBER} characters", token.column)
    if re.fullmatch(r"\d+", text):
        return str(int(text))
    value = float(text)
    if not math.isfinite(value):
        raise JuelSyntaxError("number out of range", token.column)
    return repr(value)


def _string(token: _Token) -> str:
    body = token.text[1:-1]

    def escape(found: re.Match[str]) -> str:
        if found.group(1) not in "'\"\\":
            raise JuelSyntaxError(f"unknown escape '\\{found.group(1)}' in a string",
                                  token.column)
        return found.group(1)

    return _ESCAPE.sub(escape, body)


# Run-time helpers the translated source calls; scripting.py puts them in every scope
# (task data cannot shadow them).

def juel_empty(value: Any) -> bool:
    """JUEL ``empty``: null, an empty string, list or map."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return False


def juel_get(base: Any, key: Any) -> Any:
    """JUEL ``base.key`` / ``base[key]`` on task data: a map's entry, a list's item; null
    when the base is null, the key is missing or the index is out of range."""
    if base is None or key is None:
        return None
    if isinstance(base, dict):
        return base.get(key)
    if isinstance(base, list | tuple | str):
        if isinstance(key, bool) or not isinstance(key, int):
            if isinstance(key, str) and re.fullmatch(r"-?\d{1,18}", key):
                key = int(key)
            else:
                raise TypeError(f"a list index must be a number, not {type(key).__name__}")
        return base[key] if -len(base) <= key < len(base) else None
    raise TypeError(f"cannot read '{key}' of a {type(base).__name__}")


def juel_var(name: str) -> Any:
    """A task variable whose name Python code may not use (``input``, ``type``, ``format``,
    ...): read from the evaluating expression's own scope, which holds the task data. Only
    those names: anything else of the scope (guards, builtins) stays out of reach."""
    if name not in _BUILTIN_NAMES:
        raise NameError(f"juel_var reads only variables named like a builtin, not {name!r}")
    scope = sys._getframe(1).f_globals
    if name not in scope:
        raise NameError(f"name '{name}' is not defined")
    return scope[name]


HELPERS: dict[str, Any] = {"juel_empty": juel_empty, "juel_get": juel_get,
                           "juel_var": juel_var}
