"""Completions per second through `govflow serve` on PostgreSQL, and the server's CPU per
completion.

Deploys a 10-task linear process; each client walks its own instances, started before the
clock runs: GET the ready task (`GET /tasks/{id}`, the task with its form, as a user opens
it), then `POST /tasks/{id}/complete`, whose answer names the next ready task. Prints, for
1, 8 and 32 clients against 1 and 2 server processes (`govflow serve --workers N`):
completions per second, p50/p99 of the POST, the server processes' CPU (user + system,
from /proc) per completion, the CPU of this database's PostgreSQL backends per completion,
the new PostgreSQL sessions the run opened, and the load average beside each row (the
machine is shared: the CPU per completion is the figure that survives other load).

The client is a few lines of HTTP/1.1 over asyncio streams with keep-alive, so that it
takes little of the cores the server needs. Uses its own database `govflow_throughput`.

    python bench/throughput.py [--servers 1 2] [--clients 1 8 32] [--per-client 200]
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govflow.auth.principal import Principal
from govflow.auth.tokens import mint
from govflow.store.clock import Clock

from tests.support.sample import linear

SECRET = "bench-secret-bench-secret-bench-secret-42"
PAYLOAD = {"approved": True, "opinion": "同意"}
TASKS = 10
TICKS = os.sysconf("SC_CLK_TCK")


def recreate_database(url: str) -> str:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgresql+asyncpg", "postgresql") + "/postgres"
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)
    return admin


def psql(admin: str, sql: str) -> str:
    return subprocess.run(["psql", admin, "-Atqc", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bearer(user: str, tenants: tuple[str, ...], groups: tuple[str, ...], admin: bool) -> str:
    return "Bearer " + mint(SECRET, Principal(user, tenants, groups, admin), Clock().now(),
                            timedelta(hours=2))


# --- CPU from /proc ---------------------------------------------------------------------

def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, user + system ticks) of a live process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[11]) + int(fields[12])


def tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and its live descendants (uvicorn's worker processes)."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (s := _stat(int(entry))) is not None:
            stats[int(entry)] = s
    family, total, grew = {root}, 0, True
    while grew:
        grew = False
        for pid, (parent, _) in stats.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    for pid in family:
        if pid in stats:
            total += stats[pid][1]
    return total / TICKS


def backend_cpu(admin: str, database: str) -> dict[int, float]:
    """CPU seconds of each live PostgreSQL backend serving ``database``."""
    pids = psql(admin, f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'")
    cpu = {}
    for pid in (int(p) for p in pids.split() if p):
        if (s := _stat(pid)) is not None:
            cpu[pid] = s[1] / TICKS
    return cpu


def sessions(admin: str, database: str) -> int:
    return int(psql(admin, "SELECT sessions FROM pg_stat_database "
                           f"WHERE datname = '{database}'") or 0)


# --- a small HTTP/1.1 client ------------------------------------------------------------

class Connection:
    """One keep-alive connection; requests one at a time."""

    def __init__(self, port: int, auth: str) -> None:
        self.port, self.auth = port, auth.encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        data = b"" if body is None else json.dumps(body).encode()
        head = (f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                f"content-length: {len(data)}\r\n").encode() + b"authorization: " + \
            self.auth + b"\r\n" + (b"content-type: application/json\r\n" if data else b"") + \
            b"\r\n"
        self.writer.write(head + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value:
                chunked = True
        if chunked:
            parts = []
            while (size := int((await self.reader.readline()).strip(), 16)) != 0:
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            await self.reader.readline()
            payload = b"".join(parts)
        else:
            payload = await self.reader.readexactly(length)
        return status, json.loads(payload) if payload else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def start_instances(port: int, auth: str, count: int, tenant: str) -> list[str]:
    """``count`` new instances; the id of each one's first ready task."""
    conn, first = Connection(port, auth), []
    try:
        for _ in range(count):
            status, body = await conn.request(
                "POST", f"/api/v1/tenants/{tenant}/process-instances", {})
            if status != 201:
                raise RuntimeError(f"start: {status} {str(body)[:300]}")
            first.append(body["ready_tasks"][0]["id"])
    finally:
        conn.close()
    return first


