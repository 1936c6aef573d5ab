"""SpiffWorkflow stays inside engine/: nothing outside imports it, and what engine/ hands
out (every name a module outside engine/ imports from it) is typed without its types."""

import ast
import dataclasses
import importlib
import inspect
import typing
from pathlib import Path
from typing import Any

import pytest

SERVICE = Path(__file__).resolve().parents[2] / "service" / "govflow"
ENGINE = SERVICE / "engine"


def _outside_modules() -> list[Path]:
    return [p for p in SERVICE.rglob("*.py") if ENGINE not in p.parents]


def _imports(path: Path) -> list[ast.ImportFrom | ast.Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def test_no_module_outside_engine_imports_spiffworkflow():
    offenders = []
    for path in _outside_modules():
        for node in _imports(path):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            offenders += [f"{path.relative_to(SERVICE)}:{node.lineno} imports {n}"
                          for n in names if n.split(".")[0] == "SpiffWorkflow"]
    assert not offenders, "only govflow.engine may import SpiffWorkflow:\n" + "\n".join(offenders)


def _engine_surface() -> set[tuple[str, str]]:
    """(engine module, name) for every name a module outside engine/ imports from engine/."""
    used = set()
    for path in _outside_modules():
        package = ".".join(path.relative_to(SERVICE.parent).with_suffix("").parts[:-1])
        for node in _imports(path):
            if not isinstance(node, ast.ImportFrom) or node.module is None and node.level == 0:
                continue
            base = importlib.util.resolve_name("." * node.level + (node.module or ""),
                                               package) if node.level else node.module
            if not (base or "").startswith("govflow.engine"):
                continue
            for alias in node.names:
                if base == "govflow.engine":
                    continue  # a submodule imported whole: its names are checked as used
                used.add((base, alias.name))
    return used


def _mentions_library(hint: Any) -> list[str]:
    found = []
    module = getattr(hint, "__module__", "") or ""
    if module.split(".")[0] == "SpiffWorkflow":
        found.append(f"{module}.{getattr(hint, '__qualname__', hint)}")
    for arg in typing.get_args(hint):
        found += _mentions_library(arg)
    return found


def _hints(obj: Any) -> dict[str, Any]:
    hints = typing.get_type_hints(obj)
    return {k: v for k, v in hints.items() if not k.startswith("_")}


def _surface_hints(module: str, name: str) -> dict[str, Any]:
    obj = getattr(importlib.import_module(module), name)
    if inspect.isfunction(obj):
        return {f"{name}({k})": v for k, v in _hints(obj).items()}
    if not inspect.isclass(obj) or obj.__module__.split(".")[0] == "SpiffWorkflow":
        return {name: obj} if inspect.isclass(obj) else {}
    found = {f"{name}.{k}": v for k, v in _hints(obj).items()}
    for attr, member in vars(obj).items():
        function = getattr(member, "__func__", member)
        if attr.startswith("_") or not inspect.isfunction(function):
            continue
        found |= {f"{name}.{attr}({k})": v for k, v in _hints(function).items()}
    return found


SURFACE = sorted(_engine_surface())


def test_the_engine_surface_is_found():
    assert ("govflow.engine.specs", "DiagramSpecs") in SURFACE


@pytest.mark.parametrize(("module", "name"), SURFACE, ids=[f"{m}.{n}" for m, n in SURFACE])
def test_what_engine_hands_out_is_typed_without_library_types(module, name):
    bad = {where: _mentions_library(hint) for where, hint in _surface_hints(module, name).items()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"{module}.{name} exposes SpiffWorkflow types: {bad}"


def test_parsed_views_hold_plain_data_only():
    """A diagram set's processes and decisions carry views, not library objects behind Any."""
    from govflow.engine.specs import DecisionInfo, DiagramSpecs, ProcessInfo

    for cls in (DiagramSpecs, ProcessInfo, DecisionInfo):
        public = [f for f in dataclasses.fields(cls) if not f.name.startswith("_")]
        hints = typing.get_type_hints(cls)
        untyped = [f.name for f in public if hints[f.name] is Any]
        assert not untyped, f"{cls.__name__} hands out {untyped} as Any"
