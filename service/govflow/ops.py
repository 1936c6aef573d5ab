"""Health, readiness and Prometheus metrics."""

from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from .deps import ContextDep
from .store.migrate import head_revision
from .store.tables import timers

router = APIRouter(tags=["operations"])

REQUESTS = Counter("govflow_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("govflow_http_request_seconds", "HTTP request latency", ["method", "route"],
                    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
CACHE = Gauge("govflow_instance_cache_entries", "workflows kept in memory")
CACHE_HITS = Gauge("govflow_instance_cache_hits", "steps that reused a cached workflow")
CACHE_MISSES = Gauge("govflow_instance_cache_misses", "steps that rebuilt a workflow from rows")
TIMERS_DUE = Gauge("govflow_timers_due", "timers past their due time that no worker has fired yet")


@router.get("/healthz")
async def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(ctx: ContextDep, response: Response) -> dict[str, Any]:
    """Ready when the database answers and its schema is at the migrations' head."""
    try:
        async with ctx.engine.connect() as conn:
            current = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision())
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        response.status_code = 503
        return {"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"}
    head = head_revision()
    if current != head:
        response.status_code = 503
        return {"status": "unavailable", "database": "reachable",
                "migrations": f"at {current}, head is {head}: run `govflow db upgrade`"}
    return {"status": "ready", "database": "reachable", "migrations": current}


@router.get("/metrics", response_class=Response)
async def metrics(ctx: ContextDep) -> Response:
    CACHE.set(len(ctx.instances._entries))
    CACHE_HITS.set(ctx.instances.hits)
    CACHE_MISSES.set(ctx.instances.misses)
    try:
        async with ctx.engine.connect() as conn:
            TIMERS_DUE.set(await conn.scalar(sa.select(sa.func.count()).select_from(timers)
                                             .where(timers.c.due_at <= ctx.clock.now())) or 0)
    except Exception:  # noqa: BLE001 - metrics answer even when the database does not
        TIMERS_DUE.set(float("nan"))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
