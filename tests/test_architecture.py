"""The import rule (docs/development-commands.md): dependencies point one way, shell ->
commands -> domain services -> domain logic -> kernel -> engine and store, with no import
cycle between modules."""

from pathlib import Path

import govflow

from tests.support.imports import Layer, cycles, import_graph, unlayered, upward_imports

DOMAINS = ("tenants", "diagrams", "calendar", "instances", "tasks", "timers", "decisions",
           "external", "migration", "feed", "taskops", "plans", "documents")

LAYERS = (
    # What takes requests and drives the loops: HTTP endpoints, the CLI, the app factory,
    # the timer worker's loop.
    Layer("shell", ("govflow.__main__", "govflow.cli", "govflow.main", "govflow.bootstrap",
                    "govflow.ops", "govflow.deps", "govflow.*.endpoints",
                    "govflow.timers.worker", "govflow.migration.worker", "govflow.feed.worker",
                    "govflow.migration.cli", "govflow.warmup", "govflow.apidocs",
                    "govflow.query_params", "govflow.cors", "govflow.http_cache",
                    "govflow.gc_tuning")),
    # Every state change: one command object each, run by execute().
    Layer("commands", ("govflow.commands", "govflow.commands.*")),
    # Reads and the checks commands share; they never commit.
    Layer("services", ("govflow.*.service",)),
    # What every request and worker shares.
    Layer("context", ("govflow.context",)),
    # Repositories and domain rules: rows, views, forms, due dates, caches.
    Layer("domain", tuple(p for d in DOMAINS for p in (f"govflow.{d}", f"govflow.{d}.*"))),
    Layer("kernel", ("govflow", "govflow.auth", "govflow.auth.*", "govflow.errors",
                     "govflow.settings", "govflow.fields", "govflow.jsonbounds",
                     "govflow.metrics", "govflow.request_id", "govflow.logs",
                     "govflow.schemas", "govflow.body_limit", "govflow.cursor",
                     "govflow.problem_codes")),
    # The inner rings: the only code that imports SpiffWorkflow, and the tables.
    Layer("engine and store", ("govflow.engine", "govflow.engine.*", "govflow.store",
                               "govflow.store.*")),
)

PACKAGE = Path(govflow.__file__).parent


def test_govflow_has_no_import_cycle():
    assert cycles(import_graph(PACKAGE)) == []


def test_every_module_sits_in_a_layer():
    assert unlayered(import_graph(PACKAGE), LAYERS) == []


def test_no_module_imports_from_a_layer_above_it():
    assert upward_imports(import_graph(PACKAGE), LAYERS) == []


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "app"


SMALL_LAYERS = (Layer("shell", ("app.web",)), Layer("commands", ("app.commands",)),
                Layer("domain", ("app", "app.orders", "app.orders.*")))


def test_the_checker_catches_a_planted_cycle_and_an_upward_import(tmp_path):
    clean = _package(tmp_path / "clean", {
        "__init__.py": "", "web.py": "from .commands import place\n",
        "commands.py": "from .orders import repository\n\ndef place(): ...\n",
        "orders/__init__.py": "", "orders/repository.py": "import app.orders.rules\n",
        "orders/rules.py": "",
    })
    graph = import_graph(clean)
    assert graph["app.commands"] == {"app.orders.repository"}
    assert graph["app.orders.repository"] == {"app.orders.rules"}
    assert cycles(graph) == []
    assert upward_imports(graph, SMALL_LAYERS) == []

    planted = _package(tmp_path / "planted", {
        "__init__.py": "", "web.py": "from .commands import place\n",
        "commands.py": "from .orders import repository\n\ndef place(): ...\n",
        "orders/__init__.py": "",
        # A rule that reaches back up into the commands, from inside a function.
        "orders/repository.py": "def load():\n    from ..commands import place\n",
    })
    graph = import_graph(planted)
    assert cycles(graph) == [["app.commands", "app.orders.repository"]]
    assert upward_imports(graph, SMALL_LAYERS) == [
        "app.orders.repository (domain) imports app.commands (commands)"]
    assert unlayered({**graph, "app.misc": set()}, SMALL_LAYERS) == ["app.misc"]
