"""External tasks over REST: a real uvicorn server, 4 concurrent workers on loopback.

Deploys a process whose one step is an external task (topic `payment`), starts N
instances, then runs W worker threads, each looping fetch-and-lock (up to 5) -> complete
until nothing is left, and prints external tasks completed per second, the mean ms of a
fetch and of a complete, and checks that no task was handed out twice (no 409).

    python bench/external.py                       # SQLite file in a temporary directory
    python bench/external.py --url postgresql+asyncpg://postgres@127.0.0.1:5432/govflow_bench
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.rest import SECRET, free_port, recreate_database, token
from tools.bpmn_builder import ProcessBuilder

TENANT = "bench"
BASE = f"/api/v1/tenants/{TENANT}/external-tasks"


def payment() -> bytes:
    b = ProcessBuilder("payment", name="资金拨付", lanes=[("finance", "财政局")])
    b.start("start", "开始")
    b.service_task("pay", "拨付资金", topic="payment", properties={"outputs": "voucher_no"})
    b.end("paid", "已拨付", outcome="paid")
    b.flow("start", "pay")
    b.flow("pay", "paid")
    return b.to_xml()


def work(url: str, headers: dict, name: str, fetches: list[float], completes: list[float],
         refused: list[int]) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        while True:
            started = time.perf_counter()
            tasks = client.post(f"{BASE}/fetch-and-lock", headers=headers, json={
                "worker_id": name, "max_tasks": 5,
                "topics": [{"topic_name": "payment", "lock_duration": 60_000}]})
            fetches.append((time.perf_counter() - started) * 1000)
            tasks.raise_for_status()
            if not tasks.json():
                return
            for task in tasks.json():
                started = time.perf_counter()
                done = client.post(f"{BASE}/{task['id']}/complete", headers=headers, json={
                    "worker_id": name, "variables": {"voucher_no": f"V-{task['id'][:8]}"}})
                completes.append((time.perf_counter() - started) * 1000)
                if done.status_code == 409:
                    refused.append(1)
                else:
                    done.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL URL (recreated); default: SQLite")
    parser.add_argument("--instances", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="govflow-bench-ext-")
    url = args.url or f"sqlite+aiosqlite:///{scratch}/bench.db"
    if args.url:
        recreate_database(args.url)
    env = {**os.environ, "GOVFLOW_DATABASE_URL": url, "GOVFLOW_SECRET_KEY": SECRET,
           "GOVFLOW_LOAD_BUNDLED_DIAGRAMS": "false", "GOVFLOW_LOG_LEVEL": "warning"}
    subprocess.run([sys.executable, "-m", "govflow", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "govflow", "serve", "--port", str(port)],
                              env=env, cwd=scratch)
    base = f"http://127.0.0.1:{port}"
    try:
        admin = {"Authorization": "Bearer " + token(env, "--user", "bench", "--tenant", "*",
                                                    "--admin")}
        worker = {"Authorization": "Bearer " + token(env, "--user", "finance-system",
                                                     "--tenant", TENANT, "--external-worker")}
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(100):
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            client.put(f"/api/v1/tenants/{TENANT}", json={"name": TENANT}, headers=admin)
            client.post(f"/api/v1/tenants/{TENANT}/diagram-sets", headers=admin, files=[
                ("files", ("payment.bpmn", payment(), "application/xml"))]).raise_for_status()
            for i in range(args.instances):
                client.post(f"/api/v1/tenants/{TENANT}/process-instances", headers=admin,
                            json={"business_key": f"P-{i}"}).raise_for_status()
        fetches: list[float] = []
        completes: list[float] = []
        refused: list[int] = []
        threads = [threading.Thread(target=work, args=(base, worker, f"w{i}", fetches,
                                                       completes, refused))
                   for i in range(args.workers)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        backend = "PostgreSQL" if args.url else "SQLite"
        print(f"{backend}: {len(completes)} external tasks completed by {args.workers} workers "
              f"in {elapsed:.2f} s = {len(completes) / elapsed:.0f}/s; fetch mean "
              f"{statistics.mean(fetches):.1f} ms, complete mean "
              f"{statistics.mean(completes):.1f} ms, refused (handed out twice): "
              f"{len(refused)}")
        assert len(completes) == args.instances
        assert not refused
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
