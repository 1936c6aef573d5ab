"""Task completion over REST: a real uvicorn server on PostgreSQL, a client on loopback.

Deploys a 30-task and a 100-task linear process, walks one instance of each by completing
every task through `POST /tasks/{id}/complete`, and prints ms per completion (mean, median,
p95) and the mean of the first and last ten, to show whether the cost grows with the
instance's length. Uses its own database `govflow_bench` on the local server.

    python bench/rest.py [--url postgresql+asyncpg://postgres@127.0.0.1:5432/govflow_bench]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engine import linear

SECRET = "bench-secret-bench-secret-bench-secret-42"
PAYLOAD = {"approved": True, "opinion": "同意"}


def recreate_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgresql+asyncpg", "postgresql") + "/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "govflow", "token", "create", *args],
                          env=env, capture_output=True, text=True, check=True).stdout.strip()


def walk(client: httpx.Client, headers: dict, n: int) -> list[float]:
    tenant = f"bench{n}"
    client.put(f"/api/v1/tenants/{tenant}", json={"name": tenant}, headers=headers)
    deployed = client.post(f"/api/v1/tenants/{tenant}/diagram-sets", headers=headers,
                           files=[("files", ("linear.bpmn", linear(n), "application/xml"))])
    deployed.raise_for_status()
    instance = client.post(f"/api/v1/tenants/{tenant}/process-instances", json={},
                           headers=headers).json()
    timings = []
    while instance["ready_tasks"]:
        task_id = instance["ready_tasks"][0]["id"]
        started = time.perf_counter()
        response = client.post(f"/api/v1/tasks/{task_id}/complete",
                               json={"variables": PAYLOAD}, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        instance = response.json()
    assert instance["state"] == "completed"
    assert len(timings) == n
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/"
                                          "govflow_bench")
    args = parser.parse_args()
    recreate_database(args.url)
    env = {**os.environ, "GOVFLOW_DATABASE_URL": args.url, "GOVFLOW_SECRET_KEY": SECRET,
           "GOVFLOW_LOAD_BUNDLED_DIAGRAMS": "false", "GOVFLOW_LOG_LEVEL": "warning"}
    subprocess.run([sys.executable, "-m", "govflow", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "govflow", "serve", "--port", str(port)],
                              env=env, cwd=ROOT)
    try:
        headers = {"Authorization": "Bearer " + token(env, "--user", "bench", "--tenant", "*",
                                                      "--groups", "unit", "--admin")}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(100):
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            walk(client, headers, 10)  # warm-up: imports, prepared statements, pool
            print(f"{'tasks':>5} {'mean ms':>8} {'median':>7} {'p95':>6} {'first 10':>9} "
                  f"{'last 10':>8}")
            for n in (30, 100):
                t = walk(client, headers, n)
                p95 = sorted(t)[int(len(t) * 0.95) - 1]
                print(f"{n:>5} {statistics.mean(t):>8.2f} {statistics.median(t):>7.2f} "
                      f"{p95:>6.2f} {statistics.mean(t[:10]):>9.2f} "
                      f"{statistics.mean(t[-10:]):>8.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
