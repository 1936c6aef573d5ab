"""A front end built on the generated TypeScript client keeps working: GovFlow is started as
an operator starts it, a typed client is generated from its live /openapi.json
(openapi-typescript, openapi-fetch), tsc type-checks tests/frontend/src/client.ts (inbox ->
form -> a refused completion -> completion) and node runs it against the server.

A breaking change to the API (a renamed path, field or operation) fails the type check, so
it fails CI; the last test proves the check catches one. Needs node >= 20; the npm packages
are installed by tests/frontend/setup.sh (run here when they are missing). Without node the
tests skip.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN, SECRET, token
from tests.support.sample import sample_set

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")
UNIT = token("ua", "demo", ("unit",))

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 300
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`govflow serve` on a fresh SQLite database, with the sample set and one instance."""
    setup = _run("bash", str(HERE / "setup.sh"), cwd=HERE, timeout=600)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    home = tmp_path_factory.mktemp("govflow")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
    env.update(GOVFLOW_DATABASE_URL=f"sqlite+aiosqlite:///{home / 'govflow.db'}",
               GOVFLOW_SECRET_KEY=SECRET, GOVFLOW_LOAD_BUNDLED_DIAGRAMS="false")
    log = (home / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "govflow", "serve", "--port", str(port)],
                               cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, ready = time.monotonic() + 90, 0
        while time.monotonic() < deadline and process.poll() is None and ready != 200:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=5).status_code
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready == 200, (home / "serve.log").read_text()
        api = f"{base}/api/v1"
        assert httpx.put(f"{api}/tenants/demo", json={"name": "示范县"},
                         headers=ADMIN).status_code in (200, 201)
        files = [("files", (n, c, "application/xml")) for n, c in sample_set().items()]
        assert httpx.post(f"{api}/tenants/demo/diagram-sets", files=files,
                          headers=ADMIN).status_code == 201
        assert httpx.post(f"{api}/tenants/demo/process-instances", headers=UNIT,
                          json={"business_key": "TS-1"}).status_code == 201
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.close()


def _workdir(root: Path) -> Path:
    """A copy of the client program beside the installed packages, outside the repository."""
    shutil.copytree(HERE / "src", root / "src")
    shutil.copy(HERE / "tsconfig.json", root / "tsconfig.json")
    (root / "package.json").write_text('{"type": "module"}')
    (root / "node_modules").symlink_to(HERE / "node_modules")
    (root / "generated").mkdir()
    return root


def _generate(work: Path, source: str) -> None:
    done = _run(str(work / "node_modules/.bin/openapi-typescript"), source,
                "-o", str(work / "generated/govflow.ts"), cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr


def _typecheck(work: Path) -> subprocess.CompletedProcess[str]:
    return _run(str(work / "node_modules/.bin/tsc"), "-p", str(work), cwd=work)


def test_the_generated_client_walks_inbox_form_complete(server: str, tmp_path: Path) -> None:
    work = _workdir(tmp_path)
    _generate(work, f"{server}/openapi.json")
    checked = _typecheck(work)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    env = {**os.environ, "GOVFLOW_URL": server,
           "GOVFLOW_TOKEN": UNIT["Authorization"].split()[1]}
    ran = _run(str(NODE), str(work / "out/src/client.js"), cwd=work, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    result = json.loads(ran.stdout.strip().splitlines()[-1])
    # 120万 goes to on-site review (the sample set's review_mode decision).
    assert result["next"] == ["onsite_review"]
    # react-jsonschema-form on the untouched declaration form: the 3 unanswered required
    # fields (its own default answers the required yes/no with 否); 4 when told to leave
    # required yes/no questions open (requiredBooleanDefault: 'skip').
    assert (result["rendererErrors"], result["openErrors"]) == (3, 4)


def test_a_breaking_api_change_fails_the_type_check(server: str, tmp_path: Path) -> None:
    document = httpx.get(f"{server}/openapi.json").json()
    # The completion moved and the task lost its ui_schema: what a careless refactor does.
    document["paths"]["/api/v1/tasks/{task_id}/finish"] = document["paths"].pop(
        "/api/v1/tasks/{task_id}/complete")
    del document["components"]["schemas"]["TaskDetail"]["properties"]["ui_schema"]
    (tmp_path / "changed.json").write_text(json.dumps(document))
    work = _workdir(tmp_path / "work")
    _generate(work, str(tmp_path / "changed.json"))
    checked = _typecheck(work)
    assert checked.returncode != 0
    assert "/api/v1/tasks/{task_id}/complete" in checked.stdout, checked.stdout
    assert "ui_schema" in checked.stdout, checked.stdout