async def walk(port: int, auth: str, first_tasks: list[str], latencies: list[float]) -> int:
    """Complete every task of the instances whose first tasks are given; completions."""
    conn, done = Connection(port, auth), 0
    try:
        for task_id in first_tasks:
            while True:
                status, _ = await conn.request("GET", f"/api/v1/tasks/{task_id}")
                if status != 200:
                    raise RuntimeError(f"get task: {status}")
                began = time.perf_counter()
                status, instance = await conn.request(
                    "POST", f"/api/v1/tasks/{task_id}/complete", {"variables": PAYLOAD})
                latencies.append(time.perf_counter() - began)
                if status != 200:
                    raise RuntimeError(f"complete: {status} {str(instance)[:300]}")
                done += 1
                if not instance["ready_tasks"]:
                    assert instance["state"] == "completed"
                    break
                task_id = instance["ready_tasks"][0]["id"]
    finally:
        conn.close()
    return done


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def run_phase(port: int, auth: str, tenant: str, clients: int, per_client: int,
                    server_pid: int, admin: str, database: str) -> dict[str, float]:
    instances = max(1, per_client // TASKS)
    firsts = await asyncio.gather(*(start_instances(port, auth, instances, tenant)
                                    for _ in range(min(clients, 8))))
    pool = [t for chunk in firsts for t in chunk]
    while len(pool) < clients * instances:  # fewer starters than clients: start the rest
        pool += await start_instances(port, auth, clients * instances - len(pool), tenant)
    latencies: list[float] = []
    print(f"walking: {clients} clients", file=sys.stderr, flush=True)
    load = os.getloadavg()[0]
    cpu0, pg0, s0 = tree_cpu(server_pid), backend_cpu(admin, database), sessions(admin, database)
    mine0 = time.process_time()
    began = time.perf_counter()
    done = await asyncio.gather(*(walk(port, auth, pool[i * instances:(i + 1) * instances],
                                       latencies) for i in range(clients)))
    elapsed = time.perf_counter() - began
    mine = time.process_time() - mine0
    cpu1, pg1, s1 = tree_cpu(server_pid), backend_cpu(admin, database), sessions(admin, database)
    total = sum(done)
    pg = sum(v - pg0.get(pid, 0.0) for pid, v in pg1.items())
    return {"clients": clients, "completions": total, "rate": total / elapsed,
            "p50": percentile(latencies, 0.5) * 1000, "p99": percentile(latencies, 0.99) * 1000,
            "cpu": (cpu1 - cpu0) * 1000 / total, "pg": pg * 1000 / total,
            "client": mine * 1000 / total, "sessions": s1 - s0,
            "load": (load + os.getloadavg()[0]) / 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/"
                                          "govflow_throughput")
    parser.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--per-client", type=int, default=200,
                        help="completions per client (fewer clients: at least 300 in all)")
    parser.add_argument("--pythonpath", help="serve another checkout's service/ instead")
    args = parser.parse_args()
    database = args.url.rsplit("/", 1)[1]
    admin = recreate_database(args.url)
    env = {**os.environ, "GOVFLOW_DATABASE_URL": args.url, "GOVFLOW_SECRET_KEY": SECRET,
           "GOVFLOW_LOAD_BUNDLED_DIAGRAMS": "false", "GOVFLOW_LOG_LEVEL": "warning"}
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath
    subprocess.run([sys.executable, "-m", "govflow", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    root = bearer("root", ("*",), ("admin",), True)
    clerk = bearer("clerk", ("bench",), ("unit",), False)
    print(f"{'servers':>7} {'clients':>7} {'done':>5} {'per s':>6} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'srv CPU ms':>10} {'PG CPU ms':>9} {'client ms':>9} "
          f"{'PG sess':>7} {'load':>5}", flush=True)
    deployed = False
    for servers in args.servers:
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "govflow", "serve", "--port", str(port), "--workers",
             str(servers)], env=env, cwd=ROOT)
        try:
            asyncio.run(_serve_phases(args, port, server.pid, servers, root, clerk, admin,
                                      database, deployed))
            deployed = True
        finally:
            server.terminate()
            server.wait(timeout=60)


async def _serve_phases(args: argparse.Namespace, port: int, pid: int, servers: int,
                        root: str, clerk: str, admin: str, database: str,
                        deployed: bool) -> None:
    for _ in range(1200):  # a loaded machine may take a minute to start two processes
        try:
            conn = Connection(port, root)
            status, _ = await conn.request("GET", "/readyz")
            conn.close()
            if status == 200:
                break
        except (OSError, ValueError, IndexError):
            pass
        await asyncio.sleep(0.1)
    else:
        raise RuntimeError("the server did not become ready")
    if not deployed:
        conn = Connection(port, root)
        await conn.request("PUT", "/api/v1/tenants/bench", {"name": "bench"})
        conn.close()
        _upload(port, root)
    # Warm up every server process: imports, caches, prepared statements, pools.
    warm: list[float] = []
    firsts = await asyncio.gather(*(start_instances(port, clerk, 2, "bench")
                                    for _ in range(4 * servers)))
    await asyncio.gather(*(walk(port, clerk, f, warm) for f in firsts))
    for clients in args.clients:
        r = await run_phase(port, clerk, "bench", clients,
                            max(args.per_client, 300 // clients), pid, admin, database)
        print(f"{servers:>7} {clients:>7} {r['completions']:>5} {r['rate']:>6.1f} "
              f"{r['p50']:>7.1f} {r['p99']:>7.1f} {r['cpu']:>10.2f} {r['pg']:>9.2f} "
              f"{r['client']:>9.2f} {r['sessions']:>7} {r['load']:>5.1f}", flush=True)


def _upload(port: int, auth: str) -> None:
    """The diagram set, as multipart (httpx: the one request that needs it)."""
    import httpx

    response = httpx.post(f"http://127.0.0.1:{port}/api/v1/tenants/bench/diagram-sets",
                          headers={"Authorization": auth},
                          files=[("files", ("linear.bpmn", linear(TASKS), "application/xml"))])
    response.raise_for_status()


if __name__ == "__main__":
    main()
