"""govflow serve | worker | db upgrade | deploy TENANT FILES... | token create |
secret generate | history cleanup | calendar load|show | migrate plan|run|status|rollback |
documents sweep."""

import argparse
import asyncio
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from .auth.permissions import EXTERNAL_WORKER
from .auth.principal import ALL_TENANTS, Principal
from .auth.tokens import mint
from .bootstrap import SYSTEM, ConfigurationError, ensure_secret, generate_secret, load_bundled
from .calendar import service as calendars
from .commands import execute, retention
from .commands.calendar import SaveCalendarYear
from .commands.calendar import put_year as put_calendar_year
from .commands.diagrams import deploy_set
from .commands.tenants import EnsureTenant
from .diagrams.upload import collect_files
from .documents.sweep import sweep
from .errors import DomainError, Invalid
from .feed.worker import WebhookWorker
from .gc_tuning import settle
from .logs import configure as configure_logging
from .logs import log_config
from .main import build_context
from .migration import cli as migration_cli
from .migration.worker import MigrationWorker
from .settings import Settings, get_settings
from .store.clock import Clock
from .store.migrate import upgrade
from .timers.worker import Worker, worker_name


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="govflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the REST API (uvicorn)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1,
                       help="API processes sharing the port (uvicorn workers)")
    sub.add_parser("worker", help="fire due timers, run migrations, deliver webhooks (next to the API)")
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    db.add_argument("--load-bundled", action="store_true",
                    help="then deploy the bundled diagram sets (once, from the migration job, "
                         "instead of every replica at start)")
    deploy = sub.add_parser("deploy", help="upload a diagram set for a tenant")
    deploy.add_argument("tenant")
    deploy.add_argument("files", nargs="+", type=Path)
    deploy.add_argument("--name", help="tenant name, when the tenant is new")
    deploy.add_argument("--activate", action="store_true", help="make it the active set")
    deploy.add_argument("--main-process")
    token = sub.add_parser("token", help="bearer tokens")
    token.add_argument("action", choices=["create"])
    token.add_argument("--user", required=True)
    token.add_argument("--tenant", required=True, help="a tenant id, several joined by ',', or *")
    token.add_argument("--groups", default="", help="comma-separated lane roles")
    token.add_argument("--admin", action="store_true")
    token.add_argument("--external-worker", action="store_true",
                       help=f"add the group '{EXTERNAL_WORKER}': another system that fetches "
                            "and completes the tenant's external tasks")
    token.add_argument("--hours", type=int, help="lifetime (default GOVFLOW_TOKEN_TTL_HOURS)")
    secret = sub.add_parser("secret", help="the key that signs bearer tokens")
    secret.add_argument("action", choices=["generate"],
                        help="print a new random key for GOVFLOW_SECRET_KEY")
    hist = sub.add_parser("history", help="history retention")
    hist.add_argument("action", choices=["cleanup"],
                      help="delete instances that ended more than the TTL ago (never running ones)")
    hist.add_argument("--days", type=int, help="the TTL (default GOVFLOW_HISTORY_TTL_DAYS)")
    cal = sub.add_parser("calendar", help="a year's official holiday arrangement")
    cal_action = cal.add_subparsers(dest="action", required=True)
    cal_load = cal_action.add_parser("load", help="load or correct a year from a JSON file")
    cal_load.add_argument("year", type=int)
    cal_load.add_argument("file", type=Path,
                          help='{"days_off": [...], "make_up_workdays": [...], "source": "..."}')
    cal_action.add_parser("show", help="a year's arrangement and where it comes from"
                          ).add_argument("year", type=int)
    migration_cli.add_parser(sub)
    docs = sub.add_parser("documents", help="uploaded documents' storage")
    docs.add_argument("action", choices=["sweep"],
                      help="delete blobs no document names (left by a crash mid-upload)")
    docs.add_argument("--minutes", type=int, default=60,
                      help="leave blobs written less than this long ago (default 60)")
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        {"serve": _serve, "db": _db, "deploy": _deploy, "token": _token,
         "worker": _worker, "calendar": _calendar, "secret": _secret,
         "history": _history, "migrate": _migrate, "documents": _documents}[args.command](
            settings, args)
    except ConfigurationError as exc:
        print(f"govflow: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    except DomainError as exc:
        print(json.dumps(exc.problem(), ensure_ascii=False, indent=2), file=sys.stderr)
        raise SystemExit(1) from exc


# Who `calendar load` records as having loaded a year.
CLI = Principal("cli", (ALL_TENANTS,), (), admin=True)


def _migrate(settings: Settings, args: argparse.Namespace) -> None:
    print(migration_cli.main(settings, args, build_context))


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _history(settings: Settings, args: argparse.Namespace) -> None:
    days = args.days if args.days is not None else settings.history_ttl_days
    if days is None or days < 1:
        raise ConfigurationError("no history time-to-live: set GOVFLOW_HISTORY_TTL_DAYS or "
                                 "pass --days N (at least 1)")

    async def run() -> int:
        ctx = build_context(settings)
        try:
            return await retention.cleanup(ctx, timedelta(days=days))
        finally:
            await ctx.engine.dispose()

    print(f"deleted {asyncio.run(run())} instances that ended more than {days} days ago")


def _documents(settings: Settings, args: argparse.Namespace) -> None:
    if args.minutes < 1:
        raise ConfigurationError("--minutes must be at least 1: an upload in flight has "
                                 "written its blob before its row")

    async def run() -> list[str]:
        ctx = build_context(settings)
        try:
            return await sweep(ctx.sessions, ctx.documents,
                               ctx.clock.now() - timedelta(minutes=args.minutes))
        finally:
            await ctx.engine.dispose()

    print(f"deleted {len(asyncio.run(run()))} blobs that no document names")


def _secret(settings: Settings, args: argparse.Namespace) -> None:
    print(generate_secret())


def _token(settings: Settings, args: argparse.Namespace) -> None:
    # Never make a key here: a token signed with a stray new key is refused by the service.
    settings, _ = ensure_secret(settings, create=False)
    groups = _split(args.groups)
    if args.external_worker and EXTERNAL_WORKER not in groups:
        groups = (*groups, EXTERNAL_WORKER)
    principal = Principal(args.user, _split(args.tenant), groups, args.admin)
    hours = args.hours or settings.token_ttl_hours
    print(mint(settings.secret_key, principal, Clock().now(), timedelta(hours=hours)))


def _db(settings: Settings, args: argparse.Namespace) -> None:
    upgrade(settings.database_url)
    print("database is at the latest schema")
    if args.load_bundled:
        for line in asyncio.run(_load_bundled(settings)):
            print(f"loaded {line}")


def _deploy(settings: Settings, args: argparse.Namespace) -> None:
    uploads = [(str(f), f.read_bytes()) for f in args.files]

    async def run() -> dict[str, Any]:
        ctx = build_context(settings)
        try:
            await execute(ctx, EnsureTenant(args.tenant, args.name or args.tenant))
            view, created = await deploy_set(ctx, SYSTEM, args.tenant, collect_files(uploads),
                                             args.main_process, True if args.activate else None)
            return {**view, "created": created, "created_at": str(view["created_at"])}
        finally:
            await ctx.engine.dispose()

    print(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2))


