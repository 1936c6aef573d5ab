"""The compiler policy for diagram code: RestrictedPython's, made stricter and metered.

RestrictedPython's ``RestrictingNodeTransformer`` refuses names and attributes that start
with ``_``, rewrites attribute reads, subscripts, iteration and in-place operators into
guard calls, and refuses any syntax it does not know (``match`` among them: class patterns
read attributes behind the guard's back). On top of that this policy

* refuses imports, classes, decorators, ``global``/``nonlocal``, generators (``yield``),
  ``async``/``await``, ``with``, bare ``except:``, and attribute names no allowed type has;
* rewrites ``**``, ``*``, ``<<``, ``+`` and ``%`` into ``_binop_`` (sizes checked before
  computing), charges every element placed in a display or comprehension (``_built_``,
  ``_cells_``), bounds f-strings (constant format specs, small widths);
* ticks the CPU clock at every function or lambda entry and ``while`` iteration (``for``
  loops and comprehensions tick through ``_getiter_``).
"""

import ast
import re
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from .sandbox_guards import ATTRIBUTE_NAMES

_BINOPS: dict[type, str] = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Add: "+",
                            ast.Mod: "%"}
MAX_FORMAT_WIDTH = 1000
MAX_FSTRING_VALUES = 32
_DIGITS = re.compile(r"\d+")
# Python builtins that reach interpreter internals; named so an upload fails clearly.
ESCAPE_HATCHES = frozenset({
    "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr", "globals",
    "locals", "vars", "dir", "input", "breakpoint", "help", "memoryview", "type", "super",
    "object", "classmethod", "staticmethod", "property", "exit", "quit", "format", "iter",
    "next", "aiter", "anext", "callable", "issubclass",
})


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _tick_stmt(near: ast.AST) -> ast.Expr:
    stmt = ast.Expr(_call("_tick_"))
    copy_locations(stmt, near)  # type: ignore[arg-type]
    return stmt


class DiagramPolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with GovFlow's refusals, size guards and CPU ticks."""

    def _refuse(self, node: ast.AST, what: str) -> None:
        self.error(node, f"{what} are not allowed in diagram code")

    # --- refused outright -------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> Any:
        self._refuse(node, "imports")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self._refuse(node, "imports")

    def visit_ClassDef(self, node: ast.ClassDef) -> Any:
        self._refuse(node, "class definitions")

    def visit_Global(self, node: ast.Global) -> Any:
        self._refuse(node, "global statements")

    def visit_Nonlocal(self, node: ast.Nonlocal) -> Any:
        self._refuse(node, "nonlocal statements")

    def visit_Yield(self, node: ast.Yield) -> Any:
        self._refuse(node, "generators (yield)")

    def visit_YieldFrom(self, node: ast.YieldFrom) -> Any:
        self._refuse(node, "generators (yield)")

    def visit_With(self, node: ast.With) -> Any:
        self._refuse(node, "with statements")

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        if node.type is None:
            self._refuse(node, "bare 'except:' clauses")
        return super().visit_ExceptHandler(node)

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("print", "printed"):
            self._refuse(node, "print statements")
        elif node.id in ESCAPE_HATCHES and isinstance(node.ctx, ast.Load):
            # They do not exist at run time either (builtins are an allow-list); refusing
            # them here tells the uploader at once.
            self.error(node, f'"{node.id}" is not available to diagram code')
        return super().visit_Name(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr not in ATTRIBUTE_NAMES and not node.attr.startswith("_"):
            self.error(node, f'attribute "{node.attr}" is not available to diagram code')
        return super().visit_Attribute(node)

    # --- metered ----------------------------------------------------------------------------

    def visit_FunctionDef(self, node: Any) -> Any:
        if node.decorator_list:
            self._refuse(node, "decorators")
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    def visit_Lambda(self, node: Any) -> Any:
        node = super().visit_Lambda(node)
        body = ast.BoolOp(op=ast.Or(), values=[_call("_tick_"), node.body])
        copy_locations(body, node.body)
        node.body = body
        return node

    def visit_While(self, node: Any) -> Any:
        node = super().visit_While(node)
        node.body.insert(0, _tick_stmt(node))
        return node

    # --- sized ------------------------------------------------------------------------------

    def visit_BinOp(self, node: Any) -> Any:
        node = super().visit_BinOp(node)
        symbol = _BINOPS.get(type(node.op))
        if symbol is None:
            return node
        call = _call("_binop_", ast.Constant(symbol), node.left, node.right)
        copy_locations(call, node)
        return call

    def _displayed(self, node: Any) -> Any:
        if isinstance(getattr(node, "ctx", ast.Load()), ast.Load) and not all(
                isinstance(e, ast.Constant) for e in _elements(node)):
            call = _call("_built_", node)
            copy_locations(call, node)
            return call
        return node

    def visit_List(self, node: ast.List) -> Any:
        return self._displayed(super().visit_List(node))

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return self._displayed(super().visit_Tuple(node))

    def visit_Set(self, node: ast.Set) -> Any:
        return self._displayed(super().visit_Set(node))

    def visit_Dict(self, node: ast.Dict) -> Any:
        return self._displayed(super().visit_Dict(node))

    def _charged(self, node: ast.expr) -> ast.Call:
        call = _call("_cells_", node)
        copy_locations(call, node)
        return call

    def visit_ListComp(self, node: Any) -> Any:
        node = super().visit_ListComp(node)
        node.elt = self._charged(node.elt)
        return node

    def visit_SetComp(self, node: Any) -> Any:
        node = super().visit_SetComp(node)
        node.elt = self._charged(node.elt)
        return node

    def visit_GeneratorExp(self, node: Any) -> Any:
        node = super().visit_GeneratorExp(node)
        node.elt = self._charged(node.elt)
        return node

    def visit_DictComp(self, node: Any) -> Any:
        node = super().visit_DictComp(node)
        node.key = self._charged(node.key)
        node.value = self._charged(node.value)
        return node

    def visit_Assign(self, node: ast.Assign) -> Any:
        if any(isinstance(t, ast.Subscript) for t in node.targets):
            node.value = self.visit(node.value)
            node.value = self._charged(node.value)
            node.targets = [self.visit(t) for t in node.targets]
            return node
        return super().visit_Assign(node)

    def visit_JoinedStr(self, node: Any) -> Any:
        values = [v for v in node.values if isinstance(v, ast.FormattedValue)]
        if len(values) > MAX_FSTRING_VALUES:
            self.error(node, f"an f-string may format at most {MAX_FSTRING_VALUES} values")
        node = super().visit_JoinedStr(node)
        call = _call("_fstr_", node)
        copy_locations(call, node)
        return call

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(p, ast.Constant) for p in parts):
                self.error(node, "f-string format specs must be constant")
            text = "".join(str(p.value) for p in parts if isinstance(p, ast.Constant))
            if any(int(d) > MAX_FORMAT_WIDTH for d in _DIGITS.findall(text)):
                self.error(node, f"f-string widths above {MAX_FORMAT_WIDTH} are not allowed")
        node.value = self.visit(node.value)
        node.value = self._wrap(node.value, "_fmtval_")
        return node

    def _wrap(self, node: ast.expr, name: str) -> ast.Call:
        call = _call(name, node)
        copy_locations(call, node)
        return call


def _elements(node: Any) -> list[Any]:
    if isinstance(node, ast.Dict):
        return [*(k for k in node.keys if k is not None), *node.values,
                *([None] if None in node.keys else [])]
    return list(node.elts)
