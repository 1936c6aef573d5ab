"""Prometheus metrics of the engine and the timer worker (HTTP metrics are in ops.py).

The API serves them at /metrics; a `govflow worker` serves its own on
GOVFLOW_WORKER_METRICS_PORT."""

from prometheus_client import Counter, Histogram

ENGINE_STEP = Histogram(
    "govflow_engine_step_seconds",
    "one engine step: load the instance, run SpiffWorkflow, write what changed (no commit)",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1))
TIMERS_FIRED = Counter("govflow_timers_fired_total",
                       "instances whose due timers a worker fired and committed")
INCIDENTS = Counter("govflow_incidents_total",
                    "steps that failed and put an instance in state error")
