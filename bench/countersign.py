"""Countersign (会签) over REST: a real uvicorn server on PostgreSQL, a client on loopback.

Deploys a process whose one user task is a parallel multi-instance over three experts
(``camunda:collection="experts"``, ``camunda:assignee="${expert}"``, a required form), walks
``--instances`` instances by completing each expert's slot through
`POST /tasks/{id}/complete`, and prints ms per completion (mean, median, p95) for each of
the three slots (the last one also closes the multi-instance and runs the gateway that
reads the collected votes). Uses its own database `govflow_bench_cs` on the local server.

    python bench/countersign.py [--url postgresql+asyncpg://...] [--instances 30]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.rest import SECRET, free_port, recreate_database, token
from tools.bpmn_builder import NS, Field, ProcessBuilder

EXPERTS = ["zhang", "li", "wang"]


def countersign() -> bytes:
    b = ProcessBuilder("countersign", name="专家会签", main=True, lanes=[("experts", "专家")])
    b.start("start", "申报")
    b.user_task("sign", "专家会签", assignee="${expert}", form=[
        Field("vote", "enum", required=True, values={"approve": "同意", "reject": "不同意"}),
        Field("opinion", "string", required=True)])
    b.exclusive_gateway("gw", "过半同意?", default="Flow_no")
    b.end("passed", "通过", outcome="passed")
    b.end("rejected", "不通过", outcome="rejected")
    b.flow("start", "sign")
    b.flow("sign", "gw")
    b.flow("gw", "passed", condition="[r['vote'] for r in sign_results].count('approve') >= 2")
    b.flow("gw", "rejected", id="Flow_no")
    root = etree.fromstring(b.to_xml())
    task = root.xpath("//bpmn:userTask[@id='sign']", namespaces=NS)[0]
    etree.SubElement(task, f"{{{NS['bpmn']}}}multiInstanceLoopCharacteristics", {
        f"{{{NS['camunda']}}}collection": "experts",
        f"{{{NS['camunda']}}}elementVariable": "expert"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def walk(client: httpx.Client, admin: dict, experts: dict[str, dict]) -> list[float]:
    instance = client.post("/api/v1/tenants/cs/process-instances", headers=admin,
                           json={"variables": {"experts": EXPERTS}}).json()
    slots = sorted(instance["ready_tasks"], key=lambda t: t["slot"])
    timings = []
    for slot in slots:
        started = time.perf_counter()
        response = client.post(f"/api/v1/tasks/{slot['id']}/complete",
                               headers=experts[slot["assignee"]],
                               json={"variables": {"vote": "approve", "opinion": "同意"}})
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        instance = response.json()
    assert instance["state"] == "completed", instance
    assert instance["outcome"] == "passed"
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/"
                                          "govflow_bench_cs")
    parser.add_argument("--instances", type=int, default=30)
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
        admin = {"Authorization": "Bearer " + token(env, "--user", "bench", "--tenant", "*",
                                                    "--groups", "unit", "--admin")}
        experts = {e: {"Authorization": "Bearer " + token(env, "--user", e, "--tenant", "cs",
                                                          "--groups", "experts")}
                   for e in EXPERTS}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(100):
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            client.put("/api/v1/tenants/cs", json={"name": "cs"}, headers=admin)
            client.post("/api/v1/tenants/cs/diagram-sets", headers=admin, files=[
                ("files", ("countersign.bpmn", countersign(), "application/xml"))]
            ).raise_for_status()
            for _ in range(3):
                walk(client, admin, experts)  # warm-up
            runs = [walk(client, admin, experts) for _ in range(args.instances)]
        print(f"{'slot':>10} {'mean ms':>8} {'median':>7} {'p95':>6}")
        columns = [*zip(*runs, strict=True), [t for run in runs for t in run]]
        for label, t in zip(("1st", "2nd", "3rd (last)", "all"), columns, strict=True):
            p95 = sorted(t)[max(int(len(t) * 0.95) - 1, 0)]
            print(f"{label:>10} {statistics.mean(t):>8.2f} {statistics.median(t):>7.2f} "
                  f"{p95:>6.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
