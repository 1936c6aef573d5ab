"""Completions per second through nginx, with one and with two API replicas.

Runs deploy/local_topology.py's topology (nginx, N `govflow serve` replicas, no timer
workers: the load is task completions) on a fresh PostgreSQL database, then C concurrent
clients each start instances of a 10-task process and complete every task through the
proxy. Prints completions per second and latency percentiles of `POST /tasks/{id}/complete`
for each replica count. Client, proxy, replicas and PostgreSQL share this machine's cores.

    python bench/topology.py [--clients 16] [--instances 4]
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govflow.auth.principal import Principal
from govflow.auth.tokens import mint
from govflow.store.clock import Clock

from deploy.local_topology import Topology
from tests.support.pgdb import fresh_database
from tests.support.sample import linear

SECRET = "bench-secret-bench-secret-bench-secret-42"
TASKS = 10


def bearer(user: str, tenants: tuple[str, ...], groups: tuple[str, ...], admin: bool) -> dict:
    jwt = mint(SECRET, Principal(user, tenants, groups, admin), Clock().now(),
               timedelta(hours=1))
    return {"Authorization": f"Bearer {jwt}"}


async def load(url: str, clients: int, instances: int) -> tuple[float, list[float]]:
    admin = bearer("root", ("*",), ("admin",), True)
    unit = bearer("clerk", ("bench",), ("unit",), False)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await http.put("/api/v1/tenants/bench", json={"name": "bench"}, headers=admin)
        uploaded = await http.post("/api/v1/tenants/bench/diagram-sets", headers=admin,
                                   files=[("files", ("l.bpmn", linear(TASKS)))])
        if uploaded.status_code != 201:
            raise RuntimeError(f"upload: {uploaded.status_code} {uploaded.text[:300]}")

        async def client() -> None:
            for _ in range(instances):
                started = await http.post("/api/v1/tenants/bench/process-instances", json={},
                                          headers=unit)
                if started.status_code != 201:
                    raise RuntimeError(f"start: {started.status_code} {started.text[:300]}")
                instance = started.json()
                while instance["ready_tasks"]:
                    task = instance["ready_tasks"][0]
                    began = time.perf_counter()
                    response = await http.post(f"/api/v1/tasks/{task['id']}/complete",
                                               json={"variables": {}}, headers=unit)
                    latencies.append(time.perf_counter() - began)
                    response.raise_for_status()
                    instance = response.json()

        # Warm up each replica (imports, caches, connection pools) before timing.
        await asyncio.gather(*(client() for _ in range(2)))
        latencies.clear()
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=1000)[int(p * 10) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--instances", type=int, default=4, help="per client")
    args = parser.parse_args()
    server = os.environ.get("GOVFLOW_BENCH_POSTGRES_URL",
                            "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    print(f"{args.clients} clients x {args.instances} instances x {TASKS} completions, "
          f"through nginx; {os.cpu_count()} cores shared by everything")
    for replicas in (1, 2):
        with fresh_database(server, "govflow_bench_topo") as url, \
                tempfile.TemporaryDirectory() as tmp:
            topology = Topology(url, SECRET, Path(tmp), replicas=replicas, workers=0,
                                extra_env={"GOVFLOW_LOG_LEVEL": "warning"})
            try:
                topology.start()
                rate, latencies = asyncio.run(load(topology.url, args.clients, args.instances))
            finally:
                topology.stop()
        print(f"{replicas} replica(s): {rate:,.0f} completions/s; latency p50 "
              f"{percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
              f"p99 {percentile(latencies, 99):.1f} ms ({len(latencies)} completions)")


if __name__ == "__main__":
    main()
