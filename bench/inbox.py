"""Inbox and instance queries at county scale, through the REST API on PostgreSQL.

Creates a scratch database, migrates it, generates by SQL 200 tenants, 100,000 instances and
1,000,000 task rows (90 % completed, one ready task per instance, 10 candidate groups, a
fifth assigned) with their candidate rows and some history, starts `govflow serve` on it and
prints p50 / p99 (ms) of each query over three runs. The database is dropped at the end.

    python bench/inbox.py [--server postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
                          [--requests 60] [--keep] [--scale 0.1]
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

from bench.rest import SECRET, free_port, token

TENANTS, INSTANCES, TASKS = 200, 100_000, 1_000_000

# One statement per table; ids are md5-derived UUIDs so a row's id is a function of its number.
POPULATION = [
    ("INSERT INTO tenants (id, name, active_set_id, created_at) "
    "SELECT 't' || lpad(i::text, 3, '0'), 'tenant ' || i, NULL, now() "
    "FROM generate_series(0, {tenants} - 1) i"),
    ("INSERT INTO diagram_sets (id, tenant_id, version, content_hash, main_process_id, "
    "processes, decisions, created_by, created_at) "
    "VALUES (1, 't000', 1, 'x', 'p', '[]', '[]', 'bench', now())"),
    ("INSERT INTO process_instances (id, tenant_id, diagram_set_id, process_id, business_key, "
    "state, outcome, error, version, serializer_version, started_by, created_at, updated_at, "
    "ended_at) "
    "SELECT md5('i' || i)::uuid::text, 't' || lpad((i % {tenants})::text, 3, '0'), 1, 'p', "
    "'BK-' || i, CASE WHEN i % 10 = 0 THEN 'completed' ELSE 'running' END, NULL, NULL, 10, "
    "'1', 'u' || (i % 50), now() - interval '1000000 seconds' + i * interval '1 second', "
    "now(), NULL FROM generate_series(1, {instances}) i"),
    # Task j belongs to instance j mod N; the last N tasks (one per instance) are ready.
    ("INSERT INTO tasks (id, instance_id, tenant_id, diagram_set_id, process_id, key, name, "
    "lane, candidate_groups, assignee, state, clause, created_at, due_at, due_estimated, "
    "completed_at, completed_by, data) "
    "SELECT md5('t' || j)::uuid::text, md5('i' || (1 + (j - 1) % {instances}))::uuid::text, "
    "'t' || lpad(((1 + (j - 1) % {instances}) % {tenants})::text, 3, '0'), 1, 'p', "
    "'step' || ((j - 1) / {instances}), 'Step', 'lane', "
    "CASE WHEN j % 10 = 0 THEN '[\"g' || (j % 7) || '\", \"g9\"]' "
    "ELSE '[\"g' || (j % 7) || '\"]' END, "
    "CASE WHEN j % 5 = 0 THEN 'u' || (j % 50) END, "
    "CASE WHEN j > {tasks} - {instances} THEN 'ready' ELSE 'completed' END, NULL, "
    "now() - interval '1000000 seconds' + j * interval '1 second', "
    "CASE WHEN j % 10 = 3 THEN NULL ELSE now() - interval '1000000 seconds' "
    "+ j * interval '1 second' + (j::bigint * 7919 % 1728000) * interval '1 second' END, false, "
    "CASE WHEN j > {tasks} - {instances} THEN NULL "
    "ELSE now() - interval '999000 seconds' + j * interval '1 second' END, "
    "CASE WHEN j > {tasks} - {instances} THEN NULL ELSE 'u' || (j % 50) END, NULL "
    "FROM generate_series(1, {tasks}) j"),
    ("INSERT INTO task_candidates (task_id, group_name) "
    "SELECT md5('t' || j)::uuid::text, 'g' || (j % 7) FROM generate_series(1, {tasks}) j "
    "UNION ALL SELECT md5('t' || j)::uuid::text, 'g9' "
    "FROM generate_series(10, {tasks}, 10) j"),
    ("INSERT INTO history (instance_id, tenant_id, at, actor, event, element_id) "
    "SELECT md5('i' || i)::uuid::text, 't' || lpad((i % {tenants})::text, 3, '0'), now(), "
    "'u1', e, 'step' FROM generate_series(1, {instances}) i, "
    "unnest(ARRAY['instance_started', 'task_created', 'task_completed']) e"),
]


def populate(env: dict[str, str], url: str) -> None:
    sync_url = url.replace("postgresql+asyncpg", "postgresql")
    sizes = {"tenants": TENANTS, "instances": INSTANCES, "tasks": TASKS}
    # The rows go in at revision 0004 and are upgraded after: the upgrade of a populated
    # database (index builds on a million rows) is part of what is measured.
    subprocess.run([sys.executable, "-c", ("import sys; from govflow.store.migrate import "
                    "upgrade; upgrade(sys.argv[1], '0004')"), url], env=env, check=True)
    sql = ";\n".join(s.format(**sizes) for s in POPULATION) + ";\nANALYZE;"
    subprocess.run(["psql", sync_url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)
    subprocess.run([sys.executable, "-m", "govflow", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    subprocess.run(["psql", sync_url, "-qc", "VACUUM ANALYZE"], check=True)


def queries(tenant_token: str, admin_token: str, county_token: str
            ) -> list[tuple[str, str, str]]:
    """(label, token, path); a path with {cursor} follows the cursor that many pages deep."""
    g = "candidate_group=g3"
    return [
        ("mine=true (one tenant)", tenant_token, "/tasks?mine=true"),
        ("  mine=true, sort=due_at", tenant_token, "/tasks?mine=true&sort=due_at"),
        ("count, mine=true (one tenant)", tenant_token, "/tasks/count?mine=true"),
        ("mine=true (a user of 20 tenants)", county_token, "/tasks?mine=true"),
        ("count, mine=true (a user of 20 tenants)", county_token, "/tasks/count?mine=true"),
        ("mine=true&tenant= (one of the 20)", county_token, "/tasks?mine=true&tenant=t007"),
        ("candidate_group=g3&candidate_group=g9, ready", tenant_token,
         f"/tasks?state=ready&{g}&candidate_group=g9"),
        ("instances, business_key_prefix (one tenant)", tenant_token,
         "/process-instances?business_key_prefix=BK-42"),
        ("state=ready&candidate_group (one tenant)", tenant_token, f"/tasks?state=ready&{g}"),
        ("  the same, sort=due_at", tenant_token, f"/tasks?state=ready&{g}&sort=due_at"),
        ("  the same, sort=-created_at", tenant_token, f"/tasks?state=ready&{g}&sort=-created_at"),
        ("overdue=true (one tenant)", tenant_token, "/tasks?overdue=true"),
        ("overdue=true (all tenants, admin)", admin_token, "/tasks?overdue=true"),
        ("overdue=true&sort=due_at (all, admin)", admin_token, "/tasks?overdue=true&sort=due_at"),
        ("completed of a group, offset=5000", admin_token,
         f"/tasks?state=completed&{g}&offset=5000"),
        ("completed of a group, cursor page 101", admin_token,
         f"/tasks?state=completed&{g}&cursor=100"),
        ("no filter, offset=5000", admin_token, "/tasks?offset=5000"),
        ("no filter, cursor page 101", admin_token, "/tasks?cursor=100"),
        ("no filter, sort=due_at", admin_token, "/tasks?sort=due_at"),
        ("tenant, sort=-due_at (one tenant)", tenant_token, "/tasks?sort=-due_at"),
        ("assignee=me, state=ready", tenant_token, "/tasks?assignee=me&state=ready"),
        ("count, state=ready&candidate_group", tenant_token,
         f"/tasks/count?state=ready&{g}"),
        ("count, overdue=true (admin)", admin_token, "/tasks/count?overdue=true"),
        ("instances of a tenant, running", tenant_token, "/process-instances?state=running"),
        ("instances, offset=5000 (admin)", admin_token, "/process-instances?offset=5000"),
        ("instances, cursor page 101 (admin)", admin_token, "/process-instances?cursor=100"),
        ("instance by business key", tenant_token, "/process-instances?business_key=BK-4207"),
        ("history of an instance", tenant_token, "/process-instances/{instance}/history"),
    ]


def cursor_path(client: httpx.Client, headers: dict, path: str) -> str | None:
    """The path of page N+1 reached by following next_cursor N times (None: unsupported)."""
    base, pages = path.split("cursor=")
    url = base.rstrip("&?")
    for _ in range(int(pages)):
        body = client.get("/api/v1" + url, headers=headers).json()
        if not body.get("next_cursor"):
            return None
        sep = "&" if "?" in base.rstrip("&?") else "?"
        url = f"{base.rstrip('&?')}{sep}cursor={body['next_cursor']}"
    return url


def measure(client: httpx.Client, headers: dict, path: str, n: int) -> tuple[float, float]:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get("/api/v1" + path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:300]}")
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * .99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql+asyncpg://postgres@127.0.0.1:5432/"
                                             "postgres")
    parser.add_argument("--requests", type=int, default=40, help="requests per query and run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", help="a database kept by --keep: upgrade it, do not refill")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the population (0.1: 100,000 tasks)")
    args = parser.parse_args()
    global INSTANCES, TASKS
    INSTANCES, TASKS = int(INSTANCES * args.scale), int(TASKS * args.scale)
    name = args.reuse or f"govflow_bench_inbox_{uuid.uuid4().hex[:6]}"
    admin_sync = args.server.replace("postgresql+asyncpg", "postgresql")
    url = args.server.rsplit("/", 1)[0] + "/" + name
    if not args.reuse:
        subprocess.run(["psql", admin_sync, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    env = {**os.environ, "GOVFLOW_DATABASE_URL": url, "GOVFLOW_SECRET_KEY": SECRET,
           "GOVFLOW_LOAD_BUNDLED_DIAGRAMS": "false", "GOVFLOW_LOG_LEVEL": "warning"}
    server = None
    try:
        started = time.perf_counter()
        if args.reuse:
            subprocess.run([sys.executable, "-m", "govflow", "db", "upgrade"], env=env,
                           check=True, capture_output=True)
            subprocess.run(["psql", url.replace("postgresql+asyncpg", "postgresql"), "-qc",
                            "ANALYZE"], check=True)
        else:
            populate(env, url)
        print(f"population: {TASKS:,} tasks, {INSTANCES:,} instances, {TENANTS} tenants "
              f"in {time.perf_counter() - started:.0f} s")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "govflow", "serve", "--port",
                                   str(port)], env=env, cwd=ROOT)
        tenant_token = token(env, "--user", "u7", "--tenant", "t007", "--groups", "g3")
        admin_token = token(env, "--user", "root", "--tenant", "*", "--admin")
        # Tenants t007, t017, ...: in t000, t010, ... the population assigns every ready task.
        county_token = token(env, "--user", "u7", "--tenant",
                             ",".join(f"t{i:03d}" for i in range(7, 200, 10)),
                             "--groups", "g3")
        instance = subprocess.run(
            ["psql", url.replace("postgresql+asyncpg", "postgresql"), "-Atc",
             "SELECT id FROM process_instances WHERE business_key = 'BK-4207'"],
            check=True, capture_output=True, text=True).stdout.strip()
        runs: dict[str, list[tuple[float, float]]] = {}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for _ in range(300):
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            for _ in range(3):
                for label, tok, path in queries(tenant_token, admin_token, county_token):
                    headers = {"Authorization": f"Bearer {tok}"}
                    path = path.replace("{instance}", instance)
                    if "cursor=" in path:
                        resolved = cursor_path(client, headers, path)
                        if resolved is None:
                            continue
                        path = resolved
                    if path.startswith("/tasks/count") and client.get(
                            "/api/v1" + path, headers=headers).status_code == 404:
                        continue
                    measure(client, headers, path, 5)  # warm: prepared statements, pool
                    runs.setdefault(label, []).append(measure(client, headers, path,
                                                              args.requests))
        print(f"{'query':<46} {'p50 ms (3 runs)':>22} {'p99 ms (3 runs)':>22}")
        for label, figures in runs.items():
            p50 = " / ".join(f"{a:.1f}" for a, _ in figures)
            p99 = " / ".join(f"{b:.1f}" for _, b in figures)
            print(f"{label:<46} {p50:>22} {p99:>22}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep and not args.reuse:
            subprocess.run(["psql", admin_sync, "-qc",
                            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True)


if __name__ == "__main__":
    main()