def _calendar(settings: Settings, args: argparse.Namespace) -> None:
    async def run() -> dict[str, Any]:
        ctx = build_context(settings)
        try:
            if args.action == "show":
                async with ctx.sessions() as session:
                    return await calendars.get_year(session, args.year)
            body = _calendar_file(args.file)
            view, created = await put_calendar_year(ctx, SaveCalendarYear(
                CLI, args.year, body.get("days_off"), body.get("make_up_workdays"),
                body.get("source"), where=str(args.file)))
            return {**view, "created": created}
        finally:
            await ctx.engine.dispose()

    print(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2, default=str))


def _calendar_file(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Invalid(f"{path} is not a readable JSON file: {exc}", code="calendar.file_invalid",
                      params={"reason": str(exc)}) from exc
    if not isinstance(body, dict):
        raise Invalid(f"{path} must hold an object with days_off, make_up_workdays and source",
                      code="calendar.file_invalid",
                      params={"reason": "days_off, make_up_workdays, source"})
    return body


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    settings, new_secret = ensure_secret(settings)
    if settings.is_sqlite:
        upgrade(settings.database_url)
    if settings.load_bundled_diagrams:
        for line in asyncio.run(_load_bundled(settings)):
            print(f"loaded {line}", flush=True)
    if new_secret:
        admin = Principal("admin", (ALL_TENANTS,), ("admin",), admin=True)
        token = mint(settings.secret_key, admin, Clock().now(),
                     timedelta(hours=settings.token_ttl_hours))
        print(f"generated a secret key beside the database; an admin token:\n{token}\n",
              flush=True)
    # The factory reads the same settings (and the key beside the SQLite file) in each
    # worker process; engines are made inside the serving event loop.
    uvicorn.run("govflow.main:create_app", factory=True, workers=args.workers,
                host=args.host or settings.host, port=args.port or settings.port,
                log_level=settings.log_level, log_config=log_config(settings) or LOGGING_CONFIG,
                timeout_graceful_shutdown=settings.shutdown_grace_seconds,
                # A worker still importing on a busy machine is not a dead one (default 5 s).
                timeout_worker_healthcheck=30)


async def _load_bundled(settings: Settings) -> list[str]:
    # One event loop for the engine's whole life: asyncpg connections made in one loop
    # and closed in another print a traceback at every start.
    ctx = build_context(settings)
    try:
        return await load_bundled(ctx, settings.diagrams_root)
    finally:
        await ctx.engine.dispose()


def _worker(settings: Settings, args: argparse.Namespace) -> None:
    import signal

    from prometheus_client import start_http_server

    configure_logging(settings)
    if settings.worker_metrics_port:
        start_http_server(settings.worker_metrics_port)

    async def run() -> None:
        ctx = build_context(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await calendars.refresh_calendar(ctx)
            settle(settings.gc_thresholds)
            worker = Worker(ctx, worker_name(settings), settings.worker_poll_seconds)
            migrations = MigrationWorker(ctx, worker_name(settings), settings.worker_poll_seconds)
            webhooks = WebhookWorker(ctx, settings.worker_poll_seconds)
            await asyncio.gather(worker.run(stop), migrations.run(stop), webhooks.run(stop),
                                 calendars.keep_calendar_fresh(ctx, stop))
        finally:
            await ctx.engine.dispose()

    asyncio.run(run())
