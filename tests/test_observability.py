"""What an operator watches: the request id from header to response, log line and history;
JSON log lines; metrics for engine steps, due and fired timers, incidents."""

import io
import json
import logging
from datetime import timedelta

from govflow.logs import RequestIdFilter, json_formatter
from govflow.timers.worker import Worker
from prometheus_client import REGISTRY

from tests.conftest import deploy
from tests.support.api import API, history, token
from tests.support.sample import linear, waits_a_day

UNIT = token("uo", "obs", ("unit",))
UNIT_T = token("ut", "obst", ("unit",))


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


async def test_the_request_id_is_returned_and_recorded_in_history(client):
    assert (await deploy(client, "obs", {"l.bpmn": linear(2)})).status_code == 201
    started = await client.post(f"{API}/tenants/obs/process-instances", json={},
                                headers={**UNIT, "X-Request-ID": "desk-7.req:42"})
    assert started.status_code == 201
    assert started.headers["x-request-id"] == "desk-7.req:42"
    instance = started.json()
    task = instance["ready_tasks"][0]
    done = await client.post(f"{API}/tasks/{task['id']}/complete", json={"variables": {}},
                             headers=UNIT)
    generated = done.headers["x-request-id"]
    assert len(generated) == 32
    assert generated != "desk-7.req:42"
    events = await history(client, instance["id"])
    by_request = {(e["event"], e["data"]["request_id"]) for e in events}
    assert ("instance_started", "desk-7.req:42") in by_request
    assert ("task_completed", generated) in by_request


async def test_a_request_id_that_is_not_a_plain_token_is_replaced_not_echoed(client):
    for hostile in (b"a b", b"x" * 200, "id\u2028two".encode(), b"<script>", b""):
        response = await client.get("/healthz", headers={"X-Request-ID": hostile})
        assert response.headers["x-request-id"].encode() != hostile
        assert len(response.headers["x-request-id"]) == 32


async def test_json_access_log_line_carries_the_request_id(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    access = logging.getLogger("govflow.access")
    access.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        await client.get("/healthz", headers={"X-Request-ID": "trace-1"})
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert (record["request_id"], record["method"], record["path"], record["status"],
            record["level"]) == ("trace-1", "GET", "/healthz", 200, "INFO")
    assert record["duration_ms"] >= 0


async def test_metrics_count_engine_steps_due_and_fired_timers(client, ctx):
    assert (await deploy(client, "obst", {"w.bpmn": waits_a_day()})).status_code == 201
    steps = sample("govflow_engine_step_seconds_count")
    fired = sample("govflow_timers_fired_total")
    for _ in range(2):
        started = await client.post(f"{API}/tenants/obst/process-instances", json={},
                                    headers=UNIT_T)
        assert started.status_code == 201
    text = (await client.get("/metrics")).text
    assert "\ngovflow_timers_due 0.0\n" in text
    ctx.clock.set(ctx.clock.now() + timedelta(days=5))
    text = (await client.get("/metrics")).text
    assert "\ngovflow_timers_due 2.0\n" in text
    assert await Worker(ctx, "obs").fire_due() == 2
    text = (await client.get("/metrics")).text
    assert "\ngovflow_timers_due 0.0\n" in text
    assert sample("govflow_timers_fired_total") == fired + 2
    assert sample("govflow_engine_step_seconds_count") >= steps + 2
    assert "govflow_incidents_total" in text
