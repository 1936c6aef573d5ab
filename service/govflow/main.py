"""The app factory: routers, error handlers, lifespan. Nothing else."""

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import fastapi.routing
from fastapi import Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware

from . import apidocs, ops
from .auth.oidc import OidcConfig
from .body_limit import RequestBodyLimit
from .bootstrap import ensure_secret
from .calendar.endpoints import router as calendar
from .calendar.service import keep_calendar_fresh, refresh_calendar
from .context import AppContext
from .cors import cors_options
from .decisions.endpoints import router as decisions
from .diagrams.endpoints import UPLOAD_PATH
from .diagrams.endpoints import router as diagrams
from .diagrams.registry import SpecRegistry
from .documents.backends import make_store
from .documents.endpoints import UPLOAD_PATH as DOCUMENT_UPLOAD_PATH
from .documents.endpoints import router as documents
from .engine import datasafe, sandbox_limits
from .errors import install_handlers
from .external.endpoints import router as external_tasks
from .feed.endpoints import router as feed
from .feed.worker import WebhookWorker
from .gc_tuning import settle
from .instances.cache import InstanceCache
from .instances.endpoints import router as instances
from .migration.endpoints import router as migrations
from .migration.worker import MigrationWorker
from .plans.endpoints import router as annual_plans
from .query_params import refuse_unknown_query
from .request_id import RequestIdMiddleware
from .settings import Settings, get_settings
from .store.clock import Clock
from .store.db import create_engine, session_factory
from .taskops.endpoints import router as task_operations
from .tasks.endpoints import router as tasks
from .tenants.endpoints import router as tenants
from .timers.worker import Worker, worker_name
from .warmup import warm

API = "/api/v1"


class RequestMetrics:
    """Counts and times requests per route for /metrics; plain ASGI, so no per-request task."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            ops.REQUESTS.labels(scope["method"], path, status[0]).inc()
            ops.LATENCY.labels(scope["method"], path).observe(time.perf_counter() - started)


def configure_engine(settings: Settings) -> None:
    """Hand the sandbox its limits, and take the signing key out of the process
    environment: once settings are read nothing needs it there, and nothing that runs
    in this process later (a diagram's code least of all) should find it."""
    sandbox_limits.configure(sandbox_limits.Limits(
        settings.script_cpu_seconds, settings.script_max_int_bits,
        settings.script_max_sequence, settings.script_max_string,
        settings.script_step_cpu_seconds))
    datasafe.configure(datasafe.DataLimits(settings.data_max_depth, settings.data_max_nodes,
                                           settings.script_max_string,
                                           settings.script_max_int_bits))
    os.environ.pop("GOVFLOW_SECRET_KEY", None)


# What a multipart body may carry beside the document itself (boundaries, headers).
MULTIPART_OVERHEAD = 64 * 1024


def build_context(settings: Settings, clock: Clock | None = None,
                  connect_args: dict[str, Any] | None = None) -> AppContext:
    # LIFO: the connection used last (the warm-up's, then the busiest) is handed out first,
    # so a lightly loaded process runs on connections that have its statements prepared.
    pool = {} if settings.is_sqlite else {"pool_size": settings.db_pool_size,
                                          "max_overflow": settings.db_max_overflow,
                                          "pool_use_lifo": True}
    engine = create_engine(settings.database_url, connect_args, **pool)
    configure_engine(settings)
    return AppContext(settings=settings, engine=engine, sessions=session_factory(engine),
                      specs=SpecRegistry(), instances=InstanceCache(settings.instance_cache_size),
                      clock=clock or Clock(), documents=make_store(settings))


def build_routes(app: FastAPI) -> int:
    """Build every route's request handling now, before the first request: FastAPI builds
    a route's dependencies and body/response models at its first match (a router's worth at
    a time), which made the first completion after a start cost four times a warm one. How
    many routes (0 on a FastAPI that builds them when they are added)."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    return 0 if contexts is None else sum(1 for _ in contexts(app.routes))


def create_app(ctx: AppContext | None = None, run_worker: bool | None = None) -> FastAPI:
    """The ASGI app; pass a context to share one with tests. ``run_worker`` fires timers
    in this process (default: the settings say, when there is no context).

    Without a context (``uvicorn --factory govflow.main:create_app``, ``serve --workers``)
    the settings come from the environment, and a missing or short secret key fails here,
    at start, instead of every request failing with 401."""
    settings = get_settings() if ctx is None else ctx.settings
    if ctx is None:
        settings, _ = ensure_secret(settings, create=False)
    OidcConfig.from_settings(settings)  # an incomplete provider setting fails at start
    fire_timers = (ctx is None and settings.runs_worker_in_process) if run_worker is None \
        else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if ctx is None:
            app.state.ctx = build_context(settings)
        context: AppContext = app.state.ctx
        await refresh_calendar(context)
        await warm(context)
        build_routes(app)
        if ctx is None:  # the process's own app (serve), not an embedding one's or a test's
            settle(context.settings.gc_thresholds)
        stop = asyncio.Event()
        background = [asyncio.create_task(keep_calendar_fresh(context, stop))]
        if fire_timers:
            worker = Worker(context, worker_name(context.settings))
            background.append(asyncio.create_task(worker.run(stop)))
            # Migration batches move where timers fire (docs/migration.md).
            background.append(asyncio.create_task(MigrationWorker(context).run(stop)))
            background.append(asyncio.create_task(WebhookWorker(context).run(stop)))
        yield
        stop.set()
        await asyncio.gather(*background)
        if ctx is None:
            await app.state.ctx.engine.dispose()

    app = FastAPI(title="GovFlow", version="0.1.0", lifespan=lifespan,
                  description="BPMN/DMN workflows for government IT project approval.",
                  docs_url=None, redoc_url=None)
    if ctx is not None:
        app.state.ctx = ctx
    install_handlers(app)
    for router in (tenants, diagrams, instances, tasks, decisions, calendar, external_tasks,
                   migrations, feed, task_operations, annual_plans, documents):
        app.include_router(router, prefix=API, dependencies=[Depends(refuse_unknown_query)])
    app.include_router(ops.router)
    apidocs.install(app)  # operationIds, problem+json errors, offline /docs and /redoc

    app.add_middleware(RequestBodyLimit, max_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes,
                       upload_paths=[API + UPLOAD_PATH],
                       path_limits={API + DOCUMENT_UPLOAD_PATH: settings.document_max_bytes
                                    + MULTIPART_OVERHEAD})
    app.add_middleware(RequestMetrics)
    if settings.cors_origins:  # a browser app on another origin: its preflights end here
        app.add_middleware(CORSMiddleware, **cors_options(settings.cors_origins))
    app.add_middleware(RequestIdMiddleware)  # outermost: the id covers everything below
    return app
