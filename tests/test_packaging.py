"""The built wheel is enough to run the service: `govflow db upgrade` from an installed
package, with no source tree in reach (about 10 s: builds a wheel, makes a venv)."""

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".venv", ".git", "node_modules", "build", "__pycache__",
                              "*.egg-info", "*.db", "*.db-*", ".*_cache")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_an_installed_wheel_upgrades_its_database(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", ".",
        cwd=source)
    wheel = next((tmp_path / "dist").glob("govflow-*.whl"))
    shutil.rmtree(source)  # nothing of the source tree is left to find migrations in

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    site = Path(run(venv / "bin" / "python", "-c",
                    "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                    cwd=tmp_path).strip())
    # The dependencies come from the test venv (a path entry: its editable govflow finder,
    # a .pth of its own, is not loaded); govflow itself only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel,
        cwd=tmp_path)

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GOVFLOW_") and k != "PYTHONPATH"}
    env["GOVFLOW_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'installed.db'}"
    where = run(venv / "bin" / "python", "-c",
                "import govflow_migrations; print(govflow_migrations.__file__)",
                cwd=tmp_path, env=env)
    assert where.startswith(str(site))
    out = run(venv / "bin" / "python", "-m", "govflow", "db", "upgrade", cwd=tmp_path, env=env)
    assert "latest schema" in out
    with sqlite3.connect(tmp_path / "installed.db") as db:
        (version,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert version == run(venv / "bin" / "python", "-c",
                          "from govflow.store.migrate import head_revision; "
                          "print(head_revision())", cwd=tmp_path, env=env).strip()
    assert {"process_instances", "tasks", "tenants"} <= tables
