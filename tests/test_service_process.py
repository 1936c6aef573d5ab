"""The service as an operator starts it: secret checks, token minting against the configured
database, `serve` on PostgreSQL (no traceback, several worker processes)."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from govflow.auth.tokens import verify
from govflow.bootstrap import ConfigurationError, ensure_secret
from govflow.main import create_app
from govflow.settings import Settings, get_settings

from tests.support.pgdb import fresh_database
from tests.support.sample import sample_set

POSTGRES_URL = os.environ.get("GOVFLOW_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="GOVFLOW_TEST_POSTGRES_URL not set")


def clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVFLOW_")}
    env.update({f"GOVFLOW_{k.upper()}": v for k, v in settings.items()})
    return env


def govflow(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govflow", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_secret_generate_prints_a_new_long_key_each_time(tmp_path: Path) -> None:
    keys = {govflow("secret", "generate", cwd=tmp_path, env=clean_env()).stdout.strip()
            for _ in range(2)}
    assert len(keys) == 2
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{64}", key) for key in keys)


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    done = govflow("token", "create", "--user", "li", "--tenant", "demo", cwd=tmp_path,
                   env=clean_env(secret_key="too-short"))
    assert done.returncode == 2
    assert "at least 32" in done.stderr
    assert "govflow secret generate" in done.stderr
    assert done.stdout == ""


def test_token_create_uses_the_configured_databases_key_and_never_makes_one(tmp_path: Path
                                                                            ) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    database = f"sqlite+aiosqlite:///{home / 'govflow.db'}"
    # The embedded default's first start keeps a key beside its database.
    settings, created = ensure_secret(Settings(database_url=database))
    assert created

    # In another directory the default database is ./govflow.db, which has no key: refused,
    # and no stray key is left there to sign tokens the service would refuse.
    stray = govflow("token", "create", "--user", "li", "--tenant", "demo", cwd=elsewhere,
                    env=clean_env())
    assert stray.returncode == 2
    assert "GOVFLOW_SECRET_KEY" in stray.stderr
    assert stray.stdout == ""
    assert list(elsewhere.iterdir()) == []

    minted = govflow("token", "create", "--user", "li", "--tenant", "demo", cwd=elsewhere,
                     env=clean_env(database_url=database))
    assert minted.returncode == 0, minted.stderr
    assert verify(settings.secret_key, minted.stdout.strip()).user == "li"


def test_the_app_factory_without_a_secret_fails_at_start(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("GOVFLOW_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GOVFLOW_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="GOVFLOW_SECRET_KEY"):
            create_app()
        monkeypatch.setenv("GOVFLOW_SECRET_KEY", "short")
        get_settings.cache_clear()
        with pytest.raises(ConfigurationError, match="at least 32"):
            create_app()
    finally:
        get_settings.cache_clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_until_ready(cwd: Path, env: dict[str, str], *args: str) -> tuple[str, int]:
    """Start `govflow serve`, wait for /readyz, stop it with SIGTERM; its whole output."""
    port = _free_port()
    log = cwd / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "govflow", "serve", "--port",
                                    str(port), *args], cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            ready = 0
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code
                except httpx.TransportError:
                    ready = 0
                if ready == 200:
                    break
                time.sleep(0.2)
            assert ready == 200, log.read_text()
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)
    return log.read_text(), code


@needs_postgres
def test_serve_on_postgresql_starts_and_stops_without_a_traceback(tmp_path: Path) -> None:
    for name, content in sample_set().items():
        kind = name.rsplit(".", 1)[1]
        (tmp_path / kind / "demo").mkdir(parents=True, exist_ok=True)
        (tmp_path / kind / "demo" / name).write_bytes(content)
    with fresh_database(POSTGRES_URL) as url:  # type: ignore[arg-type]
        env = clean_env(database_url=url, secret_key="k" * 40)
        assert govflow("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
        output, code = _serve_until_ready(tmp_path, env)
    assert "loaded demo: diagram set v1 (new version)" in output
    assert "Traceback" not in output, output
    assert "Error" not in output, output
    # SIGTERM drains and shuts the app down (uvicorn then exits by the same signal).
    assert "Application shutdown complete" in output
    assert code in (0, -signal.SIGTERM)


@needs_postgres
def test_serve_workers_runs_several_api_processes_logging_json(tmp_path: Path) -> None:
    with fresh_database(POSTGRES_URL) as url:  # type: ignore[arg-type]
        env = clean_env(database_url=url, secret_key="k" * 40, load_bundled_diagrams="false",
                        log_format="json")
        assert govflow("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
        output, _code = _serve_until_ready(tmp_path, env, "--workers", "2")
    servers = set(re.findall(r"Started server process \[(\d+)\]", output))
    assert len(servers) == 2, output
    assert "Traceback" not in output, output
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert {"time", "level", "logger", "message"} <= set(records[0])
    ready = [r for r in records if r.get("path") == "/readyz" and r.get("status") == 200]
    assert ready
    assert all(len(r["request_id"]) == 32 for r in ready)


def test_db_upgrade_load_bundled_deploys_the_sets_once_for_every_replica(tmp_path: Path) -> None:
    for name, content in sample_set().items():
        kind = name.rsplit(".", 1)[1]
        (tmp_path / kind / "demo").mkdir(parents=True, exist_ok=True)
        (tmp_path / kind / "demo" / name).write_bytes(content)
    env = clean_env(database_url=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    first = govflow("db", "upgrade", "--load-bundled", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "loaded demo: diagram set v1 (new version)" in first.stdout
    again = govflow("db", "upgrade", "--load-bundled", cwd=tmp_path, env=env)
    assert "loaded demo: diagram set v1 (unchanged)" in again.stdout
