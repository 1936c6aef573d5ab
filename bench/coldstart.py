"""Cold cliffs: the first request after a start, and a completion on an instance the new
process has not seen, against a warm completion, through a real `govflow serve` process on
PostgreSQL (100-task linear process).

Walks 40 tasks on one server, then restarts the server three times; after each restart
(once /readyz answers 200) it times the first request (GET /tasks), the first completion
(the instance is loaded from its rows) and the median of the next ten (warm).

    python bench/coldstart.py [--pythonpath DIR]   (DIR: run another checkout's service)
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engine import linear
from bench.rest import PAYLOAD, SECRET, free_port, token


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "govflow", "serve", "--port", str(port)],
                            env=env, cwd=ROOT)


def wait_ready(client: httpx.Client) -> None:
    for _ in range(600):
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise SystemExit("the server never became ready")


def timed(call) -> tuple[float, httpx.Response]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = call()
    return (time.perf_counter() - started) * 1000, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pythonpath", help="put this first on the server's PYTHONPATH")
    args = parser.parse_args()
    name = f"govflow_bench_cold_{uuid.uuid4().hex[:6]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    env = {**os.environ, "GOVFLOW_DATABASE_URL": url, "GOVFLOW_SECRET_KEY": SECRET,
           "GOVFLOW_LOAD_BUNDLED_DIAGRAMS": "false", "GOVFLOW_LOG_LEVEL": "warning"}
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    server = None
    try:
        subprocess.run([sys.executable, "-m", "govflow", "db", "upgrade"], env=env, check=True,
                       capture_output=True)
        headers = {"Authorization": "Bearer " + token(env, "--user", "bench", "--tenant", "*",
                                                      "--groups", "unit", "--admin")}
        port = free_port()
        server = serve(env, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/", timeout=60) as client:
            wait_ready(client)
            client.put("/api/v1/tenants/cold", json={"name": "cold"}, headers=headers)
            client.post("/api/v1/tenants/cold/diagram-sets", headers=headers,
                        files=[("files", ("linear.bpmn", linear(100), "application/xml"))]
                        ).raise_for_status()
            instance = client.post("/api/v1/tenants/cold/process-instances", json={},
                                   headers=headers).json()

            def complete() -> float:
                nonlocal instance
                task_id = instance["ready_tasks"][0]["id"]
                ms, response = timed(lambda: client.post(
                    f"/api/v1/tasks/{task_id}/complete", json={"variables": PAYLOAD},
                    headers=headers))
                response.raise_for_status()
                instance = response.json()
                return ms

            for _ in range(40):
                complete()
            rows = []
            for _ in range(3):
                server.terminate()
                server.wait(timeout=30)
                server = serve(env, port)
                wait_ready(client)
                first, _ = timed(lambda: client.get("/api/v1/tasks?limit=1", headers=headers))
                cold = complete()
                warm = statistics.median(complete() for _ in range(10))
                rows.append((first, cold, warm))
        print(f"{'restart':>7} {'first request ms':>17} {'cold completion ms':>19} "
              f"{'warm median ms':>15}")
        for i, (first, cold, warm) in enumerate(rows, 1):
            print(f"{i:>7} {first:>17.1f} {cold:>19.1f} {warm:>15.1f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       check=True)


if __name__ == "__main__":
    main()
