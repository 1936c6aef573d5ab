"""Every .bpmn file of the repository must open cleanly in the bpmn.io modeler.

Process owners edit our diagrams in bpmn-js (the bpmn.io Modeler). SpiffWorkflow accepts files
that bpmn-js only half draws (dangling references, DI for unknown elements, ...), so this test
loads each file into the real Modeler in headless Chromium (tests/modeler/import_check.mjs, one
browser for all files) and fails on any import error or warning.

Needs node >= 20, Chromium (/usr/bin/chromium or $CHROMIUM_PATH) and tests/modeler/node_modules:
`tests/modeler/setup.sh` installs them. Without them the tests skip, except when the environment
variable CI is set: there they fail, so CI can never skip the check silently.

Set MODELER_SCREENSHOT_DIR=some/dir to get a PNG of each rendered diagram.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODELER_DIR = ROOT / "tests" / "modeler"
CHECKER = MODELER_DIR / "import_check.mjs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BROKEN_DIR = FIXTURES / "broken"  # deliberately invalid diagrams: expected to fail the check
SEARCH_DIRS = (ROOT / "bpmn", ROOT / "tests")
SETUP_HINT = (
    "bpmn-js import check needs node (>= 20), /usr/bin/chromium and tests/modeler/node_modules: "
    "run tests/modeler/setup.sh"
)


def _bpmn_files(base: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d != "node_modules" and not d.startswith(".") and here / d != BROKEN_DIR
        )
        found.extend(here / f for f in sorted(filenames) if f.lower().endswith(".bpmn"))
    return found


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


ALL_FILES = sorted({_rel(p) for base in SEARCH_DIRS if base.is_dir() for p in _bpmn_files(base)})
BROKEN_FILES = sorted(_rel(p) for p in BROKEN_DIR.glob("*.bpmn"))


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing_requirements() -> list[str]:
    missing = []
    node = shutil.which("node")
    if node is None:
        missing.append("node is not on PATH")
    else:
        try:
            version = subprocess.run(
                [node, "--version"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
            major = int(re.match(r"v?(\d+)", version).group(1))  # type: ignore[union-attr]
            if major < 20:
                missing.append(f"node {version} is too old (>= 20 needed)")
        except (subprocess.SubprocessError, OSError, AttributeError, ValueError) as exc:
            missing.append(f"node --version failed: {exc}")
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        missing.append(f"{chromium} is missing")
    for needed in (
        MODELER_DIR / "node_modules" / "bpmn-js" / "dist" / "bpmn-modeler.development.js",
        MODELER_DIR / "node_modules" / "playwright-core" / "package.json",
    ):
        if not needed.is_file():
            missing.append(f"{_rel(needed)} is missing")
            break
    return missing


@pytest.fixture(scope="module")
def import_results() -> dict[str, dict]:
    """Runs the checker once, in one browser, over every collected file and the broken fixtures."""
    missing = _missing_requirements()
    if missing:
        reason = f"{SETUP_HINT} ({'; '.join(missing)})"
        if _ci():
            pytest.fail(f"CI is set, so the modeler import check may not be skipped: {reason}")
        pytest.skip(reason)

    files = ALL_FILES + BROKEN_FILES
    cmd = ["node", str(CHECKER)]
    screenshot_dir = os.environ.get("MODELER_SCREENSHOT_DIR")
    if screenshot_dir:
        cmd += ["--screenshot-dir", screenshot_dir]
    try:
        proc = subprocess.run(
            [*cmd, "--", *files],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120 + 10 * len(files),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"import_check.mjs timed out after {exc.timeout} s")
    if proc.returncode not in (0, 1):
        pytest.fail(
            f"import_check.mjs could not run (exit {proc.returncode}):\n"
            f"{proc.stderr.strip()}\n{proc.stdout.strip()}"
        )
    results = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            record = json.loads(line)
            results[record["file"]] = record
    not_reported = [f for f in files if f not in results]
    if not_reported:
        pytest.fail(f"import_check.mjs reported nothing for {not_reported}:\n{proc.stderr}")
    return results


def test_collection_finds_diagrams() -> None:
    assert "tests/diagrams/fixtures/minimal.bpmn" in ALL_FILES
    assert BROKEN_FILES, "the broken fixtures are gone: nothing shows the check can fail"
    assert not set(BROKEN_FILES) & set(ALL_FILES)
    assert not any("node_modules" in f for f in ALL_FILES)


@pytest.mark.parametrize("bpmn_file", ALL_FILES)
def test_imports_cleanly_in_bpmn_js_modeler(bpmn_file: str, import_results: dict) -> None:
    result = import_results[bpmn_file]
    assert result["error"] is None, f"bpmn-js cannot import {bpmn_file}: {result['error']}"
    assert result["warnings"] == [], (
        f"bpmn-js imported {bpmn_file} with warnings:\n  " + "\n  ".join(result["warnings"])
    )
    assert result["elements"] >= 1, f"bpmn-js drew nothing for {bpmn_file}"


@pytest.mark.parametrize("bpmn_file", BROKEN_FILES)
def test_broken_fixture_is_reported(bpmn_file: str, import_results: dict) -> None:
    result = import_results[bpmn_file]
    assert result["error"] is not None or result["warnings"], (
        f"the check found nothing wrong with the deliberately broken {bpmn_file}"
    )


def test_broken_fixture_names_the_dangling_references(import_results: dict) -> None:
    result = import_results["tests/diagrams/fixtures/broken/unresolved_references.bpmn"]
    warnings = "\n".join(result["warnings"])
    assert "unresolved reference <EndEvent_missing>" in warnings  # sequenceFlow targetRef
    assert "unresolved reference <Task_ghost>" in warnings  # BPMNShape bpmnElement
