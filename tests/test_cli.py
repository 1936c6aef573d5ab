"""The govflow command, run as a user would: db upgrade, deploy, token create, serve."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from govflow.auth.tokens import verify

from tests.support.sample import sample_set


def govflow(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govflow", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def workdir(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
    env["GOVFLOW_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return tmp_path, env


def test_token_create_mints_a_token_for_the_named_user(workdir):
    cwd, env = workdir
    env["GOVFLOW_SECRET_KEY"] = "cli-test-secret-cli-test-secret-cli-test"
    done = govflow("token", "create", "--user", "li", "--tenant", "heyuan", "--groups",
                   "unit,hub", cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    principal = verify(env["GOVFLOW_SECRET_KEY"], done.stdout.strip())
    assert (principal.user, principal.tenants, principal.groups, principal.admin) == \
        ("li", ("heyuan",), ("unit", "hub"), False)


def test_db_upgrade_then_deploy_creates_tenant_and_version(workdir):
    cwd, env = workdir
    assert govflow("db", "upgrade", cwd=cwd, env=env).returncode == 0
    for name, content in sample_set().items():
        (cwd / name).write_bytes(content)
    files = [str(cwd / n) for n in sample_set()]
    done = govflow("deploy", "demo", *files, "--name", "示范县", cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert (body["tenant"], body["version"], body["created"], body["active"]) == \
        ("demo", 1, True, True)
    again = json.loads(govflow("deploy", "demo", *files, cwd=cwd, env=env).stdout)
    assert (again["id"], again["created"]) == (body["id"], False)
    (cwd / "bad.bpmn").write_bytes(b"<not-xml")
    refused = govflow("deploy", "demo", str(cwd / "bad.bpmn"), cwd=cwd, env=env)
    assert refused.returncode == 1
    assert "bad.bpmn" in refused.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_first_start_creates_secret_loads_bundled_sets_and_prints_admin_token(workdir):
    cwd, env = workdir
    for kind in ("bpmn", "dmn"):
        (cwd / kind / "demo").mkdir(parents=True)
    for name, content in sample_set().items():
        (cwd / name.rsplit(".", 1)[1] / "demo" / name).write_bytes(content)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "govflow", "serve", "--port", str(port)],
                               cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()  # type: ignore[union-attr]
            lines.append(line)
            if "Uvicorn running" in line or process.poll() is not None:
                break
        output = "".join(lines)
        assert "loaded demo: diagram set v1 (new version)" in output, output
        admin_token = output.split("an admin token:\n")[1].split("\n")[0].strip()
        assert (cwd / "cli.db.secret").stat().st_mode & 0o777 == 0o600
        tenants = httpx.get(f"http://127.0.0.1:{port}/api/v1/tenants", timeout=10,
                            headers={"Authorization": f"Bearer {admin_token}"}).json()
        assert tenants["items"][0]["active_diagram_set"]["version"] == 1
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
