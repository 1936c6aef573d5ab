"""The import rule, checked from source: the graph of a package's imports (every module
ast-parsed, imports inside functions and ``TYPE_CHECKING`` blocks included), its cycles,
and the imports that point up a declared layer list."""

import ast
import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

Graph = dict[str, set[str]]


def import_graph(package_dir: Path) -> Graph:
    """Module -> modules of the same package it imports."""
    root = package_dir.name
    modules: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    graph: Graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(_known(a.name, modules) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, package)
                for alias in node.names:
                    # ``from pkg import module`` imports the module, else the package.
                    child = f"{base}.{alias.name}"
                    targets.add(child if child in modules else _known(base, modules))
        graph[name] = {t for t in targets if t and t.split(".")[0] == root and t != name}
    return graph


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = ".".join(parts[:len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def _known(name: str, modules: dict[str, Path]) -> str:
    """The longest prefix of ``name`` that is a module of the package ('' if none)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def cycles(graph: Graph) -> list[list[str]]:
    """The import cycles: each strongly connected component of more than one module
    (or a module importing itself), as a sorted list (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@dataclass(frozen=True)
class Layer:
    name: str
    patterns: tuple[str, ...]  # fnmatch patterns of module names


def layer_of(module: str, layers: Sequence[Layer]) -> int | None:
    """The index of the highest layer with a pattern that matches (so ``*.endpoints`` in
    the shell wins over a domain's ``govflow.tasks.*``)."""
    for i, layer in enumerate(layers):
        if any(fnmatch.fnmatchcase(module, pattern) for pattern in layer.patterns):
            return i
    return None


def unlayered(graph: Graph, layers: Sequence[Layer]) -> list[str]:
    return sorted(m for m in graph if layer_of(m, layers) is None)


def upward_imports(graph: Graph, layers: Sequence[Layer]) -> list[str]:
    """Imports from a module to one of a layer above it (layers listed top first)."""
    found = []
    for source, targets in sorted(graph.items()):
        below = layer_of(source, layers)
        for target in sorted(targets):
            above = layer_of(target, layers)
            if below is not None and above is not None and above < below:
                found.append(f"{source} ({layers[below].name}) imports {target} "
                             f"({layers[above].name})")
    return found
